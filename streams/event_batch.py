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

from dataclasses import dataclass, field

import msgspec

from messages.codec import decode_events
from messages.events import Event
from streams.stream_ids import StreamId


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


def parse_entry(entry_id: StreamId, fields: dict[bytes, bytes]) -> EventBatch:
    events_raw = fields.get(b"e")
    replies_raw = fields.get(b"r")
    return EventBatch(
        entry_id,
        fields[b"c"],
        decode_events(events_raw) if events_raw else [],
        _replies_decoder.decode(replies_raw) if replies_raw else [],
    )
