"""Cancel by id or client id, cancel-all, and amend with its time-priority rules."""

from messages.commands import ListMarket
from messages.enums import CancelReason, RejectReason, TimeInForce
from messages.events import MarketListed, OrderAmended, Trade
from tests.matching.helpers import (
    amend,
    cancel,
    cancel_all,
    depth,
    kinds,
    limit,
    new_engine,
    next_id,
    run,
    spec,
)


def test_cancel_by_order_id_and_by_client_order_id():
    engine = new_engine()
    first = run(engine, limit(1, "BUY", 9_990, 5))[0].order_id
    run(engine, limit(1, "BUY", 9_991, 5, client_order_id="mine"))
    assert run(engine, cancel(1, first))[0].reason is CancelReason.USER
    events = run(engine, cancel(1, client_order_id="mine"))
    assert kinds(events) == ["OrderCanceled"] and events[0].client_order_id == "mine"
    assert depth(engine) == ([], [])


def test_cancel_all_per_market_and_everywhere():
    engine = new_engine(spec(), spec("OTHERUSDC"))
    run(engine, limit(1, "BUY", 9_990, 5))
    run(engine, limit(1, "BUY", 9_990, 5, market="OTHERUSDC"))
    run(engine, limit(2, "BUY", 9_990, 5))
    events = run(engine, cancel_all(1, "OTHERUSDC"))
    assert [(e.market, e.reason) for e in events] == [("OTHERUSDC", CancelReason.CANCEL_ALL)]
    events = run(engine, cancel_all(1))
    assert [e.account_id for e in events] == [1]
    assert depth(engine) == ([(9_990, 5)], [])  # account 2's order stays


def test_amend_size_down_keeps_time_priority():
    engine = new_engine()
    first = run(engine, limit(1, "SELL", 10_000, 10))[0].order_id
    run(engine, limit(2, "SELL", 10_000, 10))
    events = run(engine, amend(1, first, size_lots=4))
    assert isinstance(events[0], OrderAmended) and events[0].priority_kept and events[0].remaining_lots == 4
    trade = run(engine, limit(3, "BUY", 10_000, 4))[1]
    assert isinstance(trade, Trade) and trade.maker_order_id == first


def test_amend_size_up_or_price_change_loses_time_priority():
    engine = new_engine()
    first = run(engine, limit(1, "SELL", 10_000, 10))[0].order_id
    second = run(engine, limit(2, "SELL", 10_000, 10))[0].order_id
    assert not run(engine, amend(1, first, size_lots=12))[0].priority_kept
    assert run(engine, limit(3, "BUY", 10_000, 1))[1].maker_order_id == second


def test_amend_size_counts_what_has_filled():
    engine = new_engine()
    order_id = run(engine, limit(1, "SELL", 10_000, 10))[0].order_id
    run(engine, limit(2, "BUY", 10_000, 6))  # 6 filled, 4 left
    assert run(engine, amend(1, order_id, size_lots=6))[0].reason is RejectReason.AMEND_BELOW_FILLED
    events = run(engine, amend(1, order_id, size_lots=8))
    assert (events[0].size_lots, events[0].remaining_lots, events[0].priority_kept) == (8, 2, True)


def test_amend_to_a_crossing_price_trades_as_a_taker():
    engine = new_engine()
    run(engine, limit(2, "SELL", 10_000, 3))
    order_id = run(engine, limit(1, "BUY", 9_900, 5))[0].order_id
    events = run(engine, amend(1, order_id, price_ticks=10_000))
    assert kinds(events) == ["OrderAmended", "Trade", "OrderRested"]
    assert [e.book_update_id for e in events] == [3, 4, 5]  # out of the book, the maker filled, in again
    assert depth(engine) == ([(10_000, 2)], [])


def test_amend_of_post_only_that_would_cross_is_refused():
    engine = new_engine()
    run(engine, limit(2, "SELL", 10_000, 3))
    order_id = run(engine, limit(1, "BUY", 9_900, 5, TimeInForce.GTX))[0].order_id
    assert run(engine, amend(1, order_id, price_ticks=10_000))[0].reason is RejectReason.POST_ONLY_WOULD_TAKE
    assert depth(engine) == ([(9_900, 5)], [(10_000, 3)])


def test_list_market_then_trade_in_it():
    engine = new_engine()
    events = run(engine, ListMarket(next_id(), 0, spec("NEWUSDC")))
    assert isinstance(events[0], MarketListed)
    run(engine, limit(1, "SELL", 10_000, 3, market="NEWUSDC"))
    assert kinds(run(engine, limit(2, "BUY", 10_000, 3, market="NEWUSDC"))) == ["OrderAccepted", "Trade"]
