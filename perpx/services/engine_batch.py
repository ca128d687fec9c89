"""Applying one batch of command stream entries to the engine: pure, so replay gives the same result.

Each entry holds one msgpack command in field `c`, or a msgpack list of commands in field `b` (a
producer's batch, applied in order, all at the entry's time; undecodable, the whole entry is a dead
letter). The engine's clock for a command is the
millisecond part of its entry id, not the producer's `ts_ms`: Redis assigns ids in arrival order
and never backwards, so every producer shares one clock that nobody can set ahead or back, and a
replay of the same entries sees the same times.
"""

from dataclasses import dataclass, field

import msgspec

from matching.engine import Engine
from streams.codec import DecodeError, commands_decoder
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
    replies = batch.replies
    apply = engine.apply
    decode = decoder.decode
    for entry_id, fields in entries:
        raw = fields[1] if fields[0] == b"c" else field_value(fields, b"c")
        try:
            if raw is not None:
                commands = [decode(raw)]
            else:
                packed = field_value(fields, b"b")
                if packed is None:
                    batch.dead_letters.append(DeadLetter(entry_id, fields_dict(fields), "no field 'c' or 'b'"))
                    continue
                commands = commands_decoder().decode(packed)
        except DecodeError as exc:
            batch.dead_letters.append(DeadLetter(entry_id, fields_dict(fields), f"{type(exc).__name__}: {exc}"))
            continue
        ts_ms = id_ms(entry_id)
        for command in commands:
            events = apply(_replace(command, ts_ms=ts_ms))
            batch.commands += 1
            if events:
                out.extend(events)
            elif command.command_id:
                first_seq, count = engine.result_range(command.command_id) or (engine.next_seq, 0)
                replies.append(Reply(command.command_id, first_seq, count))
    return batch
