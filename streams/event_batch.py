"""One entry of the event stream: the output of one batch of command entries, written atomically.

Fields of an entry:
- `e`: msgpack list of the batch's events, in `seq` order (absent when there are none);
- `r`: msgpack list of `Reply`, for commands that produced no event (a repeated command id, or a
  command that changed nothing): where their original events are, so a waiting client gets an answer;
- `c`: the id of the last command entry the batch covers. On restart the engine replays silently up
  to it, so a crash between writing events and snapshotting never writes an event twice.

The entry id is `<last seq>-<n>`: the seq of the entry's last event, and a counter for entries
without events. Ids therefore rise with seq, and `XRANGE events <seq>-0 +` starts at the entry
holding `seq`.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import msgspec
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from messages.codec import decode_events
from messages.events import Event
from streams.stream_ids import StreamId, format_id

log = logging.getLogger("perpx.streams")


class Reply(msgspec.Struct, frozen=True, array_like=True):
    """Command `command_id` produced no new event; its events are seqs first_seq .. first_seq+count-1."""

    command_id: str
    first_seq: int
    count: int


_replies_decoder = msgspec.msgpack.Decoder(list[Reply])
_encoder = msgspec.msgpack.Encoder()


@dataclass
class EventBatch:
    entry_id: StreamId
    covers: bytes
    events: list[Event] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)


def next_entry_id(previous: StreamId, last_seq: int) -> StreamId:
    """The id of the next entry, given the previous entry's id and the seq of the last event so far."""
    if last_seq > previous[0]:
        return (last_seq, 0)
    return (previous[0], previous[1] + 1)


def entry_fields(encoded_events: bytes | None, replies: list[Reply], covers: bytes) -> dict[str, bytes]:
    fields = {"c": covers}
    if encoded_events is not None:
        fields["e"] = encoded_events
    if replies:
        fields["r"] = _encoder.encode(replies)
    return fields


def entry_replies(fields: dict[bytes, bytes]) -> list[Reply]:
    raw = fields.get(b"r")
    return _replies_decoder.decode(raw) if raw else []


def parse_entry(entry_id: StreamId, fields: dict[bytes, bytes]) -> EventBatch:
    events_raw = fields.get(b"e")
    replies_raw = fields.get(b"r")
    return EventBatch(
        entry_id,
        fields[b"c"],
        decode_events(events_raw) if events_raw else [],
        _replies_decoder.decode(replies_raw) if replies_raw else [],
    )


# what each reader of the event stream skipped (entries it could not decode, events it could not
# use), by reader name: a reader never stops on an event, but says so loudly (log and /metrics)
skipped_by_reader: dict[str, int] = {}


def skip_unusable(reader: str, what: str, exc: BaseException) -> None:
    """Log and count something a reader could not use and is going past."""
    skipped_by_reader[reader] = skipped_by_reader.get(reader, 0) + 1
    log.error("%s skipped %s: %s: %s", reader, what, type(exc).__name__, exc)


def read_entry(entry_id: StreamId, fields: dict[bytes, bytes], reader: str) -> EventBatch | None:
    """parse_entry for a reader that must go on: an entry it cannot decode (a newer event type, a
    damaged entry) is logged, counted and None."""
    try:
        return parse_entry(entry_id, fields)
    except Exception as exc:
        skip_unusable(reader, f"event entry {format_id(entry_id)}", exc)
        return None


class SkippedCollector(Collector):
    """perpx_events_skipped{reader}: for the /metrics of a process that reads the event stream."""

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "perpx_events_skipped", "Event entries or events a reader could not use and skipped", labels=["reader"]
        )
        for reader, count in sorted(skipped_by_reader.items()):
            family.add_metric([reader], count)
        yield family
