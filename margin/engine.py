"""MarginEngine: the matching engine with money: collateral, margin, fees, liquidation, funding.

It is the matching Engine with MarginRisk behind its risk seam and handlers for the margin
commands. Every command that can move an account's equity (orders, prices, funding, dividends)
ends with `settle_touched`: each touched account below maintenance is liquidated, and so on
until no liquidation touches another account that falls below (a cascade). A mark-price update
first asks the liquidation watch which accounts that price can have put below maintenance, then
lets the insurance fund unwind what it holds there (margin/insurance.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from mypy_extensions import mypyc_attr

from margin.account_updates import emit_account_updates
from margin.accounts import Account, sort_by_id
from margin.collateral import adjust_isolated_margin, deposit, set_leverage, set_margin_mode, withdraw
from margin.corporate_actions import cash_dividend, split
from margin.funding import settle_funding
from margin.insurance import maybe_unwind_insurance
from margin.invariants import check_margin_invariants
from margin.liquidation import liquidate
from margin.requirements import valuation_price_ticks
from margin.risk import MarginRisk
from matching.amend_order import amend_order
from matching.book import OrderBook
from matching.engine import Engine, EngineConfig
from matching.place_order import place_order
from matching.price_update import apply_prices
from matching.risk import Risk
from messages.commands import (
    AdjustIsolatedMargin,
    AmendOrder,
    CashDividend,
    Deposit,
    FundingSettle,
    PlaceOrder,
    PriceUpdate,
    SetLeverage,
    SetMarginMode,
    Split,
    Withdraw,
)

Handler = Callable[[Any, Any], None]


def below_maintenance_indexed(risk: MarginRisk, account: Account) -> bool:
    """Is the account, just indexed, below maintenance? For the common account, one cross
    position, its liquidation price answers exactly (margin/tiers.py); others are evaluated."""
    side = account.watch_side
    if side is not None:
        price_ticks = valuation_price_ticks(side.market)
        if price_ticks <= 0:
            return False  # no price yet: nothing to value the position at
        return price_ticks <= account.watch_price if side.is_long else price_ticks >= account.watch_price
    return risk.below_maintenance(account)


def settle_touched(engine: MarginEngine) -> None:
    """Liquidate every touched account now below maintenance, cascades included (id order)."""
    risk = engine.margin
    while risk.touched:
        touched = risk.touched
        risk.touched = []
        for account in touched:
            account.touched = False
        sort_by_id(touched)
        for account in touched:
            if account.account_id <= 0 or (risk.liquidating and account.account_id in risk.liquidating):
                continue  # system accounts are never liquidated; a liquidation in progress goes on
            risk.watch.index(account, risk.markets, risk.tiers)
            if below_maintenance_indexed(risk, account):
                liquidate(engine, account)  # which touches it again: re-indexed in the next round


def mark_price_update(engine: MarginEngine, cmd: PriceUpdate) -> None:
    if not apply_prices(engine, cmd):
        return
    risk = engine.margin
    market = engine.markets[cmd.market]
    for account_id in risk.watch.candidates(market.symbol, valuation_price_ticks(market)):
        risk.note_account(risk.ledger.accounts[account_id])
    settle_touched(engine)
    maybe_unwind_insurance(engine, market)  # its fills' counterparties are settled by after_command


@mypyc_attr(allow_interpreted_subclasses=True)
class MarginEngine(Engine):
    handlers: ClassVar[dict[type, Handler]] = {
        **Engine.handlers,
        PlaceOrder: place_order,
        AmendOrder: amend_order,
        PriceUpdate: mark_price_update,
        Deposit: deposit,
        Withdraw: withdraw,
        SetLeverage: set_leverage,
        SetMarginMode: set_margin_mode,
        AdjustIsolatedMargin: adjust_isolated_margin,
        FundingSettle: settle_funding,
        Split: split,
        CashDividend: cash_dividend,
    }

    def __init__(
        self,
        specs: Iterable[Any] = (),
        risk: MarginRisk | None = None,
        config: EngineConfig | None = None,
        book_type: type = OrderBook,
    ) -> None:
        margin = risk if risk is not None else MarginRisk()
        super().__init__(specs, margin, config, book_type)
        self.margin = margin  # the same object as `risk`, with its margin type
        margin.bind(self.markets)

    @classmethod
    def restore(cls, data: bytes, risk: Risk | None = None, book_type: type = OrderBook) -> MarginEngine:
        """The matching state, then margin's derived indexes: open-order totals from the books
        (in order-id order) and the liquidation watch."""
        from matching.snapshot import decode_engine

        engine = decode_engine(cls, data, risk, book_type)  # what Engine.restore does, for this class
        assert isinstance(engine, MarginEngine)
        resting = sorted(
            (order for market in engine.markets.values() for order in market.book.orders.values()),
            key=lambda o: o.order_id,
        )
        for order in resting:
            engine.margin.on_order_opened(engine.markets[order.market], order)
        engine.margin.reindex_watch()
        return engine

    def after_command(self) -> None:
        """Liquidate, cascades included, every account the command's fills or transfers left
        below maintenance; in a market still valued at its last trade (no mark yet), also every
        holder that trade's price put below."""
        risk = self.margin
        while risk.touched or risk.unmarked_traded:
            if risk.unmarked_traded:
                traded = risk.unmarked_traded
                risk.unmarked_traded = []
                for market in traded:
                    for account_id in risk.watch.candidates(market.symbol, valuation_price_ticks(market)):
                        risk.note_account(risk.ledger.accounts[account_id])
            settle_touched(self)
        if risk.changed_count:
            emit_account_updates(self)

    def check_invariants(self) -> None:
        super().check_invariants()
        check_margin_invariants(self)
