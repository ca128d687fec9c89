"""Applying one batch of command stream entries to the engine: pure, so replay gives the same result.

Each entry holds one msgpack command in field `c`, or a msgpack list of commands in field `b` (a
producer's batch, applied in order, all at the entry's time). An entry that does not decode, for
whatever reason (not msgpack, bad UTF-8, wrong types or lengths, extra items, an unknown tag, an
empty batch, no command field), is a dead letter with the reason and changes nothing. An entry that
makes the engine raise is reported as EntryFailed: the engine may be half-changed, so the service
restores the state from before it and applies the batch again with that entry named in `poisoned`,
which turns it into a dead letter too (engine_service.service). The engine's clock for a command is the
millisecond part of its entry id, not the producer's `ts_ms`: Redis assigns ids in arrival order
and never backwards, so every producer shares one clock that nobody can set ahead or back, and a
replay of the same entries sees the same times.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import msgspec

from matching.engine import Engine
from messages.codec import command_decoder, commands_decoder
from messages.commands import Command
from messages.events import Event
from streams.event_batch import Reply
from streams.raw_reader import RawEntry, field_value, fields_dict

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
    encoded_events: bytes | None = None  # the events as written, once the service has encoded them


class EntryFailed(Exception):
    """Applying this entry raised: the engine's state may be half-changed and must be restored."""

    def __init__(self, entry_id: bytes, cause: BaseException) -> None:
        super().__init__(f"entry {entry_id.decode()}: {type(cause).__name__}: {cause}")
        self.entry_id = entry_id
        self.reason = f"engine failed: {type(cause).__name__}"


def apply_entries(
    engine: Engine,
    entries: list[RawEntry],
    decoder: msgspec.msgpack.Decoder[Command],
    poisoned: dict[bytes, str] | None = None,
) -> AppliedBatch:
    """Apply entries in order. Undecodable ones, and those named in `poisoned` (id -> reason),
    become dead letters and change nothing; commands that produce no event get a Reply pointing
    at their original events (or at none). Raises EntryFailed if the engine raises.

    The hot loop: one command per entry is the common case and is handled inline; the clock is
    parsed only when an entry's millisecond differs from the previous entry's."""
    batch = AppliedBatch(entries[-1][0])
    out = batch.events
    replies = batch.replies
    apply = engine.apply
    decode = decoder.decode
    result_range = engine.result_range
    last_ms_text = b""
    ts_ms = 0
    applied = 0
    for entry_id, fields in entries:
        ms_text = entry_id[: entry_id.index(b"-")]
        if ms_text != last_ms_text:
            last_ms_text, ts_ms = ms_text, int(ms_text)
        try:
            commands = (decode(fields[1]),) if fields[0] == b"c" else _other_layout(fields)
        except Exception as exc:  # whatever the decoder raises (UnicodeDecodeError included): the entry's fault
            batch.dead_letters.append(DeadLetter(entry_id, fields_dict(fields), f"{type(exc).__name__}: {exc}"))
            continue
        if not commands:
            reason = "no field 'c' or 'b'" if commands is None else "an empty batch of commands"
            batch.dead_letters.append(DeadLetter(entry_id, fields_dict(fields), reason))
            continue
        if poisoned and entry_id in poisoned:
            batch.dead_letters.append(DeadLetter(entry_id, fields_dict(fields), poisoned[entry_id]))
            continue
        try:
            for command in commands:
                events = apply(_replace(command, ts_ms=ts_ms))
                applied += 1
                if events:
                    out.extend(events)
                elif command.command_id:
                    first_seq, count = result_range(command.command_id) or (engine.next_seq, 0)
                    replies.append(Reply(command.command_id, first_seq, count))
        except Exception as exc:
            raise EntryFailed(entry_id, exc) from exc
    batch.commands = applied
    return batch


def _other_layout(fields: list[bytes]) -> Sequence[Command] | None:
    """`c` after other fields, or a packed `b`; None if neither is there."""
    raw = field_value(fields, b"c")
    if raw is not None:
        return (command_decoder().decode(raw),)
    packed = field_value(fields, b"b")
    return None if packed is None else commands_decoder().decode(packed)
