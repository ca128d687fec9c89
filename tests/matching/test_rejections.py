"""Bad input: each gives one Rejected event with a precise reason and changes nothing else."""

import pytest

from messages.commands import AmendOrder, CancelOrder, ListMarket, PlaceOrder, PriceUpdate, SetMarketStatus
from messages.enums import MarketStatus, OrderType, RejectReason, Side, TimeInForce
from messages.events import Rejected
from tests.matching.helpers import (
    SYMBOL,
    amend,
    cancel,
    limit,
    market_order,
    new_engine,
    next_id,
    run,
    spec,
    trading_state,
)

R = RejectReason


def _place(**kw):
    fields = {"account_id": 1, "market": SYMBOL, "side": Side.BUY, "size_lots": 5, "price_ticks": 10_000}
    fields.update(kw)
    return PlaceOrder(next_id(), 0, **fields)


CASES = [
    ("unknown market", lambda: _place(market="NOPEUSDC"), R.UNKNOWN_MARKET),
    ("zero price", lambda: _place(price_ticks=0), R.PRICE_NOT_POSITIVE),
    ("negative price", lambda: _place(price_ticks=-5), R.PRICE_NOT_POSITIVE),
    ("zero size", lambda: _place(size_lots=0), R.SIZE_NOT_POSITIVE),
    ("size above max", lambda: _place(size_lots=1_000_001), R.SIZE_ABOVE_MAX),
    ("below min notional", lambda: _place(price_ticks=100, size_lots=10), R.NOTIONAL_BELOW_MIN),
    ("market order with a price", lambda: _place(order_type=OrderType.MARKET), R.PRICE_NOT_ALLOWED),
    (
        "market order fill-or-kill",
        lambda: _place(order_type=OrderType.MARKET, price_ticks=0, time_in_force=TimeInForce.FOK),
        R.INVALID_TIME_IN_FORCE,
    ),
    ("client id too long", lambda: _place(client_order_id="x" * 37), R.CLIENT_ORDER_ID_TOO_LONG),
    ("duplicate client id", lambda: _place(client_order_id="dup"), R.DUPLICATE_CLIENT_ORDER_ID),
    ("cancel of a missing order", lambda: cancel(1, 999_999), R.ORDER_NOT_FOUND),
    ("cancel of another account's order", lambda: cancel(2, 1), R.NOT_ORDER_OWNER),
    ("cancel by unknown client id", lambda: cancel(1, client_order_id="nope"), R.ORDER_NOT_FOUND),
    ("cancel in an unknown market", lambda: CancelOrder(next_id(), 0, 1, "NOPEUSDC", 1), R.UNKNOWN_MARKET),
    ("amend of another account's order", lambda: amend(2, 1, price_ticks=9_000), R.NOT_ORDER_OWNER),
    ("amend that changes nothing", lambda: amend(1, 1, price_ticks=9_000), R.AMEND_NOTHING),
    ("amend to a negative price", lambda: AmendOrder(next_id(), 0, 1, SYMBOL, 1, "", -1, 0), R.PRICE_NOT_POSITIVE),
    ("amend above the max size", lambda: amend(1, 1, size_lots=1_000_001), R.SIZE_ABOVE_MAX),
    ("price update with zero price", lambda: PriceUpdate(next_id(), 0, SYMBOL, 0, 10_000), R.PRICE_NOT_POSITIVE),
    (
        "status of an unknown market",
        lambda: SetMarketStatus(next_id(), 0, "NOPEUSDC", MarketStatus.HALTED),
        R.UNKNOWN_MARKET,
    ),
    ("listing an existing market", lambda: ListMarket(next_id(), 0, spec()), R.MARKET_EXISTS),
    ("listing a bad spec", lambda: ListMarket(next_id(), 0, spec("BADUSDC", tick_size="-1")), R.INVALID_SPEC),
]


@pytest.mark.parametrize(("name", "make", "reason"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_rejected_and_changes_nothing(name, make, reason):
    engine = new_engine()
    run(engine, limit(1, "BUY", 9_000, 5, client_order_id="dup"))  # order 1 of account 1
    before = trading_state(engine)
    events = run(engine, make())
    assert len(events) == 1 and isinstance(events[0], Rejected), events
    assert events[0].reason is reason
    assert trading_state(engine) == before


def test_halted_market_refuses_orders_and_amends_but_accepts_cancels():
    engine = new_engine()
    order_id = run(engine, limit(1, "BUY", 9_000, 5))[0].order_id
    run(engine, SetMarketStatus(next_id(), 0, SYMBOL, MarketStatus.HALTED))
    assert run(engine, limit(1, "BUY", 9_000, 5))[0].reason is R.MARKET_HALTED
    assert run(engine, amend(1, order_id, price_ticks=9_001))[0].reason is R.MARKET_HALTED
    assert type(run(engine, cancel(1, order_id))[0]).__name__ == "OrderCanceled"


def test_post_only_market_refuses_takers_and_treats_limits_as_post_only():
    engine = new_engine()
    run(engine, limit(2, "SELL", 10_000, 5))
    run(engine, SetMarketStatus(next_id(), 0, SYMBOL, MarketStatus.POST_ONLY))
    assert run(engine, market_order(1, "BUY", 5))[0].reason is R.MARKET_POST_ONLY
    assert run(engine, limit(1, "BUY", 10_000, 5, TimeInForce.IOC))[0].reason is R.MARKET_POST_ONLY
    events = run(engine, limit(1, "BUY", 10_000, 5))
    assert [type(e).__name__ for e in events] == ["OrderAccepted", "OrderCanceled"]


def test_reduce_only_market_refuses_other_orders_and_cancels_resting_ones():
    engine = new_engine()
    run(engine, limit(2, "SELL", 10_000, 5))
    run(engine, limit(1, "BUY", 10_000, 5))  # account 1 long 5
    run(engine, limit(3, "BUY", 9_000, 5))
    run(engine, limit(1, "SELL", 11_000, 5, reduce_only=True))
    events = run(engine, SetMarketStatus(next_id(), 0, SYMBOL, MarketStatus.REDUCE_ONLY))
    assert [type(e).__name__ for e in events] == ["MarketStatusChanged", "OrderCanceled"]
    assert run(engine, limit(3, "BUY", 9_000, 5))[0].reason is R.MARKET_REDUCE_ONLY
    assert engine.markets[SYMBOL].book.depth(5) == ([], [(11_000, 5)])
