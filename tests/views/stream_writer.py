"""Writes an engine's events to a real Redis event stream as the engine service does: one entry per
batch of commands, its id the seq of its last event; and snapshots beside it. For follower tests."""

import redis

from matching.engine import Engine
from messages.codec import encode
from messages.commands import Command
from messages.events import Event
from streams.event_batch import entry_fields, next_entry_id
from streams.keys import ShardKeys
from streams.snapshots import Snapshot, SnapshotStore
from streams.stream_ids import StreamId, format_id


class StreamWriter:
    def __init__(self, client: redis.Redis, keys: ShardKeys, engine: Engine) -> None:
        self.client = client
        self.keys = keys
        self.engine = engine
        self.entry_id: StreamId = (0, 0)
        self.commands_applied = 0

    def apply(self, commands: list[Command]) -> list[Event]:
        """Apply `commands` to the engine and append their events as one entry."""
        events: list[Event] = []
        for command in commands:
            events += self.engine.apply(command)
        self.commands_applied += len(commands)
        self.write(events)
        return events

    def write(self, events: list[Event]) -> None:
        last_seq = events[-1].seq if events else self.entry_id[0]
        self.entry_id = next_entry_id(self.entry_id, last_seq)
        covers = f"{self.commands_applied}-0".encode()
        fields = entry_fields(encode(events) if events else None, [], covers)
        self.client.xadd(self.keys.events, fields, id=format_id(self.entry_id))

    def snapshot(self) -> None:
        """Save the engine's state as the newest snapshot (covering the commands applied so far)."""
        engine = self.engine
        store = SnapshotStore(self.client, self.keys, trim_commands=False)
        store.save(Snapshot(engine.snapshot(), (self.commands_applied, 1), engine.next_seq, engine.state_hash(), 0))
