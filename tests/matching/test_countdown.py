"""CountdownCancelAll, the dead-man switch: cancels on the engine's clock, heartbeats push it on,
0 stops it, and it survives a snapshot."""

from matching.engine import Engine
from messages.commands import AdvanceClock, CountdownCancelAll
from messages.events import CountdownSet, OrderCanceled, Rejected
from tests.matching.helpers import SYMBOL, kinds, limit, new_engine, next_id, run, spec

OTHER = "OTHERUSDC"


def countdown(account: int, countdown_ms: int, ts_ms: int, market: str = SYMBOL) -> CountdownCancelAll:
    return CountdownCancelAll(next_id(), ts_ms, account, market, countdown_ms)


def tick(ts_ms: int) -> AdvanceClock:
    return AdvanceClock(next_id(), ts_ms)


def resting_ids(engine: Engine, account: int) -> list[int]:
    return sorted(o.order_id for o in engine.orders_of(account))


def test_orders_are_cancelled_when_the_clock_passes_the_deadline():
    engine = new_engine(spec(), spec(OTHER))
    run(engine, limit(1, "BUY", 9_900, 5, ts_ms=1_000))
    run(engine, limit(1, "BUY", 9_800, 5, ts_ms=1_000, market=OTHER))
    run(engine, limit(2, "BUY", 9_900, 5, ts_ms=1_000))
    armed = run(engine, countdown(1, 10_000, 1_000))
    assert armed == [CountdownSet(armed[0].seq, armed[0].command_id, 1_000, 1, SYMBOL, 10_000, 11_000)]
    assert run(engine, tick(10_999)) == []
    fired = run(engine, tick(11_000))
    assert kinds(fired) == ["OrderCanceled"] and fired[0].account_id == 1 and fired[0].market == SYMBOL
    assert fired[0].reason == "CANCEL_ALL"
    assert len(resting_ids(engine, 1)) == 1  # the other market's order stays
    assert len(resting_ids(engine, 2)) == 1  # and another account's
    assert engine.countdowns == {}
    assert run(engine, tick(30_000)) == []  # fired once


def test_a_heartbeat_pushes_the_deadline_on_and_zero_stops_it():
    engine = new_engine()
    run(engine, limit(1, "BUY", 9_900, 5, ts_ms=0))
    run(engine, countdown(1, 5_000, 0))
    run(engine, countdown(1, 5_000, 4_000))  # deadline now 9,000
    assert run(engine, tick(8_000)) == []
    run(engine, countdown(1, 0, 8_500))
    assert run(engine, tick(60_000)) == [] and resting_ids(engine, 1)


def test_the_firing_happens_before_the_command_that_moves_the_clock():
    engine = new_engine()
    run(engine, limit(1, "BUY", 9_900, 5, ts_ms=0))
    run(engine, countdown(1, 1_000, 0))
    events = run(engine, limit(1, "BUY", 9_800, 5, ts_ms=2_000))
    assert kinds(events)[:2] == ["OrderCanceled", "OrderAccepted"]
    assert isinstance(events[0], OrderCanceled) and len(resting_ids(engine, 1)) == 1  # the new order rests


def test_bad_countdowns_are_rejected():
    engine = new_engine()
    for command, reason in (
        (countdown(1, 1_000, 0, "NOPEUSDC"), "UNKNOWN_MARKET"),
        (countdown(1, -1, 0), "EXPIRY_IN_PAST"),
    ):
        events = run(engine, command)
        assert isinstance(events[0], Rejected) and events[0].reason == reason
    assert engine.countdowns == {}


def test_countdowns_survive_a_snapshot():
    engine = new_engine()
    run(engine, limit(1, "BUY", 9_900, 5, ts_ms=0))
    run(engine, countdown(1, 1_000, 0))
    restored = Engine.restore(engine.snapshot())
    assert restored.state_hash() == engine.state_hash()
    same_tick = tick(1_000)
    fired = run(restored, same_tick)
    assert kinds(fired) == ["OrderCanceled"] and fired == run(engine, same_tick)
    assert restored.state_hash() == engine.state_hash() and restored.countdowns == {}
