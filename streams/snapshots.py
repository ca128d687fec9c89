"""Engine snapshots kept in Redis beside the stream they cover, so Redis alone rebuilds the exchange.

Two are kept: the newest, and the one before it as a fallback. Saving one moves the newest to
`previous` and trims the command stream to the previous snapshot's id, atomically (one script):
the stream is never trimmed past what recovery from either snapshot needs.
"""

import time
from dataclasses import dataclass
from typing import cast

import redis
import redis.asyncio as aioredis

from streams.keys import ShardKeys
from streams.stream_ids import StreamId, parse_id


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
        self._save = client.register_script(_SAVE_SCRIPT)

    def load(self, previous: bool = False) -> Snapshot | None:
        raw = self.client.hgetall(self.keys.previous_snapshot if previous else self.keys.snapshot)
        return snapshot_from_hash(cast(dict[bytes, bytes], raw))

    def save(self, snapshot: Snapshot) -> bool:
        """Store `snapshot` as the newest, unless the newest already covers as much or more (a
        snapshot finished late, e.g. by the child of an engine killed since, must not go back in
        time: the stream may already be trimmed for the newer one). True if stored."""
        stored = self._save(
            keys=[self.keys.snapshot, self.keys.previous_snapshot, self.keys.commands],
            args=[
                snapshot.data,
                snapshot.covers[0],
                snapshot.covers[1],
                snapshot.next_seq,
                snapshot.state_hash,
                snapshot.taken_ms,
                1 if self.trim_commands else 0,
            ],
        )
        return bool(stored)


def snapshot_from_hash(raw: dict[bytes, bytes]) -> Snapshot | None:
    """A snapshot as its hash holds it (HGETALL); None for an empty hash (no snapshot yet)."""
    if not raw:
        return None
    return Snapshot(
        raw[b"data"],
        parse_id(raw[b"covers"]),
        int(raw[b"next_seq"]),
        raw[b"state_hash"].decode(),
        int(raw[b"taken_ms"]),
    )


async def load_snapshot_async(client: aioredis.Redis, keys: ShardKeys, previous: bool = False) -> Snapshot | None:
    """SnapshotStore.load for an asyncio reader."""
    raw = await client.hgetall(keys.previous_snapshot if previous else keys.snapshot)
    return snapshot_from_hash(cast(dict[bytes, bytes], raw))


# One script, so that the check, the move to `previous`, the trim and the write are atomic.
_SAVE_SCRIPT = """
local covers = redis.call('HGET', KEYS[1], 'covers')
if covers then
  local ms, seq = string.match(covers, '^(%d+)-(%d+)$')
  ms, seq = tonumber(ms), tonumber(seq)
  local new_ms, new_seq = tonumber(ARGV[2]), tonumber(ARGV[3])
  if ms > new_ms or (ms == new_ms and seq >= new_seq) then
    return 0
  end
  redis.call('COPY', KEYS[1], KEYS[2], 'REPLACE')
  if ARGV[7] == '1' then
    redis.call('XTRIM', KEYS[3], 'MINID', covers)
  end
end
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'covers', ARGV[2] .. '-' .. ARGV[3], 'next_seq', ARGV[4],
  'state_hash', ARGV[5], 'taken_ms', ARGV[6])
return 1
"""


def wall_clock_ms() -> int:
    """The one wall-clock read of snapshotting; it never reaches the engine."""
    return time.time_ns() // 1_000_000
