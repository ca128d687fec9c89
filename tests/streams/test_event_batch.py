"""Event entry ids rise with seq, and an entry carries events, replies and what it covers."""

from messages.codec import encode
from messages.enums import Side
from messages.events import Trade
from streams.event_batch import (
    Reply,
    SkippedCollector,
    entry_fields,
    next_entry_id,
    parse_entry,
    read_entry,
    skipped_by_reader,
)


def test_entry_ids_follow_the_last_seq_and_count_entries_without_events():
    assert next_entry_id((0, 0), 0) == (0, 1)  # nothing written yet and no event: 0-0 is not a valid id
    assert next_entry_id((0, 1), 3) == (3, 0)
    assert next_entry_id((3, 0), 3) == (3, 1)
    assert next_entry_id((3, 1), 3) == (3, 2)
    assert next_entry_id((3, 2), 4) == (4, 0)


def test_an_entry_round_trips():
    trade = Trade(4, "c", 9, "AAPLUSDC", 1, 100, 3, Side.BUY, 2, 7, 0, 1, 8, 0)
    fields = entry_fields(encode([trade]), [Reply("dup", 1, 2)], b"17-3")
    batch = parse_entry((4, 0), {k.encode(): v for k, v in fields.items()})
    assert batch.events == [trade]
    assert batch.replies == [Reply("dup", 1, 2)]
    assert batch.covers == b"17-3"


def test_an_entry_may_hold_nothing_but_what_it_covers():
    batch = parse_entry((4, 1), {b"c": b"18-0"})
    assert (batch.events, batch.replies, batch.covers) == ([], [], b"18-0")


def test_a_reader_skips_what_it_cannot_decode_and_says_so(caplog):
    before = skipped_by_reader.get("test reader", 0)
    assert read_entry((5, 0), {b"c": b"1-0", b"e": b"\xff\xfe"}, "test reader") is None
    assert read_entry((6, 0), {b"e": encode([])}, "test reader") is None  # no `c`: not an engine entry
    assert read_entry((7, 0), {b"c": b"1-0"}, "test reader") is not None
    assert skipped_by_reader["test reader"] == before + 2
    assert "test reader skipped event entry 5-0" in caplog.text
    samples = {s.labels["reader"]: s.value for m in SkippedCollector().collect() for s in m.samples}
    assert samples["test reader"] == before + 2
