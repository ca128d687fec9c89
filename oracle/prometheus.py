"""The oracle's /metrics: its counters and, per market, what it last decided, as Prometheus reads them.

A collector rather than live Prometheus objects so the service itself stays free of them (its tests
read oracle.metrics.Metrics directly); a scrape reads the service's state between two steps.
"""

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from messages.enums import PriceSource
from oracle.service import OracleService


class OracleCollector(Collector):
    def __init__(self, service: OracleService) -> None:
        self.service = service

    def collect(self) -> Iterator[Metric]:
        families: dict[str, CounterMetricFamily] = {}
        for (name, source, reason), count in sorted(self.service.metrics.counts.items()):
            family = families.get(name)
            if family is None:
                family = families[name] = CounterMetricFamily(
                    f"perpx_oracle_{name}", f"oracle {name.replace('_', ' ')}", labels=["source", "reason"]
                )
            family.add_metric([source, reason], count)
        yield from families.values()
        index = GaugeMetricFamily("perpx_oracle_index_ticks", "last published index price", labels=["market"])
        mark = GaugeMetricFamily("perpx_oracle_mark_ticks", "last published mark price", labels=["market"])
        stale = GaugeMetricFamily("perpx_oracle_stale", "1 while no external price has quorum", labels=["market"])
        internal = GaugeMetricFamily("perpx_oracle_internal", "1 while the index is internal", labels=["market"])
        for symbol, market in self.service.markets.items():
            view = market.view
            index.add_metric([symbol], view.published_index_ticks)
            mark.add_metric([symbol], view.published_mark_ticks)
            stale.add_metric([symbol], 1.0 if view.stale else 0.0)
            internal.add_metric([symbol], 1.0 if view.source is PriceSource.INTERNAL else 0.0)
        yield from (index, mark, stale, internal)
