"""Prometheus counters of the read side: what the follower read, skipped and recovered from.

Each follower gets its own registry unless the process hands it one (the service's /metrics), so
two followers in one process (tests) never clash on a metric name.
"""

from prometheus_client import CollectorRegistry, Counter, Gauge


class ViewMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.events_applied = Counter("views_events_applied", "events folded into the views", registry=r)
        self.duplicates = Counter("views_events_duplicate", "events skipped as already applied (seq)", registry=r)
        self.unusable = Counter(
            "views_events_unusable",
            "events a projection could not use (logged and skipped)",
            ["projection", "event"],
            registry=r,
        )
        self.gaps = Counter("views_seq_gaps", "gaps in seq met (each makes the follower resync)", registry=r)
        self.resyncs = Counter("views_resyncs", "starts over from a snapshot or the genesis state", registry=r)
        self.reconnects = Counter("views_redis_errors", "Redis errors met while following (retried)", registry=r)
        self.last_seq = Gauge("views_last_seq", "seq of the last event applied", registry=r)

    def also_register(self, registry: CollectorRegistry) -> None:
        """Show these metrics on another registry too (a service's /metrics made after the views)."""
        for metric in (
            self.events_applied,
            self.duplicates,
            self.unusable,
            self.gaps,
            self.resyncs,
            self.reconnects,
            self.last_seq,
        ):
            registry.register(metric)
