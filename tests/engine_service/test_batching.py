"""A batch of raw entries: the clock is the entry id, bad entries are dead letters, silent commands get replies."""

from engine_service.batching import apply_entries
from matching.engine import Engine
from matching.markets import load_markets
from messages.codec import command_decoder, encode
from messages.commands import AdvanceClock, PlaceOrder
from messages.enums import Side
from streams.event_batch import Reply


def test_clock_replies_and_dead_letters():
    engine = Engine(load_markets())
    place = PlaceOrder("p1", 999_999_999, 7, "AAPLUSDC", Side.BUY, 1000, 20000)
    entries = [
        (b"1000-0", [b"c", encode(place)]),
        (b"1000-1", [b"c", b"\xc1"]),  # not msgpack
        (b"1001-0", [b"trace", b"t", b"c", encode(AdvanceClock("tick", 0))]),
        (b"1002-0", [b"c", encode(place)]),  # the same command id again
        (b"1003-0", [b"x", b"y"]),  # no command at all
    ]
    batch = apply_entries(engine, entries, command_decoder())
    assert batch.covers == b"1003-0"
    assert batch.commands == 3
    assert [e.ts_ms for e in batch.events] == [1000, 1000]  # the producer's ts_ms is not the clock
    assert engine.clock_ms == 1001
    assert batch.replies == [Reply("tick", 3, 0), Reply("p1", 1, 2)]
    assert [(d.entry_id, d.fields) for d in batch.dead_letters] == [
        (b"1000-1", {b"c": b"\xc1"}),
        (b"1003-0", {b"x": b"y"}),
    ]
    assert "no field 'c' or 'b'" in batch.dead_letters[1].reason


def test_a_packed_entry_applies_its_commands_in_order_at_one_time():
    engine = Engine(load_markets())
    sell = PlaceOrder("s", 0, 7, "AAPLUSDC", Side.SELL, 1000, 20000)
    buy = PlaceOrder("b", 0, 8, "AAPLUSDC", Side.BUY, 1000, 20000)
    entries = [
        (b"5-0", [b"b", encode([sell, buy])]),
        (b"6-0", [b"b", encode([sell, b"not a command"])]),  # one bad command: the whole entry is dead
    ]
    batch = apply_entries(engine, entries, command_decoder())
    assert batch.commands == 2
    assert [(e.command_id, type(e).__name__, e.ts_ms) for e in batch.events] == [
        ("s", "OrderAccepted", 5),
        ("s", "OrderRested", 5),
        ("b", "OrderAccepted", 5),
        ("b", "Trade", 5),
    ]
    assert [d.entry_id for d in batch.dead_letters] == [b"6-0"]
