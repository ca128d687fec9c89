"""Event stream entries decoded for a reader that must go on whatever it meets.

An entry's events are one msgpack list, and one event of a type this code does not know (a newer
engine) would make the whole list undecodable. Then each event is decoded on its own, and one that
still fails becomes an `UndecodableEvent` holding its seq (events are msgpack arrays
`[tag, seq, ...]`), so the reader counts it, skips it and keeps its place in the seq order.
"""

from dataclasses import dataclass
from typing import Any, Union

import msgspec

from messages.codec import DecodeError, concrete_subclasses
from messages.events import Event
from streams.event_batch import parse_entry
from streams.stream_ids import StreamId


@dataclass(frozen=True)
class UndecodableEvent:
    seq: int
    tag: str
    problem: str


_raw_list = msgspec.msgpack.Decoder(list[msgspec.Raw])
_generic = msgspec.msgpack.Decoder()


def _one_event_decoder() -> msgspec.msgpack.Decoder[Any]:
    union: Any = Union[concrete_subclasses(Event)]  # noqa: UP007 - a runtime-built union
    return msgspec.msgpack.Decoder(union)


def entry_events(entry_id: StreamId, fields: dict[bytes, bytes]) -> list[Event | UndecodableEvent]:
    """The entry's events in seq order, those that cannot be decoded as UndecodableEvent."""
    try:
        return list(parse_entry(entry_id, fields).events)
    except DecodeError:
        pass
    raw = fields.get(b"e")
    if not raw:
        return []
    one = _one_event_decoder()
    events: list[Event | UndecodableEvent] = []
    for item in _raw_list.decode(raw):
        try:
            events.append(one.decode(item))
        except DecodeError as exc:
            generic = _generic.decode(item)
            if not isinstance(generic, list) or len(generic) < 2 or not isinstance(generic[1], int):
                raise  # not an event at all: the entry is corrupt, which the reader cannot step over
            events.append(UndecodableEvent(generic[1], str(generic[0]), str(exc)))
    return events
