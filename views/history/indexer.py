"""The history indexer: tails the event stream into the history database, publishes how far it has
durably written, and trims the event stream behind it.

Loop: read the entries after the position stored in the database; write their events and the new
position in one transaction; then SET the position in Redis (so it is never ahead of what is on
disk); every `trim_every_s`, trim the event stream (streams.retention). Redis going away is waited
out; a gap between the position and the stream (trimmed past an indexer that was not there) stops
it with a clear error, unless told to record the gap and go on; so does a stream that ends before
the history (another exchange's history, or a Redis that lost its data).
"""

import logging
import threading
import time
from dataclasses import dataclass, field

import redis

from streams.keys import ShardKeys
from streams.retention import EventRetention, RetentionSettings
from streams.stream_ids import parse_id
from views.entries import entry_events
from views.history.metrics import IndexerMetrics
from views.history.store import HistoryAhead, HistoryGap, HistoryStore

log = logging.getLogger("perpx.indexer")


@dataclass(frozen=True)
class IndexerSettings:
    read_count: int = 1_000  # event entries per read (one transaction)
    block_ms: int = 500  # how long a read waits (also how soon a stop is seen)
    trim_every_s: float = 5.0  # 0: never trim
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    accept_gaps: bool = False  # record a gap in history_gaps and go on, rather than stop
    keep_unfilled_ms: int = 3 * 86_400_000  # orders ended without a fill are forgotten after this; 0: kept
    prune_every_events: int = 100_000  # how often to look for them (by events written)


class Indexer:
    def __init__(
        self,
        client: redis.Redis,
        keys: ShardKeys,
        store: HistoryStore,
        settings: IndexerSettings | None = None,
        metrics: IndexerMetrics | None = None,
    ) -> None:
        self.client = client
        self.keys = keys
        self.store = store
        self.settings = settings or IndexerSettings()
        self.metrics = metrics or IndexerMetrics()
        self.retention = EventRetention(client, keys, self.settings.retention)
        position = store.position()
        self.last_seq = position.last_seq
        self.entry_id = position.entry_id
        self.caught_up = False
        self.error: HistoryGap | HistoryAhead | None = None
        self.last_step_monotonic = time.monotonic()
        self.last_trim_monotonic = 0.0
        self.published = False
        self.since_prune = 0

    def step(self) -> int:
        """One read and its write; the number of events written."""
        self.last_step_monotonic = time.monotonic()
        if not self.published:  # a database older than the key (restored, recreated) holds trimming back
            self.check_stream()
            self.client.set(self.keys.indexer_position, self.last_seq)
            self.published = True
        self.maybe_trim()
        response = self.client.xread(
            {self.keys.events: self.entry_id}, count=self.settings.read_count, block=self.settings.block_ms
        )
        entries = response[0][1] if response else []
        self.caught_up = len(entries) < self.settings.read_count
        if not entries:
            return 0
        events = [e for raw_id, fields in entries for e in entry_events(parse_id(raw_id), fields)]
        last_entry = entries[-1][0].decode()
        try:
            counts = self.store.write_batch(events, last_entry)
        except HistoryGap as gap:
            if not self.settings.accept_gaps:
                raise
            log.error("%s; recorded in history_gaps, going on (--accept-gaps)", gap)
            self.store.skip_gap(gap, self.entry_id)
            self.metrics.gaps.inc()
            counts = self.store.write_batch(events, last_entry)
        self.entry_id = last_entry
        if counts.events:
            self.last_seq = events[-1].seq
            self.client.set(self.keys.indexer_position, self.last_seq)
            self.since_prune += counts.events
            if self.settings.keep_unfilled_ms and self.since_prune >= self.settings.prune_every_events:
                self.since_prune = 0
                self.metrics.pruned.inc(
                    self.store.prune_unfilled_orders(events[-1].ts_ms - self.settings.keep_unfilled_ms)
                )
        self.metrics.written(counts)
        self.metrics.last_seq.set(self.last_seq)
        return counts.events

    def check_stream(self) -> None:
        """Refuse a stream that ends before the history does (the engine never trims its newest entry)."""
        newest = self.client.xrevrange(self.keys.events, count=1)
        stream_last_seq = parse_id(newest[0][0])[0] if newest else 0
        if stream_last_seq < self.last_seq:
            raise HistoryAhead(self.last_seq, stream_last_seq)

    def maybe_trim(self) -> None:
        every_s = self.settings.trim_every_s
        if every_s <= 0 or time.monotonic() - self.last_trim_monotonic < every_s:
            return
        self.last_trim_monotonic = time.monotonic()
        result = self.retention.trim()
        self.metrics.trimmed.inc(result.removed)
        if result.removed:
            log.debug("trimmed %d event entries below %s (held by %s)", result.removed, result.floor, result.bound_by)

    def run(self, stop: threading.Event) -> None:
        log.info("history at seq %d; reading events after entry %s", self.last_seq, self.entry_id)
        delay_s = 0.1
        while not stop.is_set():
            try:
                self.step()
                delay_s = 0.1
            except HistoryGap as gap:
                self.error = gap
                log.error("%s. Start with --accept-gaps to record the gap and go on.", gap)
                stop.wait(60)
            except HistoryAhead as ahead:
                self.error = ahead
                log.error("%s", ahead)
                stop.wait(60)
            except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError) as exc:
                log.warning("redis unreachable (%s); retrying in %.1f s", exc, delay_s)
                stop.wait(delay_s)
                delay_s = min(5.0, delay_s * 2)
                self.published = False

    def health(self) -> tuple[bool, dict]:
        """Healthy while the loop turns and history has no gap; ready once caught up with the stream."""
        stalled_s = time.monotonic() - self.last_step_monotonic
        ok = self.error is None and stalled_s < 30
        detail = {"last_seq": self.last_seq, "ready": ok and self.caught_up, "stalled_s": round(stalled_s, 1)}
        if self.error is not None:
            detail["error"] = str(self.error)
        return ok, detail
