"""Prometheus metrics of the engine service, in a registry of its own (one per service instance)."""

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
_LATENCY_BUCKETS = (1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 5e-3, 1e-2)


class EngineMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.commands = Counter("perpx_engine_commands", "Commands applied", registry=r)
        self.events = Counter("perpx_engine_events", "Events written", registry=r)
        self.dead_letters = Counter(
            "perpx_engine_dead_letters", "Command entries sent to the dead-letter stream", registry=r
        )
        self.entries_rescued = Counter(
            "perpx_engine_entries_rescued",
            "Command entries that made the engine fail: state restored from before each, entry dead-lettered",
            registry=r,
        )
        self.batch_size = Histogram(
            "perpx_engine_batch_size", "Command entries per batch read", buckets=_BATCH_BUCKETS, registry=r
        )
        self.apply_seconds = Histogram(
            "perpx_engine_apply_seconds_per_command",
            "Mean engine.apply time per command, observed once per batch",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.commands_per_s = Gauge(
            "perpx_engine_commands_per_second", "Commands applied over the last second", registry=r
        )
        self.lag_s = Gauge(
            "perpx_engine_stream_lag_seconds", "Wall clock minus the entry time of the last command applied", registry=r
        )
        self.next_seq = Gauge("perpx_engine_next_seq", "Seq the next event will get", registry=r)
        self.snapshot_age_s = Gauge("perpx_engine_snapshot_age_seconds", "Age of the newest snapshot", registry=r)
        self.recovery_s = Gauge(
            "perpx_engine_recovery_seconds", "How long the last start took: snapshot load and replay", registry=r
        )
        self.replayed = Gauge(
            "perpx_engine_replayed_commands", "Commands replayed past the snapshot at the last start", registry=r
        )
        self.last_snapshot_monotonic: float | None = None
        self.snapshot_age_s.set_function(self._snapshot_age)
        self._window_start = time.monotonic()
        self._window_commands = 0

    def _snapshot_age(self) -> float:
        if self.last_snapshot_monotonic is None:
            return float("nan")
        return time.monotonic() - self.last_snapshot_monotonic

    def batch_done(
        self, commands: int, events: int, dead: int, apply_s: float, last_entry_ms: int, next_seq: int
    ) -> None:
        self.commands.inc(commands)
        self.events.inc(events)
        if dead:
            self.dead_letters.inc(dead)
        self.batch_size.observe(commands + dead)
        if commands:
            self.apply_seconds.observe(apply_s / commands)
        self.lag_s.set(max(0.0, time.time() - last_entry_ms / 1000))
        self.next_seq.set(next_seq)
        now = time.monotonic()
        self._window_commands += commands
        if now - self._window_start >= 1.0:
            self.commands_per_s.set(self._window_commands / (now - self._window_start))
            self._window_start, self._window_commands = now, 0

    def snapshot_taken(self) -> None:
        self.last_snapshot_monotonic = time.monotonic()
