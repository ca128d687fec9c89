"""Applying one batch of command stream entries to the engine: pure, so replay gives the same result.

Each entry holds one msgpack command in field `c`. The engine's clock for a command is the
millisecond part of its entry id, not the producer's `ts_ms`: Redis assigns ids in arrival order
and never backwards, so every producer shares one clock that nobody can set ahead or back, and a
replay of the same entries sees the same times.
"""

from dataclasses import dataclass, field

import msgspec

from matching.engine import Engine
from streams.codec import DecodeError
from streams.event_batch import Reply
from streams.events import Event
from streams.raw_reader import RawEntry, field_value, fields_dict
from streams.stream_ids import id_ms

_replace = msgspec.structs.replace


@dataclass
class DeadLetter:
    entry_id: bytes
    fields: dict[bytes, bytes]
    reason: str


@dataclass
class AppliedBatch:
    covers: bytes  # id of the last entry handled
    commands: int = 0
    events: list[Event] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)


def apply_entries(engine: Engine, entries: list[RawEntry], decoder: msgspec.msgpack.Decoder) -> AppliedBatch:
    """Apply entries in order. Undecodable ones become dead letters and change nothing; commands
    that produce no event get a Reply pointing at their original events (or at none)."""
    batch = AppliedBatch(entries[-1][0])
    out = batch.events
    apply = engine.apply
    decode = decoder.decode
    for entry_id, fields in entries:
        raw = fields[1] if fields[0] == b"c" else field_value(fields, b"c")
        if raw is None:
            batch.dead_letters.append(DeadLetter(entry_id, fields_dict(fields), "no command field 'c'"))
            continue
        try:
            command = decode(raw)
        except DecodeError as exc:
            batch.dead_letters.append(DeadLetter(entry_id, fields_dict(fields), f"{type(exc).__name__}: {exc}"))
            continue
        events = apply(_replace(command, ts_ms=id_ms(entry_id)))
        if events:
            out.extend(events)
        elif command.command_id:
            first_seq, count = engine.result_range(command.command_id) or (engine.next_seq, 0)
            batch.replies.append(Reply(command.command_id, first_seq, count))
    batch.commands = len(entries) - len(batch.dead_letters)
    return batch
