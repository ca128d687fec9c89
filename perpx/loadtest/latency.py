"""Latencies in an HdrHistogram (microseconds, 3 significant digits), read back in milliseconds.

An HdrHistogram keeps every percentile to within 0.1% at a fixed cost per value, so a run of
millions of orders costs the same memory as one of ten, and p99.9 and max stay exact enough to
trust (a sorted list would do for a short run, not for a long one).
"""

from hdrh.histogram import HdrHistogram

LOWEST_US = 1
HIGHEST_US = 600_000_000  # ten minutes: a stall longer than that is recorded as ten minutes
PERCENTILES = {"p50": 50.0, "p90": 90.0, "p99": 99.0, "p999": 99.9}


class Latency:
    def __init__(self, significant_figures: int = 3) -> None:
        self.histogram = HdrHistogram(LOWEST_US, HIGHEST_US, significant_figures)

    def record_s(self, seconds: float) -> None:
        micros = round(seconds * 1_000_000)
        self.histogram.record_value(min(max(micros, LOWEST_US), HIGHEST_US))

    @property
    def count(self) -> int:
        return int(self.histogram.get_total_count())

    def percentile_ms(self, percentile: float) -> float | None:
        if self.count == 0:
            return None
        return round(int(self.histogram.get_value_at_percentile(percentile)) / 1000, 3)

    def max_ms(self) -> float | None:
        return round(int(self.histogram.get_max_value()) / 1000, 3) if self.count else None

    def summary_ms(self, prefix: str = "") -> dict[str, float | None]:
        """{prefix}p50_ms, p90_ms, p99_ms, p999_ms, max_ms (None when nothing was recorded)."""
        figures = {f"{prefix}{name}_ms": self.percentile_ms(p) for name, p in PERCENTILES.items()}
        figures[f"{prefix}max_ms"] = self.max_ms()
        return figures

    def spectrum_ms(self) -> list[tuple[float, float]]:
        """(percentile, ms) pairs from 0 to 100, denser towards the tail: the percentile spectrum."""
        if self.count == 0:
            return []
        return [
            (float(item.percentile_level_iterated_to), item.value_iterated_to / 1000)
            for item in self.histogram.get_percentile_iterator(5)
        ]
