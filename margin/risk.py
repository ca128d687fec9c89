"""MarginRisk: margin/'s side of the engine's risk seam (matching/risk.py).

Before an order: the pre-trade check. While it rests: the account's open-order totals in its
market. On every fill: fees to the fee account, both positions updated, PnL realized against the
market's clearing account, and both accounts noted as touched, so the engine can check them
against maintenance once the command is done.
"""

from mypy_extensions import mypyc_attr

from margin.accounts import Account, Position
from margin.arithmetic import magnitude, signed_times, wide_times
from margin.fees import fee_micro
from margin.ledger import Ledger
from margin.positions import apply_trade
from margin.requirements import (
    Requirements,
    account_requirements,
    equity_and_initial_micro,
    equity_below_maintenance,
    market_initial_micro,
    valuation_price_ticks,
)
from margin.snapshot import restore_ledger, snapshot_ledger
from margin.tiers import Tiers, TiersByMarket
from margin.watch import LiquidationWatch
from matching.market import Market
from matching.order import Order
from matching.risk import Risk
from messages.enums import RejectReason


@mypyc_attr(allow_interpreted_subclasses=True)
class MarginRisk(Risk):
    def __init__(self) -> None:
        self.ledger = Ledger()
        self.markets: dict[str, Market] = {}  # the engine's, bound by MarginEngine
        self.tiers: dict[str, Tiers] = TiersByMarket(self.markets)
        self.funding_index: dict[str, int] = {}  # market -> cumulative, micro-USDC per lot x 1e-9
        self.funding_time_ms: dict[str, int] = {}  # market -> last settled funding time
        self.holders: dict[str, set[int]] = {}  # market -> accounts with a non-zero position
        self.watch = LiquidationWatch()
        self.liquidating: set[int] = set()  # accounts whose liquidation orders bypass the check
        self.touched: list[Account] = []  # accounts whose equity moved during the current command (once each)
        # markets with no mark yet that traded during the command: positions there are valued at
        # the last trade, so a trade moves every holder's equity, not only the two parties'
        self.unmarked_traded: list[Market] = []
        # trader accounts whose balance or positions changed during the current command (once
        # each), for its AccountUpdated events (margin/account_updates.py)
        self.changed: list[Account] = []  # the first `changed_count` (the list only grows, see Account)
        self.changed_count = 0

    # -- the seam --------------------------------------------------------------------------------

    def bind(self, markets: dict[str, Market]) -> None:
        """Use the engine's market table (MarginEngine does this once)."""
        self.markets = markets
        self.tiers = TiersByMarket(markets)

    def tiers_of(self, market: Market) -> Tiers:
        """The market's tiers, kept on the market after the first look (no lookup by symbol)."""
        handle = market.risk_handle
        if isinstance(handle, Tiers):
            return handle
        tiers = self.tiers[market.symbol]
        market.risk_handle = tiers
        return tiers

    def check_order(self, market: Market, order: Order, replacing: Order | None = None) -> RejectReason | None:
        """Accept if equity covers initial margin after the order, or if the order does not
        raise the requirement of its market (it only reduces risk). An accepted order carries its
        position (`risk_handle`), so that its fills and its closing need no lookup."""
        account_id = order.account_id
        trader = order.trader
        handle = trader.risk_handle if trader is not None else None
        if isinstance(handle, Account):
            account: Account | None = handle
        else:  # the trader's first order since its account was opened
            account = self.ledger.accounts.get(account_id)
            if trader is not None and account is not None:
                trader.risk_handle = account
        if self.liquidating and account_id in self.liquidating:
            assert account is not None
            order.risk_handle = account.position(market.symbol)
            return None
        if account is None or account_id <= 0:
            return RejectReason.UNKNOWN_ACCOUNT
        symbol = market.symbol
        tiers = self.tiers_of(market)
        sole = account.sole_position
        # the common account's one position, found without its positions dict
        stored = sole if sole is not None and sole.market == symbol else account.positions.get(symbol)
        # a new position is not stored yet: a rejected order changes nothing
        position = stored if stored is not None else Position(symbol, account)
        leverage = account.leverage.get(symbol, tiers.leverages[0]) if account.leverage else tiers.leverages[0]
        u = market.micro_per_tick_lot
        per_lot = valuation_price_ticks(market) * u
        value = signed_times(position.size_lots, per_lot)
        price_ticks = order.price_ticks or market.reference_price_ticks(order.is_buy)
        lots = order.remaining_lots
        buy_lots = sell_lots = buy_adjust = sell_adjust = 0
        if replacing is not None:  # an amend: the order it replaces still rests
            if replacing.is_buy:
                buy_lots = -replacing.remaining_lots
                buy_adjust = -(replacing.remaining_lots * replacing.price_ticks * u)
            else:
                sell_lots = -replacing.remaining_lots
                sell_adjust = -(replacing.remaining_lots * replacing.price_ticks * u)
        if order.is_buy:
            buy_lots += lots
            buy_adjust += lots * price_ticks * u
            exposure_lots = position.size_lots + position.buy_lots + buy_lots
        else:
            sell_lots += lots
            sell_adjust += lots * price_ticks * u
            exposure_lots = position.sell_lots + sell_lots - position.size_lots
        # the position and the orders that grow it, at any price: bounded (messages/limits.py)
        if exposure_lots > market.max_position_lots:
            return RejectReason.POSITION_LIMIT
        common = not account.isolated_micro and ((sole is not None and stored is sole) or not account.positions)
        # the common account (one market, no isolated margin): its equity is that market's alone
        equity = account.balance_micro + value - position.cost_micro
        if common:
            # leverage is at least 1, so no requirement exceeds what is at stake (the position,
            # each side's orders and their open loss): equity above that covers the order with no
            # tier lookup
            at_stake = (
                magnitude(value)
                + 2 * (position.buy_notional_micro + buy_adjust)
                + position.sell_notional_micro
                + sell_adjust
                + wide_times(per_lot, position.sell_lots + sell_lots)
            )
            if equity >= at_stake:
                order.risk_handle = stored if stored is not None else account.position(symbol)
                return None
        position.buy_lots += buy_lots  # priced as if resting, then put back: nothing changes
        position.buy_notional_micro += buy_adjust
        position.sell_lots += sell_lots
        position.sell_notional_micro += sell_adjust
        after = market_initial_micro(position, tiers, leverage, value, per_lot)
        position.buy_lots -= buy_lots
        position.buy_notional_micro -= buy_adjust
        position.sell_lots -= sell_lots
        position.sell_notional_micro -= sell_adjust
        if common:
            # the requirement before the order is needed only when the order is not covered
            if equity < after:
                before = market_initial_micro(position, tiers, leverage, value, per_lot)
                if after > before:
                    return RejectReason.INSUFFICIENT_MARGIN
        else:
            before = market_initial_micro(position, tiers, leverage, value, per_lot)
            if after > before:
                if account.isolated_micro and symbol in account.isolated_micro:
                    # the cross bucket funds only what isolated margin lacks
                    isolated_equity = account.isolated_micro[symbol] + value - position.cost_micro
                    before = max(0, before - isolated_equity)
                    after = max(0, after - isolated_equity)
                equity, initial = equity_and_initial_micro(account, self.markets, self.tiers)
                if equity < initial - before + after:
                    return RejectReason.INSUFFICIENT_MARGIN
        order.risk_handle = stored if stored is not None else account.position(symbol)
        return None

    def on_order_opened(self, market: Market, order: Order) -> None:
        position = self.position_of(market, order)
        notional = order.remaining_lots * order.price_ticks * market.micro_per_tick_lot
        if order.is_buy:
            position.buy_lots += order.remaining_lots
            position.buy_notional_micro += notional
        else:
            position.sell_lots += order.remaining_lots
            position.sell_notional_micro += notional

    def on_order_closed(self, market: Market, order: Order) -> None:
        position = self.position_of(market, order)
        notional = order.remaining_lots * order.price_ticks * market.micro_per_tick_lot
        if order.is_buy:
            position.buy_lots -= order.remaining_lots
            position.buy_notional_micro -= notional
        else:
            position.sell_lots -= order.remaining_lots
            position.sell_notional_micro -= notional

    def position_of(self, market: Market, order: Order) -> Position:
        """The order's position: the one it carries, or (an order restored from a snapshot) the
        one it is given now."""
        handle = order.risk_handle
        if isinstance(handle, Position):
            return handle
        position = self.ledger.accounts[order.account_id].position(market.symbol)
        order.risk_handle = position
        return position

    def on_fill(
        self, market: Market, taker: Order, maker: Order, price_ticks: int, size_lots: int
    ) -> tuple[int, int, int, int]:
        u = market.micro_per_tick_lot
        notional = price_ticks * size_lots * u
        taker_position = self.position_of(market, taker)
        maker_position = self.position_of(market, maker)
        taker_account = taker_position.owner
        maker_account = maker_position.owner
        if maker.is_buy:  # the maker rested: its open-order totals shrink by the fill
            maker_position.buy_lots -= size_lots
            maker_position.buy_notional_micro -= notional
        else:
            maker_position.sell_lots -= size_lots
            maker_position.sell_notional_micro -= notional
        liquidating = self.liquidating
        taker_fee = 0 if liquidating and taker.account_id in liquidating else fee_micro(notional, market.taker_fee_ppm)
        maker_fee = fee_micro(notional, market.maker_fee_ppm)
        fees = self.ledger.fees
        taker_account.balance_micro -= taker_fee
        maker_account.balance_micro -= maker_fee
        fees.balance_micro += taker_fee + maker_fee
        if not market.mark_price_ticks and market not in self.unmarked_traded:
            self.unmarked_traded.append(market)
        index = self.funding_index.get(market.symbol, 0)
        signed = size_lots if taker.is_buy else -size_lots
        taker_pnl = self.trade_position(taker_account, taker_position, signed, price_ticks, u, index, taker_fee)
        maker_pnl = self.trade_position(maker_account, maker_position, -signed, price_ticks, u, index, maker_fee)
        return taker_fee, maker_fee, taker_pnl, maker_pnl

    def trade(
        self, account: Account, symbol: str, signed_lots: int, price_ticks: int, u: int, index: int, fee_micro: int = 0
    ) -> None:
        """Move a position and keep the holder set, isolated margin and the dirty marks in step."""
        self.trade_position(account, account.position(symbol), signed_lots, price_ticks, u, index, fee_micro)

    def trade_position(
        self,
        account: Account,
        position: Position,
        signed_lots: int,
        price_ticks: int,
        u: int,
        index: int,
        fee_micro: int,
    ) -> int:
        """`trade` for a position at hand; returns the PnL realized."""
        size_before = position.size_lots
        realized = apply_trade(self.ledger, account, position, signed_lots, price_ticks, u, index)
        if account.isolated_micro and position.market in account.isolated_micro:
            self.isolated_after_trade(account, position.market, size_before, realized - fee_micro, price_ticks)
        if (size_before != 0) != (position.size_lots != 0):
            holders = self.holders.get(position.market)
            if holders is None:
                holders = self.holders[position.market] = set()
            if position.size_lots:
                holders.add(account.account_id)
            else:
                holders.discard(account.account_id)
        self.note_account(account)
        self.note_changed(account, position.market)
        return realized

    def isolated_after_trade(
        self, account: Account, symbol: str, size_before: int, pnl_micro: int, price_ticks: int
    ) -> None:
        """PnL and fees of an isolated position stay in its margin. A position that grew is topped
        up from cross to its initial margin, as far as cross cash allows; a flat one gives its
        margin back to cross (except while liquidating: the liquidation fee comes out of it first)."""
        position = account.positions[symbol]
        margin = account.isolated_micro[symbol] + pnl_micro
        size = position.size_lots
        if size == 0:
            if account.account_id not in self.liquidating:
                margin = 0
        elif abs(size) > abs(size_before) or (size > 0) != (size_before > 0):
            market = self.markets[symbol]
            value = signed_times(size, (valuation_price_ticks(market) or price_ticks) * market.micro_per_tick_lot)
            tiers = self.tiers[symbol]
            needed = tiers.initial_margin_micro(abs(value), account.leverage.get(symbol, tiers.leverages[0]))
            equity = margin + value - position.cost_micro
            cross_cash = account.balance_micro - sum(account.isolated_micro.values()) - pnl_micro
            if needed > equity and cross_cash > 0:
                margin += min(needed - equity, cross_cash)  # never more than cross holds
        account.isolated_micro[symbol] = margin

    def credit(self, account: Account, symbol: str, amount_micro: int) -> None:
        """Funding or a dividend for a position, against the fee account (which keeps only dust)."""
        account.balance_micro += amount_micro
        self.ledger.fees.balance_micro -= amount_micro
        if account.isolated_micro and symbol in account.isolated_micro:
            account.isolated_micro[symbol] += amount_micro
            self.note_changed(account, symbol)
        else:
            self.note_balance_changed(account)
        self.note_account(account)

    def knows_account(self, account_id: int) -> bool:
        """A trading account: opened by a deposit, and not one of the system accounts."""
        return account_id > 0 and account_id in self.ledger.accounts

    def position_lots(self, account_id: int, market: str) -> int:
        account = self.ledger.accounts.get(account_id)
        if account is None:
            return 0
        position = account.positions.get(market)
        return position.size_lots if position is not None else 0

    # -- margin/'s own queries -------------------------------------------------------------------

    def requirements(self, account: Account) -> Requirements:
        return account_requirements(account, self.markets, self.tiers)

    def below_maintenance(self, account: Account) -> bool:
        if account.account_id < 0:  # system accounts are never liquidated
            return False
        return equity_below_maintenance(account, self.markets, self.tiers)

    def note(self, account_id: int) -> None:
        """The account's balance changed outside a fill (a transfer, a liquidation's fee)."""
        account = self.ledger.account(account_id)
        self.note_account(account)
        self.note_balance_changed(account)

    def note_changed(self, account: Account, symbol: str) -> None:
        """The account's position in `symbol` (size, entry, realized PnL, leverage, margin mode or
        isolated margin), and maybe its balance, changed: report them when the command is done."""
        if account.account_id <= 0:
            return  # system accounts are not reported
        if not account.changed:
            self.list_changed(account)
        symbols = account.changed_markets
        n = account.changed_count
        for i in range(n):
            if symbols[i] == symbol:
                return
        if n < len(symbols):
            symbols[n] = symbol
        else:
            symbols.append(symbol)
        account.changed_count = n + 1

    def note_balance_changed(self, account: Account) -> None:
        """The account's balance changed: report it when the command is done."""
        if not account.changed and account.account_id > 0:
            self.list_changed(account)

    def list_changed(self, account: Account) -> None:
        account.changed = True
        changed = self.changed
        n = self.changed_count
        if n < len(changed):
            changed[n] = account
        else:
            changed.append(account)
        self.changed_count = n + 1

    def note_account(self, account: Account) -> None:
        """Its state changed: once the command is done, check it against maintenance and
        re-index it in the liquidation watch (margin/engine.py, settle_touched)."""
        if not account.touched:
            account.touched = True
            self.touched.append(account)

    def reindex_watch(self) -> None:
        """Index every account holding a position from scratch (after a restore)."""
        accounts = self.ledger.accounts
        holders = sorted({a for held in self.holders.values() for a in held if a > 0})
        self.watch.rebuild([accounts[a] for a in holders], self.markets, self.tiers)

    # -- snapshot --------------------------------------------------------------------------------

    def snapshot_state(self) -> object:
        return snapshot_ledger(self)

    def restore_state(self, state: object) -> None:
        restore_ledger(self, state)
