"""Trimming the event stream, never past what someone still needs.

An event entry is kept while any of these may still read it:
- the history indexer: everything after the seq it has durably written (`keys.indexer_position`);
  with no position published, nothing is trimmed;
- a reader starting from an engine snapshot (the views' follower, funding, the oracle): everything
  from the older snapshot's `next_seq` on; with no snapshot, nothing is trimmed (a reader would
  have to start from the first event);
- late readers (the API's, a reconnecting client): the newest `keep_entries` entries, and those
  written in the last `keep_s` seconds (known from what this trimmer saw: after its start it keeps
  everything until `keep_s` have passed);
- the engine itself, whose recovery reads the newest entry: it is always kept.
Each bound only moves forward, so reading them one after another (not atomically) can only keep
more than needed. Entry ids are `<last seq>-<n>`, so "seq S on" is `XTRIM MINID S-0`. The trim is
approximate (`~`: whole radix-tree nodes), which again only keeps more.

The command stream is trimmed elsewhere: by each snapshot saved, to the previous snapshot
(streams.snapshots).
"""

import time
from collections import deque
from dataclasses import dataclass

import redis

from streams.keys import ShardKeys
from streams.stream_ids import StreamId, format_id, parse_id


@dataclass(frozen=True)
class RetentionSettings:
    keep_entries: int = 1_000  # the newest entries always kept (at least 1: the engine reads the last)
    keep_s: float = 600.0  # and the entries of the last this many seconds


@dataclass(frozen=True)
class TrimResult:
    floor: StreamId | None  # entries below this id may go; None: nothing may
    bound_by: str  # which reader held the floor back: indexer, snapshot, entries, age, or none
    removed: int


class EventRetention:
    def __init__(self, client: redis.Redis, keys: ShardKeys, settings: RetentionSettings | None = None) -> None:
        self.client = client
        self.keys = keys
        self.settings = settings or RetentionSettings()
        self.seen: deque[tuple[float, StreamId]] = deque()  # (monotonic time, the newest entry id then)
        self._edges = client.register_script(_EDGES_SCRIPT)

    def floor(self, now_s: float | None = None) -> tuple[StreamId | None, str]:
        """The lowest entry id someone may still need, and who."""
        now_s = time.monotonic() if now_s is None else now_s
        edges = self._edges(keys=[self.keys.events], args=[max(1, self.settings.keep_entries)])
        if not edges:
            return None, "none"
        newest_id, kept_id = parse_id(edges[0]), parse_id(edges[1])
        if self.settings.keep_s > 0:
            self.seen.append((now_s, newest_id))
        indexer = self.client.get(self.keys.indexer_position)
        snapshot_seqs = [self.client.hget(key, "next_seq") for key in (self.keys.previous_snapshot, self.keys.snapshot)]
        if indexer is None:
            return None, "indexer"
        if not any(snapshot_seqs):
            return None, "snapshot"
        bounds: list[tuple[StreamId, str]] = [
            ((int(indexer) + 1, 0), "indexer"),
            ((min(int(s) for s in snapshot_seqs if s), 0), "snapshot"),
            (kept_id, "entries"),
        ]
        if self.settings.keep_s > 0:
            while len(self.seen) > 1 and self.seen[1][0] <= now_s - self.settings.keep_s:
                self.seen.popleft()  # the newest sample old enough stays first
            oldest_time, oldest_newest_id = self.seen[0]
            if oldest_time > now_s - self.settings.keep_s:
                return None, "age"  # not watched for keep_s yet: everything may be that recent
            bounds.append((oldest_newest_id, "age"))
        return min(bounds)

    def trim(self, now_s: float | None = None) -> TrimResult:
        floor, bound_by = self.floor(now_s)
        if floor is None:
            return TrimResult(None, bound_by, 0)
        removed = self.client.xtrim(self.keys.events, minid=format_id(floor), approximate=True)
        return TrimResult(floor, bound_by, int(removed))


# The newest entry's id and the id of the keep_entries-th newest, without sending the entries over.
_EDGES_SCRIPT = """
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', ARGV[1])
if #newest == 0 then return {} end
return {newest[1][1], newest[#newest][1]}
"""
