"""Every trader account as the events tell it: balance, positions, open orders and margin figures.

The state is margin/'s own: a MarginRisk whose ledger holds margin's Account and Position objects
and whose markets are matching's Market objects, written by the events instead of by commands.
- AccountUpdated (and BalanceChanged) give an account's balance, and each changed position in
  full (size, entry cost, realized PnL, leverage in force, margin mode, isolated margin);
- OrderAccepted ... OrderCanceled give the open orders (views/orders.py), and so each position's
  open-order totals, which the initial margin counts (kept by MarginRisk.on_order_opened / closed);
- PriceApplied gives each market's mark, Trade its last price (the valuation price is the mark,
  else the last trade, as in the engine); MarketListed and SplitApplied the specs;
- the insurance fund's positions (its AccountUpdated is not sent: system accounts are not
  reported) are needed only for the ADL queue's length and are kept from the events that move
  them: its Trades, PositionLiquidated (INSURANCE) and PositionDeleveraged.
The figures are then computed at query time by margin/'s functions (margin/queries.py:
equity, available, initial and maintenance margin, margin ratio, unrealized PnL at the mark,
liquidation price, ADL rank), the very code the engine answers its own queries with. Nothing is
inferred and nothing is computed a second way.

Accounts never see each other: every query takes the account id and answers only for it. The
view is exact at command boundaries (after the last event of a command, its AccountUpdated).
"""

from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from margin.accounts import Account
from margin.engine import MarginEngine
from margin.ledger import INSURANCE_ACCOUNT
from margin.queries import AccountSummary, LeverageBracket, PositionView, brackets_of, summarize_account
from margin.risk import MarginRisk
from matching.engine import Engine
from matching.market import Market
from matching.order import Order
from messages.enums import LiquidationStep, Side
from messages.events import (
    AccountUpdated,
    BalanceChanged,
    Event,
    IsolatedMarginChanged,
    LeverageSet,
    MarginModeSet,
    MarketListed,
    MarketStatusChanged,
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    OrderRested,
    PositionDeleveraged,
    PositionLiquidated,
    PositionState,
    PriceApplied,
    SplitApplied,
    Trade,
)
from messages.market_spec import MarketSpec
from views.orders import RECENTLY_CLOSED, OrderRecord, OrdersView, OrderView


class MarketSettings(msgspec.Struct, frozen=True):
    """An account's settings in a market, flat or not (Binance shows leverage for every symbol)."""

    market: str
    leverage: int  # in force: the account's choice, else the market's maximum
    isolated: bool
    isolated_margin_micro: int  # 0 for cross


class AccountsView:
    name = "accounts"

    def __init__(self, specs: Iterable[MarketSpec] = (), recently_closed: int = RECENTLY_CLOSED) -> None:
        self.recently_closed = recently_closed
        self.risk = MarginRisk()
        self.markets: dict[str, Market] = {}
        self.risk.bind(self.markets)
        for spec in specs:
            self.markets[spec.symbol] = Market(spec)
        self.orders = OrdersView(self.resting_changed, recently_closed)
        self.last_seq = 0
        self.dispatch = dict(self.handlers())

    # -- starting points -----------------------------------------------------------------------------

    @staticmethod
    def from_snapshot(data: bytes, recently_closed: int = RECENTLY_CLOSED) -> "AccountsView":
        """Start-up only: the view of a MarginEngine snapshot, decoded by the engine's own restore."""
        engine = MarginEngine.restore(data)
        view = AccountsView(recently_closed=recently_closed)
        view.seed(engine, engine.next_seq - 1)
        return view

    def seed(self, engine: Engine, last_seq: int) -> None:
        """Forget everything and start from `engine`'s state (events up to `last_seq` included):
        copies of its markets, accounts (a MarginEngine's) and resting orders."""
        self.risk = MarginRisk()
        self.markets = {}
        self.risk.bind(self.markets)
        for symbol, market in engine.markets.items():
            copy = self.markets[symbol] = Market(market.spec, market.status)
            copy.mark_price_ticks = market.mark_price_ticks
            copy.index_price_ticks = market.index_price_ticks
            copy.last_trade_ticks = market.last_trade_ticks
        if isinstance(engine, MarginEngine):
            for account_id in sorted(engine.margin.ledger.accounts):
                if account_id > 0 or account_id == INSURANCE_ACCOUNT:
                    self.copy_account(engine.margin.ledger.accounts[account_id])
        self.orders = OrdersView(self.resting_changed, self.recently_closed)
        resting = [order for market in engine.markets.values() for order in market.book.orders.values()]
        self.orders.seed(sorted(resting, key=lambda order: order.order_id))
        self.last_seq = last_seq

    def copy_account(self, source: Account) -> None:
        """A trader's balance, settings and positions; of the insurance fund, its position sizes."""
        account = self.risk.ledger.account(source.account_id)
        insurance = source.account_id == INSURANCE_ACCOUNT
        if not insurance:
            account.balance_micro = source.balance_micro
            if source.leverage:
                account.own_leverage().update(source.leverage)
            if source.isolated_micro:
                account.own_isolated().update(source.isolated_micro)
        for symbol in sorted(source.positions):
            held = source.positions[symbol]
            if not (held.size_lots or held.cost_micro or held.realized_pnl_micro):
                continue
            position = account.position(symbol)
            position.size_lots = held.size_lots
            if not insurance:
                position.cost_micro = held.cost_micro
                position.realized_pnl_micro = held.realized_pnl_micro
                self.note_holder(source.account_id, symbol, held.size_lots)

    # -- the fold ------------------------------------------------------------------------------------

    def apply(self, event: Event) -> None:
        """Fold one event (in seq order). Events that concern no account are ignored."""
        handler = self.dispatch.get(type(event))
        if handler is not None:
            handler(event)
        self.last_seq = event.seq

    def handlers(self) -> dict[type[Event], Callable[[Any], None]]:
        """The event types this view folds, each with its handler (views/projection.py)."""
        return {
            AccountUpdated: self.on_account_updated,
            BalanceChanged: self.on_balance_changed,
            LeverageSet: self.on_leverage_set,
            MarginModeSet: self.on_margin_mode_set,
            IsolatedMarginChanged: self.on_isolated_margin_changed,
            OrderAccepted: self.on_order_accepted,
            OrderRested: self.on_order_rested,
            OrderCanceled: self.on_order_canceled,
            OrderAmended: self.on_order_amended,
            Trade: self.on_trade,
            PriceApplied: self.on_price_applied,
            PositionLiquidated: self.on_position_liquidated,
            PositionDeleveraged: self.on_position_deleveraged,
            MarketListed: self.on_market_listed,
            MarketStatusChanged: self.on_market_status_changed,
            SplitApplied: self.on_split_applied,
        }

    # the orders view is replaced by a seed, so its handlers are reached through these

    def on_order_accepted(self, event: OrderAccepted) -> None:
        self.orders.on_accepted(event)

    def on_order_rested(self, event: OrderRested) -> None:
        self.orders.on_rested(event)

    def on_order_canceled(self, event: OrderCanceled) -> None:
        self.orders.on_canceled(event)

    def on_order_amended(self, event: OrderAmended) -> None:
        self.orders.on_amended(event)

    def on_account_updated(self, event: AccountUpdated) -> None:
        account = self.risk.ledger.account(event.account_id)
        account.balance_micro = event.balance_micro
        for state in event.positions:
            self.apply_position_state(account, state)

    def apply_position_state(self, account: Account, state: PositionState) -> None:
        symbol = state.market
        position = account.position(symbol)
        position.size_lots = state.size_lots
        position.cost_micro = state.cost_micro
        position.realized_pnl_micro = state.realized_pnl_micro
        account.own_leverage()[symbol] = state.leverage
        if state.isolated:
            account.own_isolated()[symbol] = state.isolated_margin_micro
        else:
            account.isolated_micro.pop(symbol, None)
        self.note_holder(account.account_id, symbol, state.size_lots)

    def note_holder(self, account_id: int, symbol: str, size_lots: int) -> None:
        holders = self.risk.holders.get(symbol)
        if holders is None:
            holders = self.risk.holders[symbol] = set()
        if size_lots:
            holders.add(account_id)
        else:
            holders.discard(account_id)

    def on_balance_changed(self, event: BalanceChanged) -> None:
        self.risk.ledger.account(event.account_id).balance_micro = event.balance_micro

    def on_leverage_set(self, event: LeverageSet) -> None:
        self.risk.ledger.account(event.account_id).own_leverage()[event.market] = event.leverage

    def on_margin_mode_set(self, event: MarginModeSet) -> None:
        account = self.risk.ledger.account(event.account_id)
        if event.isolated:
            account.own_isolated().setdefault(event.market, 0)
        else:
            account.isolated_micro.pop(event.market, None)

    def on_isolated_margin_changed(self, event: IsolatedMarginChanged) -> None:
        self.risk.ledger.account(event.account_id).own_isolated()[event.market] = event.isolated_margin_micro

    def on_trade(self, event: Trade) -> None:
        self.orders.on_trade(event)
        self.markets[event.market].last_trade_ticks = event.price_ticks
        if event.taker_account_id == INSURANCE_ACCOUNT:  # the fund unwinding into the book
            bought = event.taker_side is Side.BUY
            self.move_insurance(event.market, event.size_lots if bought else -event.size_lots)

    def on_position_liquidated(self, event: PositionLiquidated) -> None:
        if event.step is LiquidationStep.INSURANCE:  # the fund took the other side
            self.move_insurance(event.market, -event.size_lots)

    def on_position_deleveraged(self, event: PositionDeleveraged) -> None:
        if event.account_id == INSURANCE_ACCOUNT:
            self.move_insurance(event.market, event.size_lots)

    def move_insurance(self, symbol: str, signed_lots: int) -> None:
        self.risk.ledger.account(INSURANCE_ACCOUNT).position(symbol).size_lots += signed_lots

    def resting_changed(self, record: OrderRecord, sign: int) -> None:
        """An order started (+1) or stopped (-1) resting: its position's open-order totals, kept
        by margin/risk.py's own bookkeeping, given the order as the engine's Order type."""
        self.risk.ledger.account(record.account_id)  # funded before its first order, but a seed may differ
        order = Order(
            record.order_id,
            record.account_id,
            record.market,
            record.is_buy,
            record.price_ticks,
            record.size_lots,
            record.remaining_lots,
        )
        market = self.markets[record.market]
        if sign > 0:
            self.risk.on_order_opened(market, order)
        else:
            self.risk.on_order_closed(market, order)

    def on_price_applied(self, event: PriceApplied) -> None:
        market = self.markets[event.market]
        market.index_price_ticks = event.index_price_ticks
        market.mark_price_ticks = event.mark_price_ticks

    def on_market_listed(self, event: MarketListed) -> None:
        self.markets[event.spec.symbol] = Market(event.spec, event.status)

    def on_market_status_changed(self, event: MarketStatusChanged) -> None:
        self.markets[event.market].status = event.status

    def on_split_applied(self, event: SplitApplied) -> None:
        """Ticks and lots keep their integers (no equity moves); only the decimal tick and lot change."""
        market = self.markets[event.market]
        market.spec = msgspec.structs.replace(market.spec, tick_size=event.tick_size, lot_size=event.lot_size)

    # -- queries: each for one account ---------------------------------------------------------------

    def get_account(self, account_id: int) -> Account | None:
        if account_id <= 0:
            return None  # system accounts are not followed
        return self.risk.ledger.accounts.get(account_id)

    def account_summary(self, account_id: int) -> AccountSummary | None:
        """Balance, equity, unrealized PnL, initial and maintenance margin, available, margin
        ratio and positions (see `positions`); None for an account never funded."""
        if self.get_account(account_id) is None:
            return None
        return summarize_account(self.risk, account_id)

    def positions(self, account_id: int) -> list[PositionView]:
        """Open positions in market order: size, entry, mark, notional, unrealized PnL at the
        valuation price, realized PnL, leverage, margin mode, isolated margin, liquidation price,
        ADL rank."""
        summary = self.account_summary(account_id)
        return summary.positions if summary is not None else []

    def balance_micro(self, account_id: int) -> int | None:
        account = self.get_account(account_id)
        return account.balance_micro if account is not None else None

    def market_settings(self, account_id: int, market: str) -> MarketSettings | None:
        """Leverage and margin mode in a market (None for an unknown account or market)."""
        account = self.get_account(account_id)
        if account is None or market not in self.markets:
            return None
        tiers = self.risk.tiers[market]
        return MarketSettings(
            market,
            account.leverage.get(market, tiers.max_leverage),
            market in account.isolated_micro,
            account.isolated_micro.get(market, 0),
        )

    def open_orders(self, account_id: int, market: str = "") -> list[OrderView]:
        """The account's open orders, in one market or ("") all, in order-id order."""
        if account_id <= 0:
            return []
        return self.orders.open_orders(account_id, market)

    def get_order(self, account_id: int, order_id: int = 0, client_order_id: str = "") -> OrderView | None:
        """One of the account's orders, open or recently closed, by id or (order_id 0) client id."""
        if account_id <= 0:
            return None
        return self.orders.get_order(account_id, order_id, client_order_id)

    def leverage_brackets(self, market: str) -> list[LeverageBracket] | None:
        """The market's margin tiers as Binance's leverageBracket shows them."""
        if market not in self.markets:
            return None
        return brackets_of(self.risk.tiers[market])
