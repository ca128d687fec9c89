"""The engine service: the single writer of exchange state, between the command and event streams.

Loop: a blocking XREAD of up to `batch_size` command entries after the last one applied (the next
one is sent before this batch is applied, so Redis works while Python does); apply them
(engine_service.batching); write the batch's events, replies and dead letters in one script,
refused unless the event stream still ends where this engine last wrote (a second engine on the
shard fails instead of interleaving); every `snapshot_every` commands (in a forked child) and on a
clean stop (in the process), save a snapshot covering the last entry written.

Recovery: load the newest snapshot (or start from the listing), then replay. Entries up to the one
the last event entry covers (its `c` field) are replayed silently, since their events are already
in the stream; the engine's next seq must then follow the last written event, or replay is not
deterministic and the service refuses to go on. A kill -9 at any point therefore loses no command
and writes no event twice.

No input stops the service. An entry that does not decode is a dead letter (engine_service.batching).
An entry that makes engine.apply raise, or whose events cannot be encoded, leaves the engine in a
state it cannot trust: the service rebuilds the state from before it (the newest snapshot and a
silent replay up to the last entry written), dead-letters the entry with the exception's name, logs
it and counts it (perpx_engine_entries_rescued), and goes on. Replay treats such entries the same way
(it encodes each batch's events as the live loop does), so it reproduces the same state. Rare by
construction (every command's fields are range-checked, messages/limits.py), so a whole restore
per failure is fine; the normal path pays nothing for it.
"""

import gc
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from engine_service.batching import AppliedBatch, EntryFailed, apply_entries
from engine_service.kinds import DEFAULT_KIND, ENGINE_KINDS
from engine_service.metrics import EngineMetrics
from matching.engine import Engine
from messages.codec import command_decoder, encode
from streams.connection import connect
from streams.event_batch import entry_fields, next_entry_id
from streams.keys import ShardKeys
from streams.pipelined import FencedAppender, PendingRead
from streams.raw_reader import RawEntry, RawStreamReader
from streams.replies import Entry
from streams.snapshots import Snapshot, SnapshotStore, wall_clock_ms
from streams.stream_ids import ZERO, StreamId, format_id, id_ms, parse_id

log = logging.getLogger("perpx.engine")


class RecoveryError(RuntimeError):
    """Replay did not reproduce what the event stream already holds."""


@dataclass(frozen=True)
class EngineSettings:
    batch_size: int = 1000  # command entries per read
    block_ms: int = 500  # how long a read waits for new entries (also how soon a stop is seen)
    snapshot_every: int = 100_000  # commands between snapshots
    snapshot_interval_s: float = 300.0  # and this long after the last one if any command came since
    events_max_entries: int = 0  # approximate cap of the event stream in entries; 0 keeps everything
    trim_commands: bool = True  # trim the command stream to the previous snapshot
    snapshot_in_background: bool = True  # periodic snapshots encoded and saved by a forked child


def tune_gc() -> None:
    """For the engine's process: collect young objects every 100,000 allocations instead of 700.

    Each batch allocates thousands of short-lived lists and structs that reference counting frees
    anyway, while the cyclic collector keeps walking the long-lived books and idempotence windows;
    with the default threshold that walk costs about a third of the service's throughput.
    """
    gc.set_threshold(100_000, 50, 100)


def new_engine() -> Engine:
    """Genesis of the default kind (see engine_kinds): the packaged market listing."""
    return ENGINE_KINDS[DEFAULT_KIND].make()


def restore_engine(data: bytes) -> Engine:
    return ENGINE_KINDS[DEFAULT_KIND].load(data)


class EngineService:
    def __init__(
        self,
        url: str,
        keys: ShardKeys | None = None,
        settings: EngineSettings | None = None,
        make_engine: Callable[[], Engine] = new_engine,
        load_engine: Callable[[bytes], Engine] = restore_engine,
        metrics: EngineMetrics | None = None,
    ) -> None:
        self.url = url
        self.client = connect(url, retries=0)  # a failed write ends the process; recovery takes over
        self.keys = keys or ShardKeys()
        self.settings = settings or EngineSettings()
        self.make_engine = make_engine
        self.load_engine = load_engine
        self.metrics = metrics or EngineMetrics()
        self.snapshots = SnapshotStore(self.client, self.keys, self.settings.trim_commands)
        self.reader = RawStreamReader(url)  # recovery's ranges
        self.reading = PendingRead(url)  # the loop's reads, one batch ahead
        self.writer = FencedAppender(url)
        self.engine: Engine = make_engine()
        self.position: StreamId = ZERO  # last command entry applied
        self.last_event_id: StreamId = ZERO
        self.since_snapshot = 0
        self.snapshot_child: int | None = None
        self.snapshot_monotonic = time.monotonic()  # when the last snapshot was started
        self.redis_run_id = ""
        self.last_step_monotonic = time.monotonic()
        self.recovered = False
        # command entries dead-lettered because applying them failed: id -> reason (see _apply)
        self.poisoned: dict[bytes, str] = {}

    # -- recovery --------------------------------------------------------------------------------

    def recover(self) -> None:
        started = time.perf_counter()
        self.redis_run_id = self.client.info("server")["run_id"]
        loaded = self._load_snapshot()
        if loaded is None:
            self.engine, self.position = self.make_engine(), ZERO
        else:
            self.engine, self.position = loaded
            self.metrics.snapshot_taken()
        self.since_snapshot = 0  # commands replayed past the snapshot count toward the next one
        written = cast(list[Entry], self.client.xrevrange(self.keys.events, count=1))
        if written:
            raw_id, fields = written[0]
            self.last_event_id = parse_id(raw_id)
            self._replay_silently(parse_id(fields[b"c"]))
            if self.engine.next_seq - 1 != self.last_event_id[0]:
                raise RecoveryError(
                    f"replay reached seq {self.engine.next_seq - 1} but the event stream holds {self.last_event_id[0]}"
                )
        self.recovered = True
        self.metrics.recovery_s.set(time.perf_counter() - started)
        self.metrics.replayed.set(self.since_snapshot)
        log.info("recovered at command entry %s, next seq %d", format_id(self.position), self.engine.next_seq)

    def _load_snapshot(self) -> tuple[Engine, StreamId] | None:
        """The newest readable snapshot; None only when there is none at all. Snapshots that exist
        but cannot be read (another engine kind, another version) stop the service: starting from
        genesis over a trimmed stream would rebuild a different exchange."""
        found = False
        for previous in (False, True):
            snapshot = self.snapshots.load(previous)
            if snapshot is None:
                continue
            found = True
            try:
                return self.load_engine(snapshot.data), snapshot.covers
            except Exception:  # a snapshot this engine cannot read: fall back to the older one
                log.exception("snapshot %s unreadable", "previous" if previous else "newest")
        if found:
            raise RecoveryError("snapshots exist but none is readable by this engine (wrong --kind?)")
        return None

    def _replay_silently(self, until: StreamId) -> None:
        while self.position < until:
            entries = self.reader.range(
                self.keys.commands, format_id(self.position), format_id(until), self.settings.batch_size
            )
            if not entries:
                raise RecoveryError(f"command entries up to {format_id(until)} are missing from the stream")
            batch = self._apply(entries)
            self.position = parse_id(batch.covers)
            self.since_snapshot += batch.commands

    # -- entries that break the engine -----------------------------------------------------------

    def _apply(self, entries: list[RawEntry]) -> AppliedBatch:
        """Apply a batch and encode its events. An entry that makes the engine raise, or whose
        events cannot be encoded, is poisoned: the engine is rebuilt as of `self.position` (the
        batch's start) and the batch applied again, that entry now a dead letter."""
        decoder = command_decoder()
        while True:
            try:
                batch = apply_entries(self.engine, entries, decoder, self.poisoned)
            except EntryFailed as failed:
                self._poison(failed.entry_id, failed.reason, failed)
                self._restore()
                continue
            try:
                batch.encoded_events = encode(batch.events) if batch.events else None
                return batch
            except Exception as exc:  # a value the wire cannot carry: find whose events hold it
                self._restore()
                self._poison(self._unencodable_entry(entries), f"events not encodable: {type(exc).__name__}", exc)
                self._restore()

    def _unencodable_entry(self, entries: list[RawEntry]) -> bytes:
        """The first entry whose own events cannot be encoded, applied one by one from the restored state."""
        decoder = command_decoder()
        for entry in entries:
            events = apply_entries(self.engine, [entry], decoder, self.poisoned).events
            try:
                encode(events)
            except Exception:
                return entry[0]
        raise RuntimeError("a batch's events failed to encode, but no entry's alone does")

    def _poison(self, entry_id: bytes, reason: str, cause: BaseException) -> None:
        self.poisoned[entry_id] = reason
        self.metrics.entries_rescued.inc()
        log.error(
            "command entry %s broke the engine (%s): state restored from before it, entry dead-lettered",
            entry_id.decode(),
            reason,
            exc_info=cause,
        )

    def _restore(self) -> None:
        """Rebuild the engine as of `self.position`: the newest snapshot, then every entry after
        it replayed silently (all of them were applied in this process, poisoned ones known)."""
        loaded = self._load_snapshot()
        self.engine, at = loaded if loaded is not None else (self.make_engine(), ZERO)
        decoder = command_decoder()
        while at < self.position:
            entries = self.reader.range(
                self.keys.commands, format_id(at), format_id(self.position), self.settings.batch_size
            )
            if not entries:
                raise RecoveryError(f"command entries up to {format_id(self.position)} are missing from the stream")
            at = parse_id(apply_entries(self.engine, entries, decoder, self.poisoned).covers)

    # -- the loop --------------------------------------------------------------------------------

    def step(self) -> int:
        """Apply and write the next batch, waiting up to block_ms for one. Returns entries handled;
        the batch's events are in Redis when it returns. The read of the batch after is already
        on its way while this one is applied."""
        self.last_step_monotonic = time.monotonic()
        settings = self.settings
        if not self.reading.in_flight:
            self.reading.request(self.keys.commands, format_id(self.position), settings.batch_size, settings.block_ms)
        entries = self.reading.collect()
        if not entries:
            self._maybe_snapshot()  # an idle engine still snapshots what it applied before going idle
            return 0
        self.reading.request(self.keys.commands, entries[-1][0].decode(), settings.batch_size, settings.block_ms)
        started = time.perf_counter()
        batch = self._apply(entries)
        apply_s = time.perf_counter() - started
        self._write(batch)
        self.position = parse_id(batch.covers)
        self.since_snapshot += batch.commands
        self.metrics.batch_done(
            batch.commands,
            len(batch.events),
            len(batch.dead_letters),
            apply_s,
            id_ms(batch.covers),
            self.engine.next_seq,
        )
        self._maybe_snapshot()
        return len(entries)

    def _maybe_snapshot(self) -> None:
        """Every `snapshot_every` commands, and `snapshot_interval_s` after the last snapshot if any
        command came since."""
        if self.snapshot_child is not None:
            self._snapshot_child_running()
        settings = self.settings
        if self.since_snapshot >= settings.snapshot_every or (
            self.since_snapshot and time.monotonic() - self.snapshot_monotonic >= settings.snapshot_interval_s
        ):
            self.take_snapshot(background=settings.snapshot_in_background)

    def _write(self, batch: AppliedBatch) -> None:
        entry_id = next_entry_id(self.last_event_id, self.engine.next_seq - 1)
        fields = entry_fields(batch.encoded_events, batch.replies, batch.covers)
        dead_letters: list[list[bytes | str]] = []
        for dead in batch.dead_letters:
            dead_fields = {**dead.fields, b"entry_id": dead.entry_id, b"reason": dead.reason.encode()}
            dead_letters.append([x for kv in dead_fields.items() for x in kv])
            log.warning("dead letter %s: %s", dead.entry_id.decode(), dead.reason)
        self.writer.append(
            self.keys.events,
            self.keys.dead_letters,
            format_id(self.last_event_id),
            format_id(entry_id),
            self.settings.events_max_entries,
            [x for kv in fields.items() for x in kv],
            dead_letters,
        )
        self.last_event_id = entry_id

    def take_snapshot(self, background: bool = False) -> None:
        """Snapshot the state as of the last batch written.

        In the background, a forked child encodes and saves it while the engine goes on (as Redis
        does its BGSAVE): the child's memory is the state at the fork, copy-on-write. One child at
        a time; while one runs, the next snapshot waits for a later batch. A child that outlives
        a killed engine is harmless: the store refuses a snapshot older than the newest.
        """
        if self.position == ZERO or (background and self._snapshot_child_running()):
            return
        if background and hasattr(os, "fork"):
            pid = os.fork()
            if pid == 0:  # the child: no logging, no shared connections, never return
                code = 1
                try:
                    client = connect(self.url, retries=0)
                    # the same server the parent writes to, not another on a reused port
                    if client.info("server")["run_id"] == self.redis_run_id:
                        self._save_snapshot(SnapshotStore(client, self.keys, self.settings.trim_commands))
                        code = 0
                finally:
                    os._exit(code)
            self.snapshot_child = pid
        else:
            self._save_snapshot(self.snapshots)
            self.metrics.snapshot_taken()
        self.since_snapshot = 0
        self.snapshot_monotonic = time.monotonic()

    def _save_snapshot(self, store: SnapshotStore) -> None:
        data = self.engine.snapshot()
        # state_hash() is sha256 of these same canonical bytes: hash them rather than encode twice
        digest = hashlib.sha256(data).hexdigest()
        store.save(Snapshot(data, self.position, self.engine.next_seq, digest, wall_clock_ms()))

    def _snapshot_child_running(self, wait: bool = False) -> bool:
        """Reap the snapshot child if it has finished (or, with `wait`, once it has)."""
        if self.snapshot_child is None:
            return False
        pid, status = os.waitpid(self.snapshot_child, 0 if wait else os.WNOHANG)
        if pid == 0:
            return True
        self.snapshot_child = None
        if os.waitstatus_to_exitcode(status) == 0:
            self.metrics.snapshot_taken()
        else:
            log.error("background snapshot failed (exit status %d)", os.waitstatus_to_exitcode(status))
        return False

    def run(self, stop: threading.Event) -> None:
        """Recover, then apply batches until `stop` is set; snapshot on the way out."""
        self.recover()
        while not stop.is_set():
            self.step()
        self._snapshot_child_running(wait=True)  # so that the last snapshot is this one
        if self.since_snapshot:
            self.take_snapshot()
        self.close()
        log.info("stopped at command entry %s, next seq %d", format_id(self.position), self.engine.next_seq)

    def close(self) -> None:
        self._snapshot_child_running(wait=True)
        self.reading.close()
        self.writer.close()
        self.reader.close()
        self.client.close()

    def health(self) -> tuple[bool, dict[str, object]]:
        stalled_s = time.monotonic() - self.last_step_monotonic
        ok = self.recovered and stalled_s < 10 * max(1.0, self.settings.block_ms / 1000)
        return ok, {
            "service": "engine",
            "shard": self.keys.shard,
            "position": format_id(self.position),
            "next_seq": self.engine.next_seq,
            "seconds_since_last_read": round(stalled_s, 3),
        }
