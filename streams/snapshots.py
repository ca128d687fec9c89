"""Engine snapshots kept in Redis beside the stream they cover, so Redis alone rebuilds the exchange.

Two are kept: the newest, and the one before it as a fallback. Saving one moves the newest to
`previous` and trims the command stream to the previous snapshot's id, in one MULTI: the stream is
never trimmed past what recovery from either snapshot needs.
"""

import time
from dataclasses import dataclass

import redis

from streams.keys import ShardKeys
from streams.stream_ids import StreamId, format_id, parse_id


@dataclass(frozen=True)
class Snapshot:
    data: bytes
    covers: StreamId  # the last command entry applied
    next_seq: int
    state_hash: str
    taken_ms: int  # wall clock, for the operator's snapshot age only


class SnapshotStore:
    def __init__(self, client: redis.Redis, keys: ShardKeys, trim_commands: bool = True) -> None:
        self.client = client
        self.keys = keys
        self.trim_commands = trim_commands

    def load(self, previous: bool = False) -> Snapshot | None:
        raw = self.client.hgetall(self.keys.previous_snapshot if previous else self.keys.snapshot)
        if not raw:
            return None
        return Snapshot(
            raw[b"data"],
            parse_id(raw[b"covers"]),
            int(raw[b"next_seq"]),
            raw[b"state_hash"].decode(),
            int(raw[b"taken_ms"]),
        )

    def save(self, snapshot: Snapshot) -> None:
        older = self.client.hget(self.keys.snapshot, "covers")
        pipe = self.client.pipeline(transaction=True)
        if older is not None:
            pipe.copy(self.keys.snapshot, self.keys.previous_snapshot, replace=True)
        pipe.hset(
            self.keys.snapshot,
            mapping={
                "data": snapshot.data,
                "covers": format_id(snapshot.covers),
                "next_seq": snapshot.next_seq,
                "state_hash": snapshot.state_hash,
                "taken_ms": snapshot.taken_ms,
            },
        )
        if self.trim_commands and older is not None:
            pipe.xtrim(self.keys.commands, minid=older.decode(), approximate=False)
        pipe.execute()


def wall_clock_ms() -> int:
    """The one wall-clock read of snapshotting; it never reaches the engine."""
    return time.time_ns() // 1_000_000
