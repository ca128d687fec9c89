"""Prometheus metrics of the history indexer, in a registry of its own."""

from prometheus_client import CollectorRegistry, Counter, Gauge

from views.history.store import WriteCounts


class IndexerMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.events = Counter("perpx_indexer_events", "Events written to the history", registry=r)
        self.batches = Counter("perpx_indexer_batches", "Transactions committed", registry=r)
        self.unknown_events = Counter(
            "perpx_indexer_unknown_events", "Events of a type the indexer does not know, skipped", ["type"], registry=r
        )
        self.unknown_orders = Counter(
            "perpx_indexer_unknown_orders", "Events about orders accepted before the history began", registry=r
        )
        self.gaps = Counter("perpx_indexer_gaps", "Gaps in seq recorded and skipped (--accept-gaps)", registry=r)
        self.trimmed = Counter("perpx_indexer_trimmed_entries", "Event stream entries trimmed", registry=r)
        self.pruned = Counter(
            "perpx_indexer_pruned_orders", "Orders ended unfilled, forgotten after the keep time", registry=r
        )
        self.last_seq = Gauge("perpx_indexer_last_seq", "The last event seq written", registry=r)

    def written(self, counts: WriteCounts) -> None:
        if not counts.events:
            return
        self.events.inc(counts.events)
        self.batches.inc()
        self.unknown_orders.inc(counts.unknown_orders)
        for name, count in (counts.unknown_events or {}).items():
            self.unknown_events.labels(name).inc(count)
