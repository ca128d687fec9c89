"""The accounts view, scenario by scenario: what a trader sees, numbers checkable by hand.

AAPLUSDC is priced in cents with 1-share lots; tiers 20x up to 1M USDC of notional, no fees.
Every step also checks the whole view against the engine (tests/views/account_agreement.py).
"""

from fractions import Fraction

import pytest

from messages.commands import AmendOrder, CancelOrder, PlaceOrder
from messages.enums import CancelReason, MarketStatus, OrderType, SelfTradePrevention, Side, TimeInForce
from messages.events import Event, MarketStatusChanged, Trade
from tests.margin.exchange import Exchange, spec, ticks, usdc
from tests.views.account_agreement import assert_agrees
from views.accounts import AccountsView
from views.orders import OrderStatus, UnknownOrder


class Followed(Exchange):
    """The Exchange driver with an AccountsView folding every event it emits."""

    def __init__(self, recently_closed: int = 1_000) -> None:
        super().__init__(spec())
        self.view = AccountsView([spec()], recently_closed=recently_closed)

    def apply(self, command_type: type, *args: object, **kwargs: object) -> list[Event]:
        events = super().apply(command_type, *args, **kwargs)
        for event in events:
            self.view.apply(event)
        assert_agrees(self.view, self.engine)
        return events

    def limit(self, account: int, side: Side, lots: int, price: str, client_id: str = "", **kw: object) -> int:
        """Place a GTC limit order; its order id."""
        events = self.apply(
            PlaceOrder,
            account,
            "AAPLUSDC",
            side,
            lots,
            ticks(price),
            client_order_id=client_id,
            self_trade_prevention=SelfTradePrevention.NONE,
            **kw,
        )
        return events[0].order_id


def funded(*deposits: str, mark: str | None = "100", recently_closed: int = 1_000) -> Followed:
    """Accounts 1, 2, ... with these deposits, and the mark at `mark` (None: no mark yet)."""
    ex = Followed(recently_closed)
    for account, amount in enumerate(deposits, start=1):
        ex.deposit(account, amount)
    if mark is not None:
        ex.mark(mark)
    return ex


def test_a_deposit_is_the_balance_equity_and_available() -> None:
    ex = Followed()
    assert ex.view.account_summary(1) is None
    ex.deposit(1, "1000")
    summary = ex.view.account_summary(1)
    assert summary is not None
    assert (summary.balance_micro, summary.equity_micro, summary.available_micro) == (usdc("1000"),) * 3
    assert (summary.initial_margin_micro, summary.margin_ratio_ppm, summary.positions) == (0, 0, [])


def test_a_resting_order_is_open_and_its_margin_is_held() -> None:
    """10 AAPL bid at 100 with 20x: 1,000 USDC of notional needs 50 USDC of initial margin."""
    ex = funded("1000")
    order_id = ex.limit(1, Side.BUY, 10, "100", client_id="bid-1")
    [order] = ex.view.open_orders(1)
    assert (order.order_id, order.client_order_id, order.side, order.order_type) == (
        order_id,
        "bid-1",
        Side.BUY,
        OrderType.LIMIT,
    )
    assert (order.price_ticks, order.size_lots, order.remaining_lots, order.filled_lots) == (ticks("100"), 10, 10, 0)
    assert (order.status, order.resting, order.time_in_force) == (OrderStatus.NEW, True, TimeInForce.GTC)
    assert order.created_ms == order.updated_ms == ex.n
    assert ex.view.get_order(1, client_order_id="bid-1") == order
    summary = ex.view.account_summary(1)
    assert summary is not None
    assert (summary.initial_margin_micro, summary.available_micro) == (usdc("50"), usdc("950"))


def test_fills_at_two_prices_give_an_exact_average_and_the_filled_order_stays_readable() -> None:
    """A buy of 10 takes 4 at 100.00 and 6 at 100.01: average 100.006, exactly."""
    ex = funded("10000", "10000")
    first = ex.limit(2, Side.SELL, 4, "100")
    second = ex.limit(2, Side.SELL, 10, "100.01")
    taker = ex.limit(1, Side.BUY, 10, "100.01", client_id="take")
    assert ex.view.open_orders(1) == []
    filled = ex.view.get_order(1, taker)
    assert filled is not None
    assert (filled.status, filled.filled_lots, filled.remaining_lots, filled.resting) == (
        OrderStatus.FILLED,
        10,
        0,
        False,
    )
    assert filled.average_price_ticks() == Fraction(4 * 10_000 + 6 * 10_001, 10)
    assert ex.view.get_order(1, client_order_id="take") == filled
    gone = ex.view.get_order(2, first)
    assert gone is not None and gone.status is OrderStatus.FILLED
    [rest] = ex.view.open_orders(2)
    assert (rest.order_id, rest.status, rest.filled_lots, rest.remaining_lots) == (
        second,
        OrderStatus.PARTIALLY_FILLED,
        6,
        4,
    )
    assert rest.filled_notional_ticks_lots == 6 * 10_001
    [position] = ex.view.positions(1)
    assert (position.size_lots, position.entry_price_ticks) == (10, 10_001)  # 100.006 to the nearest tick


def test_unrealized_pnl_and_liquidation_price_follow_the_mark() -> None:
    """Long 10 at 100 with 100 USDC: at a mark of 110, +100 USDC; liquidated at or below 92.30.

    Equity at price P is 100 + 10 (P - 100), maintenance 2.5% of 10 P: below it when
    P < 900 / 9.75 = 92.307..., so the liquidation price is 92.30 (the highest tick below)."""
    ex = funded("100", "10000")
    ex.limit(2, Side.SELL, 10, "100")
    ex.limit(1, Side.BUY, 10, "100")
    ex.mark("110")
    [position] = ex.view.positions(1)
    assert (position.mark_price_ticks, position.unrealized_pnl_micro) == (ticks("110"), usdc("100"))
    assert position.notional_micro == usdc("1100")
    assert position.liquidation_price_ticks == ticks("92.30")
    assert (position.adl_rank, position.adl_of) == (1, 1)
    summary = ex.view.account_summary(1)
    assert summary is not None
    assert summary.equity_micro == usdc("200")
    assert summary.maintenance_margin_micro == usdc("27.5")  # 2.5% of 1,100


def test_before_any_mark_positions_are_valued_at_the_last_trade() -> None:
    ex = funded("1000", "1000", mark=None)
    ex.limit(2, Side.SELL, 5, "100")
    ex.limit(1, Side.BUY, 2, "100")
    ex.limit(2, Side.BUY, 1, "99")
    [position] = ex.view.positions(1)
    assert (position.mark_price_ticks, position.unrealized_pnl_micro) == (ticks("100"), 0)


def test_accounts_never_see_each_other() -> None:
    ex = funded("1000", "1000")
    order_id = ex.limit(1, Side.BUY, 1, "99", client_id="mine")
    assert ex.view.get_order(2, order_id) is None
    assert ex.view.get_order(2, client_order_id="mine") is None
    assert ex.view.open_orders(2) == []
    assert ex.view.get_order(-3, order_id) is None and ex.view.account_summary(-3) is None


def test_a_canceled_order_says_why_and_keeps_what_filled() -> None:
    ex = funded("1000", "1000")
    order_id = ex.limit(1, Side.BUY, 5, "100")
    ex.limit(2, Side.SELL, 2, "100")
    ex.apply(CancelOrder, 1, "AAPLUSDC", order_id)
    canceled = ex.view.get_order(1, order_id)
    assert canceled is not None
    assert (canceled.status, canceled.cancel_reason, canceled.filled_lots, canceled.remaining_lots) == (
        OrderStatus.CANCELED,
        CancelReason.USER,
        2,
        0,
    )
    ioc = ex.apply(PlaceOrder, 1, "AAPLUSDC", Side.BUY, 3, ticks("99"), OrderType.LIMIT, TimeInForce.IOC)
    expired = ex.view.get_order(1, ioc[0].order_id)
    assert expired is not None and expired.cancel_reason is CancelReason.IOC_REMAINDER


def test_an_amend_moves_the_order_and_its_margin() -> None:
    ex = funded("1000")
    order_id = ex.limit(1, Side.BUY, 10, "100")
    ex.apply(AmendOrder, 1, "AAPLUSDC", order_id, "", ticks("90"), 20)
    [order] = ex.view.open_orders(1)
    assert (order.price_ticks, order.size_lots, order.remaining_lots) == (ticks("90"), 20, 20)
    summary = ex.view.account_summary(1)
    assert summary is not None and summary.initial_margin_micro == usdc("90")  # 1,800 / 20


def test_recently_closed_orders_are_bounded_oldest_first() -> None:
    ex = funded("1000", recently_closed=2)
    ids = [ex.limit(1, Side.BUY, 1, "99", client_id=f"o{i}") for i in range(3)]
    for order_id in ids:
        ex.apply(CancelOrder, 1, "AAPLUSDC", order_id)
    assert ex.view.get_order(1, ids[0]) is None and ex.view.get_order(1, client_order_id="o0") is None
    assert [ex.view.get_order(1, i).order_id for i in ids[1:]] == ids[1:]  # type: ignore[union-attr]
    assert ex.view.get_order(1, client_order_id="o2") is not None


def test_settings_and_brackets_are_the_markets() -> None:
    ex = funded("1000", mark=None)
    settings = ex.view.market_settings(1, "AAPLUSDC")
    assert settings is not None and (settings.leverage, settings.isolated) == (20, False)
    ex.leverage(1, 5)
    settings = ex.view.market_settings(1, "AAPLUSDC")
    assert settings is not None and settings.leverage == 5
    brackets = ex.view.leverage_brackets("AAPLUSDC")
    assert brackets is not None and [b.max_leverage for b in brackets] == [20, 10, 5]
    assert ex.view.leverage_brackets("NOPEUSDC") is None and ex.view.market_settings(1, "NOPEUSDC") is None


def test_events_of_other_concerns_pass_through() -> None:
    view = AccountsView([spec()])
    view.apply(MarketStatusChanged(7, "c", 1, "AAPLUSDC", MarketStatus.HALTED))
    assert view.last_seq == 7 and view.markets["AAPLUSDC"].status is MarketStatus.HALTED


def test_a_view_started_from_a_snapshot_knows_the_orders_but_not_their_past_fills() -> None:
    """A snapshot holds each resting order's sizes, not the prices it filled at nor its age."""
    ex = funded("1000", "1000")
    partial = ex.limit(1, Side.BUY, 5, "100")
    untouched = ex.limit(1, Side.BUY, 5, "99")
    ex.limit(2, Side.SELL, 2, "100")
    restarted = AccountsView.from_snapshot(ex.engine.snapshot())
    assert_agrees(restarted, ex.engine)
    seen_partial = restarted.get_order(1, partial)
    assert seen_partial is not None
    assert (seen_partial.filled_lots, seen_partial.filled_notional_ticks_lots, seen_partial.created_ms) == (2, None, 0)
    assert seen_partial.status is OrderStatus.PARTIALLY_FILLED and seen_partial.average_price_ticks() is None
    seen_untouched = restarted.get_order(1, untouched)
    assert seen_untouched is not None and seen_untouched.filled_notional_ticks_lots == 0


def test_an_event_naming_an_order_the_view_never_saw_is_refused_and_changes_nothing() -> None:
    ex = funded("1000")
    order_id = ex.limit(1, Side.BUY, 5, "100")
    before = ex.view.open_orders(1)
    trade = Trade(99, "x", 1, "AAPLUSDC", 1, ticks("100"), 1, Side.SELL, 12345, 2, 0, order_id, 1, 4)
    with pytest.raises(UnknownOrder):
        ex.view.apply(trade)
    assert ex.view.open_orders(1) == before
    assert_agrees(ex.view, ex.engine)
