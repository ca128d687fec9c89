"""What happens to an order, one rule at a time. Prices in ticks (10_000 = 100.00), sizes in lots."""

from messages.commands import AdvanceClock, PriceUpdate
from messages.enums import CancelReason, RejectReason, SelfTradePrevention, Side, TimeInForce
from messages.events import OrderAccepted, OrderAmended, OrderCanceled, Rejected, Trade
from tests.matching.helpers import (
    SYMBOL,
    cancel,
    depth,
    kinds,
    limit,
    market_order,
    new_engine,
    next_id,
    run,
)

GTC, IOC, FOK, GTD, GTX = TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK, TimeInForce.GTD, TimeInForce.GTX


def test_limit_order_rests_when_it_does_not_cross():
    engine = new_engine()
    events = run(engine, limit(1, "BUY", 9_990, 10))
    assert kinds(events) == ["OrderAccepted", "OrderRested"]
    rested = events[1]
    assert (rested.order_id, rested.side, rested.price_ticks, rested.remaining_lots) == (
        events[0].order_id,
        Side.BUY,
        9_990,
        10,
    )
    assert rested.book_update_id == engine.markets[rested.market].book_update_id == 1
    assert depth(engine) == ([(9_990, 10)], [])


def test_crossing_limit_trades_at_maker_prices_best_first_then_rests_the_rest():
    engine = new_engine()
    run(engine, limit(1, "SELL", 10_010, 5))
    run(engine, limit(1, "SELL", 10_000, 5))
    events = run(engine, limit(2, "BUY", 10_010, 12))
    trades = [e for e in events if isinstance(e, Trade)]
    assert [(t.price_ticks, t.size_lots, t.taker_remaining_lots) for t in trades] == [(10_000, 5, 7), (10_010, 5, 2)]
    assert depth(engine) == ([(10_010, 2)], [])


def test_time_priority_within_a_level():
    engine = new_engine()
    first = run(engine, limit(1, "SELL", 10_000, 5))[0].order_id
    second = run(engine, limit(2, "SELL", 10_000, 5))[0].order_id
    trades = [e for e in run(engine, limit(3, "BUY", 10_000, 7)) if isinstance(e, Trade)]
    assert [(t.maker_order_id, t.size_lots, t.maker_remaining_lots) for t in trades] == [(first, 5, 0), (second, 2, 3)]


def test_ioc_remainder_expires():
    engine = new_engine()
    run(engine, limit(1, "SELL", 10_000, 5))
    events = run(engine, limit(2, "BUY", 10_000, 8, IOC))
    assert kinds(events) == ["OrderAccepted", "Trade", "OrderCanceled"]
    assert events[-1].reason is CancelReason.IOC_REMAINDER and events[-1].remaining_lots == 3
    assert depth(engine) == ([], [])


def test_fok_fills_completely_or_changes_nothing():
    engine = new_engine()
    run(engine, limit(1, "SELL", 10_000, 5))
    run(engine, limit(1, "SELL", 10_001, 5))
    killed = run(engine, limit(2, "BUY", 10_001, 11, FOK))
    assert kinds(killed) == ["OrderAccepted", "OrderCanceled"]
    assert killed[-1].reason is CancelReason.FOK_NOT_FILLED
    assert depth(engine) == ([], [(10_000, 5), (10_001, 5)])
    filled = run(engine, limit(2, "BUY", 10_001, 10, FOK))
    assert kinds(filled) == ["OrderAccepted", "Trade", "Trade"]
    assert depth(engine) == ([], [])


def test_fok_that_crosses_nothing_is_killed():
    engine = new_engine()
    events = run(engine, limit(2, "BUY", 10_001, 10, FOK))
    assert kinds(events) == ["OrderAccepted", "OrderCanceled"]


def test_post_only_rests_or_expires_but_never_takes():
    engine = new_engine()
    run(engine, limit(1, "SELL", 10_000, 5))
    events = run(engine, limit(2, "BUY", 10_000, 5, GTX))
    assert kinds(events) == ["OrderAccepted", "OrderCanceled"]
    assert events[-1].reason is CancelReason.POST_ONLY_WOULD_TAKE
    assert kinds(run(engine, limit(2, "BUY", 9_999, 5, GTX))) == ["OrderAccepted", "OrderRested"]
    assert depth(engine) == ([(9_999, 5)], [(10_000, 5)])


def test_gtd_order_expires_on_the_engine_clock():
    engine = new_engine()
    order_id = run(engine, limit(1, "BUY", 9_990, 5, GTD, ts_ms=1_000, expire_at_ms=5_000))[0].order_id
    assert run(engine, AdvanceClock(next_id(), 4_999)) == []
    events = run(engine, AdvanceClock(next_id(), 5_000))
    assert kinds(events) == ["OrderCanceled"]
    assert events[0].order_id == order_id and events[0].reason is CancelReason.EXPIRED
    assert depth(engine) == ([], [])


def test_gtd_expiry_happens_before_the_command_that_moves_the_clock():
    engine = new_engine()
    run(engine, limit(1, "SELL", 10_000, 5, GTD, ts_ms=0, expire_at_ms=100))
    events = run(engine, limit(2, "BUY", 10_000, 5, ts_ms=100))
    # nothing to trade with: it had expired
    assert kinds(events) == ["OrderCanceled", "OrderAccepted", "OrderRested"]


def test_gtd_in_the_past_and_expiry_without_gtd_are_rejected():
    engine = new_engine()
    run(engine, AdvanceClock(next_id(), 1_000))
    assert run(engine, limit(1, "BUY", 9_990, 5, GTD, expire_at_ms=1_000))[0].reason is RejectReason.EXPIRY_IN_PAST
    assert run(engine, limit(1, "BUY", 9_990, 5, GTC, expire_at_ms=9_000))[0].reason is (
        RejectReason.INVALID_TIME_IN_FORCE
    )


def test_clock_never_goes_backwards():
    engine = new_engine()
    run(engine, AdvanceClock(next_id(), 1_000))
    events = run(engine, limit(1, "BUY", 9_990, 5, ts_ms=10))
    assert events[0].ts_ms == 1_000 and engine.clock_ms == 1_000


def test_market_order_sweeps_within_the_protection_band_and_the_rest_expires():
    engine = new_engine()  # band 5%
    run(engine, PriceUpdate(next_id(), 0, SYMBOL, 10_000, 10_000))
    run(engine, limit(1, "SELL", 10_000, 5))
    run(engine, limit(1, "SELL", 10_500, 5))  # exactly +5%: inside
    run(engine, limit(1, "SELL", 10_501, 5))  # beyond the band
    events = run(engine, market_order(2, "BUY", 20))
    assert [(e.price_ticks, e.size_lots) for e in events if isinstance(e, Trade)] == [(10_000, 5), (10_500, 5)]
    assert events[-1].reason is CancelReason.PROTECTION_BAND and events[-1].remaining_lots == 10
    assert depth(engine) == ([], [(10_501, 5)])


def test_market_order_into_an_empty_side_expires_for_lack_of_liquidity():
    engine = new_engine()
    events = run(engine, market_order(2, "SELL", 5))
    assert kinds(events) == ["OrderAccepted", "OrderCanceled"]
    assert events[-1].reason is CancelReason.NO_LIQUIDITY


def test_market_order_band_without_a_mark_is_centred_on_the_last_trade():
    engine = new_engine()
    run(engine, limit(1, "BUY", 10_000, 1_000))
    run(engine, limit(2, "SELL", 10_000, 1))  # last trade 10_000
    run(engine, limit(1, "BUY", 9_400, 5))  # 6% below: outside the band
    events = run(engine, market_order(3, "SELL", 1_010))
    assert sum(e.size_lots for e in events if isinstance(e, Trade)) == 999
    assert events[-1].reason is CancelReason.PROTECTION_BAND


def test_reduce_only_is_cut_to_the_position_and_refused_when_it_would_increase():
    engine = new_engine()
    assert run(engine, limit(1, "SELL", 10_000, 5, reduce_only=True))[0].reason is (
        RejectReason.REDUCE_ONLY_WOULD_INCREASE
    )
    run(engine, limit(2, "SELL", 10_000, 8))
    run(engine, limit(1, "BUY", 10_000, 8))  # account 1 long 8
    assert run(engine, limit(1, "BUY", 9_000, 5, reduce_only=True))[0].reason is (
        RejectReason.REDUCE_ONLY_WOULD_INCREASE
    )
    accepted = run(engine, limit(1, "SELL", 10_100, 20, reduce_only=True))[0]
    assert isinstance(accepted, OrderAccepted) and accepted.size_lots == 8
    assert depth(engine) == ([], [(10_100, 8)])


def test_resting_reduce_only_shrinks_then_cancels_as_the_position_shrinks():
    engine = new_engine()
    run(engine, limit(2, "SELL", 10_000, 10))
    run(engine, limit(1, "BUY", 10_000, 10))  # account 1 long 10
    run(engine, limit(1, "SELL", 10_200, 10, reduce_only=True))
    run(engine, limit(3, "BUY", 9_900, 4))
    events = run(engine, limit(1, "SELL", 9_900, 4))  # a plain sell: long 6 now
    amended = [e for e in events if isinstance(e, OrderAmended)]
    assert [(e.remaining_lots, e.priority_kept) for e in amended] == [(6, True)]
    run(engine, limit(3, "BUY", 9_900, 6))
    events = run(engine, limit(1, "SELL", 9_900, 6))  # flat: nothing left to reduce
    canceled = [e for e in events if isinstance(e, OrderCanceled)]
    assert [e.reason for e in canceled] == [CancelReason.REDUCE_ONLY]
    assert depth(engine) == ([], [])


def test_client_order_id_repeat_is_refused_naming_the_original_order_and_changes_nothing():
    engine = new_engine()
    original = run(engine, limit(1, "BUY", 9_990, 5, client_order_id="abc-1"))[0]
    events = run(engine, limit(1, "BUY", 9_000, 7, client_order_id="abc-1"))
    assert isinstance(events[0], Rejected)
    assert events[0].reason is RejectReason.DUPLICATE_CLIENT_ORDER_ID and events[0].order_id == original.order_id
    run(engine, cancel(1, original.order_id))
    # still reserved after the order closed, within the window
    assert run(engine, limit(1, "BUY", 9_990, 5, client_order_id="abc-1"))[0].reason is (
        RejectReason.DUPLICATE_CLIENT_ORDER_ID
    )
    # other accounts have their own namespace
    assert isinstance(run(engine, limit(2, "BUY", 9_990, 5, client_order_id="abc-1"))[0], OrderAccepted)


def test_closed_client_order_ids_are_released_after_the_window_but_open_ones_never():
    engine = new_engine(client_id_window=2)
    kept_open = run(engine, limit(1, "BUY", 9_000, 5, client_order_id="open"))[0].order_id
    closed = run(engine, limit(1, "BUY", 9_001, 5, client_order_id="closed"))[0].order_id
    run(engine, cancel(1, closed))
    for n in range(3):
        run(engine, limit(1, "BUY", 8_000 + n, 5, client_order_id=f"filler-{n}"))
    assert isinstance(run(engine, limit(1, "BUY", 9_001, 5, client_order_id="closed"))[0], OrderAccepted)
    assert run(engine, limit(1, "BUY", 9_000, 5, client_order_id="open"))[0].order_id == kept_open


def test_same_command_id_is_applied_once():
    engine = new_engine()
    command = limit(1, "BUY", 9_990, 5)
    first = run(engine, command)
    before = engine.state_hash()
    assert engine.apply(command) == []
    assert engine.state_hash() == before
    assert engine.result_range(command.command_id) == (first[0].seq, 2)


def test_a_command_id_is_remembered_for_at_least_the_window_then_forgotten():
    """Ids are kept in generations of `command_window`: one is still known after that many later
    commands, and forgotten after twice as many."""
    engine = new_engine(command_window=3)
    command = limit(1, "BUY", 9_990, 5)
    run(engine, command)
    for n in range(3):
        run(engine, limit(1, "BUY", 9_000 + n, 5))
        assert engine.apply(command) == []
    for n in range(3):
        run(engine, limit(1, "BUY", 8_000 + n, 5))
    assert engine.result_range(command.command_id) is None
    assert kinds(engine.apply(command)) == ["OrderAccepted", "OrderRested"]  # applied anew: a new order
    engine.check_invariants()


def test_self_trade_prevention_expire_taker():
    engine = new_engine()
    run(engine, limit(1, "SELL", 10_000, 5))
    events = run(engine, limit(1, "BUY", 10_000, 5))
    assert kinds(events) == ["OrderAccepted", "OrderCanceled"]
    assert events[-1].reason is CancelReason.SELF_TRADE
    assert depth(engine) == ([], [(10_000, 5)])


def test_self_trade_prevention_expire_maker_trades_through_to_the_next_maker():
    engine = new_engine()
    own = run(engine, limit(1, "SELL", 10_000, 5))[0].order_id
    run(engine, limit(2, "SELL", 10_000, 5))
    events = run(engine, limit(1, "BUY", 10_000, 5, self_trade_prevention=SelfTradePrevention.EXPIRE_MAKER))
    assert kinds(events) == ["OrderAccepted", "OrderCanceled", "Trade"]
    assert events[1].order_id == own and events[1].reason is CancelReason.SELF_TRADE
    assert depth(engine) == ([], [])


def test_self_trade_prevention_expire_both():
    engine = new_engine()
    run(engine, limit(2, "SELL", 10_000, 3))
    run(engine, limit(1, "SELL", 10_000, 5))
    run(engine, limit(2, "SELL", 10_000, 5))
    events = run(engine, limit(1, "BUY", 10_000, 20, self_trade_prevention=SelfTradePrevention.EXPIRE_BOTH))
    assert kinds(events) == ["OrderAccepted", "Trade", "OrderCanceled", "OrderCanceled"]
    assert depth(engine) == ([], [(10_000, 5)])


def test_self_trade_prevention_none_lets_an_account_trade_with_itself():
    engine = new_engine()
    run(engine, limit(1, "SELL", 10_000, 5))
    events = run(engine, limit(1, "BUY", 10_000, 5, self_trade_prevention=SelfTradePrevention.NONE))
    assert kinds(events) == ["OrderAccepted", "Trade"]
