"""THE follower of a shard's event stream: every reader keeps its views up to date through it.

It starts from the engine's newest snapshot (restored by the engine's own code, engine_state.py)
or, without one, from the genesis state and the stream's first event; then it reads the event
stream in entry order and feeds each event once, in seq order, to its view (sequence.py). What
can go wrong, and what it does:
- Redis goes away (restart, network): the error is logged and counted, and reading resumes from
  the last entry applied after a backoff (0.1 s doubling to 5 s); nothing is lost or applied twice;
- an event comes twice (an overlap after a restart): skipped by its seq;
- a seq is missing (the stream was trimmed past the follower, or an entry lost): an error, logged
  and counted, and the follower starts over from the newest snapshot; if that snapshot does not
  reach past the gap yet, it tries again after the backoff, never skipping;
- an event a projection cannot use: the view logs, counts and skips it (exchange.py).

Two drivers over one core: `Follower` for blocking code (funding/: call `catch_up()`, or `run()`
on a thread) and `AsyncFollower` for asyncio (oracle/, api/: `catch_up()` or the `run()` task).
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Protocol, cast

import redis
import redis.asyncio as aioredis

from matching.engine import Engine
from messages.events import Event
from streams.event_batch import Reply, entry_replies, skip_unusable
from streams.keys import ShardKeys
from streams.lean_connection import LeanConnection
from streams.raw_reader import fields_dict
from streams.replies import Entry, ReadReply
from streams.snapshots import Snapshot, SnapshotStore, load_snapshot_async
from streams.stream_ids import StreamId, format_id, parse_id
from views.engine_state import UnreadableSnapshot, genesis_engine, restore_engine
from views.entries import entry_events
from views.metrics import ViewMetrics
from views.sequence import SeqGap, Sequencer

log = logging.getLogger("perpx.views")

_BATCH = 1_000
_FIRST_DELAY_S = 0.1
_MAX_DELAY_S = 5.0

RawEntry = tuple[bytes, dict[bytes, bytes]]
Listener = Callable[[list[Event]], object]
ReplyListener = Callable[[list[Reply]], object]


class FollowedView(Protocol):
    """What a follower keeps up to date (an ExchangeView, or any single projection wrapper)."""

    def seed(self, engine: Engine, last_seq: int) -> None: ...

    def apply(self, event: Event) -> None: ...


class FollowerCore:
    """The follower without I/O: where it stands, what to do with entries read and with snapshots.

    `position` is the id of the last event entry taken; the next read starts after it. Entry ids
    are the seq of their last event (streams/event_batch.py), so after a snapshot covering seq S
    the read starts after `S-0`.
    """

    def __init__(
        self,
        view: FollowedView,
        metrics: ViewMetrics,
        genesis: Callable[[], Engine] = genesis_engine,
    ) -> None:
        self.view = view
        self.metrics = metrics
        self.genesis = genesis
        self.sequencer = Sequencer(view, metrics)
        self.position: StreamId = (0, 0)
        self.started = False
        self.listeners: list[Listener] = []  # called with the events of each entry, once applied
        self.reply_listeners: list[ReplyListener] = []  # called with each entry's replies (if anyone listens)
        self.seed_listeners: list[Callable[[int], object]] = []  # called with last_seq after each (re)seed

    @property
    def last_seq(self) -> int:
        return self.sequencer.last_seq

    def seed(self, snapshot: Snapshot | None) -> bool:
        """Start from `snapshot` (None, or one no engine loader reads: from the genesis state and
        the first event). True if started from the snapshot."""
        engine: Engine | None = None
        last_seq = 0
        if snapshot is not None:
            try:
                engine = restore_engine(snapshot.data)
                last_seq = snapshot.next_seq - 1
            except UnreadableSnapshot as exc:
                log.error("the newest snapshot is unreadable (%s); starting from the first event", exc)
        restored = engine is not None
        if engine is None:
            engine = self.genesis()
        self.view.seed(engine, last_seq)
        self.sequencer.last_seq = last_seq
        self.position = (last_seq, 0)
        self.started = True
        self.metrics.last_seq.set(last_seq)
        for listener in self.seed_listeners:
            listener(last_seq)
        return restored

    def resync(self, gap: SeqGap, snapshot: Snapshot | None) -> bool:
        """Start over from `snapshot` if it reaches past the gap (True); else stay where we are,
        stopped before the gap, until a newer snapshot does (the caller retries after a backoff)."""
        if snapshot is None or snapshot.next_seq - 1 < gap.got_seq - 1:
            reach = snapshot.next_seq - 1 if snapshot is not None else 0
            log.error("%s and the newest snapshot covers only up to seq %d: waiting for a newer one", gap, reach)
            return False
        log.error("%s: starting over from the newest snapshot (seq %d)", gap, snapshot.next_seq - 1)
        self.metrics.resyncs.inc()
        return self.seed(snapshot)  # False if it was unreadable: started over from the beginning

    def take(self, entries: list[RawEntry]) -> int:
        """Apply the entries' events; return the number of events applied. Raises SeqGap."""
        applied = 0
        for raw_id, fields in entries:
            entry_id = parse_id(raw_id)
            events = self.sequencer.feed(entry_events(entry_id, fields))
            self.position = entry_id
            applied += len(events)
            if events:
                for listener in self.listeners:
                    listener(events)
            if self.reply_listeners and b"r" in fields:
                try:
                    replies = entry_replies(fields)
                except Exception as exc:  # a damaged or newer entry: its replies are lost, not the follower
                    skip_unusable("views follower", f"the replies of entry {format_id(entry_id)}", exc)
                    continue
                for reply_listener in self.reply_listeners:
                    reply_listener(replies)
        return applied

    def take_new(self, entries: list[RawEntry]) -> int:
        """`take` the entries after the current position (a read sent before the position moved
        may bring some again)."""
        position = self.position
        fresh = [entry for entry in entries if parse_id(entry[0]) > position]
        return self.take(fresh) if fresh else 0

    def after_position(self) -> str:
        return "(" + format_id(self.position)


class Backoff:
    """When to try again after a failure: 0.1 s, doubling to 5 s; reset by a success."""

    def __init__(self) -> None:
        self.delay_s = _FIRST_DELAY_S
        self.retry_at = 0.0

    def failed(self) -> float:
        delay = self.delay_s
        self.retry_at = time.monotonic() + delay
        self.delay_s = min(_MAX_DELAY_S, delay * 2)
        return delay

    def succeeded(self) -> None:
        self.delay_s = _FIRST_DELAY_S
        self.retry_at = 0.0

    def waiting(self) -> bool:
        return time.monotonic() < self.retry_at


class Follower:
    """The blocking follower: `catch_up()` applies everything written so far and returns.

    Never raises for Redis errors or gaps: it logs, counts, and the next call (once the backoff
    has passed) resumes. `from_snapshot=False` starts from the first event even when a snapshot
    exists (a reader that wants everything, e.g. from a fresh stream)."""

    def __init__(
        self,
        client: redis.Redis,
        keys: ShardKeys,
        view: FollowedView,
        *,
        metrics: ViewMetrics | None = None,
        from_snapshot: bool = True,
        genesis: Callable[[], Engine] = genesis_engine,
        batch: int = _BATCH,
    ) -> None:
        self.client = client
        self.keys = keys
        self.metrics = metrics if metrics is not None else ViewMetrics()
        self.core = FollowerCore(view, self.metrics, genesis)
        self.from_snapshot = from_snapshot
        self.batch = batch
        self.backoff = Backoff()
        self.snapshots = SnapshotStore(client, keys, trim_commands=False)

    @property
    def last_seq(self) -> int:
        return self.core.last_seq

    def catch_up(self) -> int:
        """Apply every event written since the last call; return how many were applied (0 while
        Redis is unreachable or a resync waits for a newer snapshot)."""
        if self.backoff.waiting():
            return 0
        applied = 0
        try:
            if not self.core.started:
                self.core.seed(self.snapshots.load() if self.from_snapshot else None)
            while True:
                try:
                    entries = cast(
                        list[Entry],
                        self.client.xrange(self.keys.events, self.core.after_position(), "+", count=self.batch),
                    )
                    applied += self.core.take(entries)
                except SeqGap as gap:
                    if self.core.resync(gap, self.snapshots.load()):
                        continue
                    self.backoff.failed()  # no snapshot reaches past the gap yet: the next try waits
                    return applied
                if len(entries) < self.batch:
                    break
        except redis.RedisError as exc:
            self.metrics.reconnects.inc()
            log.warning("event stream unreachable (%s); retrying in %.1f s", exc, self.backoff.failed())
            return applied
        self.backoff.succeeded()
        return applied

    def run(self, should_stop: Callable[[], bool], block_ms: int = 1000) -> None:
        """Follow until `should_stop()`: catch up, then wait for new entries (XREAD BLOCK)."""
        while not should_stop():
            self.catch_up()
            if self.backoff.waiting():
                time.sleep(max(0.0, self.backoff.retry_at - time.monotonic()))
                continue
            with contextlib.suppress(redis.RedisError):  # catch_up meets it again, counts it and backs off
                self.client.xread({self.keys.events: format_id(self.core.position)}, count=1, block=block_ms)


class AsyncFollower:
    """The asyncio follower: `await catch_up()` (once per step, as the oracle does), or `start()` a
    task that tails the stream (XREAD BLOCK) until `stop()`, as an api replica does. One lock
    keeps the two from interleaving."""

    def __init__(
        self,
        client: aioredis.Redis,
        keys: ShardKeys,
        view: FollowedView,
        *,
        metrics: ViewMetrics | None = None,
        from_snapshot: bool = True,
        genesis: Callable[[], Engine] = genesis_engine,
        batch: int = _BATCH,
        lean_tail: bool = False,
    ) -> None:
        self.client = client
        self.keys = keys
        self.metrics = metrics if metrics is not None else ViewMetrics()
        self.core = FollowerCore(view, self.metrics, genesis)
        self.from_snapshot = from_snapshot
        self.batch = batch
        self.backoff = Backoff()
        # the tail's blocking reads on a connection of their own, without redis-py's per-call cost
        self.tail = LeanConnection.like(client) if lean_tail else None
        self.lock = asyncio.Lock()
        self.task: asyncio.Task[None] | None = None
        self.caught_up = asyncio.Event()  # set after each catch-up that reached the stream's end

    @property
    def last_seq(self) -> int:
        return self.core.last_seq

    async def catch_up(self) -> int:
        """Apply every event written so far; return how many (0 while Redis is unreachable)."""
        if self.backoff.waiting():
            return 0
        applied = 0
        async with self.lock:
            try:
                if not self.core.started:
                    self.core.seed(await load_snapshot_async(self.client, self.keys) if self.from_snapshot else None)
                while True:
                    try:
                        entries = cast(
                            list[Entry],
                            await self.client.xrange(
                                self.keys.events, self.core.after_position(), "+", count=self.batch
                            ),
                        )
                        applied += self.core.take(entries)
                    except SeqGap as gap:
                        if self.core.resync(gap, await load_snapshot_async(self.client, self.keys)):
                            continue
                        self.backoff.failed()  # no snapshot reaches past the gap yet: the next try waits
                        return applied
                    if len(entries) < self.batch:
                        break
            except (redis.RedisError, OSError) as exc:
                self._cancelled_during(exc)
                self.metrics.reconnects.inc()
                log.warning("event stream unreachable (%s); retrying in %.1f s", exc, self.backoff.failed())
                return applied
        self.backoff.succeeded()
        self.caught_up.set()
        return applied

    @staticmethod
    def _cancelled_during(exc: BaseException) -> None:
        """redis-py can turn our own cancellation into a connection error: let it be a cancellation."""
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise asyncio.CancelledError from exc

    async def run(self, block_ms: int = 1000) -> None:
        """Follow forever: catch up, then apply what each blocking read brings (one round trip per
        wake-up). A gap or an error goes back to `catch_up`, which resyncs or backs off."""
        while True:
            await self.catch_up()
            if self.backoff.waiting():
                await asyncio.sleep(max(0.0, self.backoff.retry_at - time.monotonic()))
                continue
            while True:
                try:
                    entries = await self._read_after_position(block_ms)
                except (redis.RedisError, OSError) as exc:
                    self._cancelled_during(exc)  # otherwise catch_up meets it again and backs off
                    break
                if not entries:
                    continue
                async with self.lock:
                    try:
                        self.core.take_new(entries)
                    except SeqGap:
                        break  # catch_up reads the gap again and resyncs
                if len(entries) < self.batch:
                    self.caught_up.set()

    async def _read_after_position(self, block_ms: int) -> list[Entry]:
        """The entries after the position (up to a batch), waiting up to block_ms for the first."""
        if self.tail is None:
            response = cast(
                ReadReply,
                await self.client.xread(
                    {self.keys.events: format_id(self.core.position)}, count=self.batch, block=block_ms
                ),
            )
            return response[0][1] if response else []
        raw = await self.tail.call(
            "XREAD", "COUNT", self.batch, "BLOCK", block_ms, "STREAMS", self.keys.events, format_id(self.core.position)
        )
        return [(entry_id, fields_dict(fields)) for entry_id, fields in raw[0][1]] if raw else []

    def start(self) -> "asyncio.Task[None]":
        self.task = asyncio.create_task(self.run(), name="views-follower")
        return self.task

    async def stop(self) -> None:
        if self.tail is not None:
            self.tail.close()
        if self.task is None:
            return
        self.task.cancel()
        done, _ = await asyncio.wait({self.task}, timeout=1)
        if not done:  # redis-py can hold a cancelled blocking read open: cut the connections
            await self.client.connection_pool.disconnect()
            await asyncio.wait({self.task}, timeout=5)
        self.task = None
