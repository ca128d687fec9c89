"""A price observation from one source, and the one gate every observation passes before it counts.

Floats are fine here: a quote is an estimate from outside, aggregated with numpy; only the published
PriceUpdate carries exact integers (see ticks.py).
"""

import math

import msgspec


class Quote(msgspec.Struct, frozen=True):
    source: str  # the adapter's name, e.g. "pyth", "sim"
    underlying: str  # NVDA, not NVDAUSDC: sources quote the stock
    price: float  # USD per share
    publish_ms: int  # when the source says the price was true (unix ms)
    conf: float = 0.0  # the source's own +/- uncertainty in USD, 0 when it gives none


class FetchResult(msgspec.Struct, frozen=True):
    """What one fetch produced: the quotes it could parse and why it dropped the rest."""

    quotes: list[Quote]
    problems: list[str] = msgspec.field(default_factory=list)


class SourceError(Exception):
    """A whole fetch failed (HTTP error, unreadable body); `reason` is a short metric label."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


MAX_FUTURE_SKEW_MS = 5_000  # a source's clock may run this far ahead of ours before we distrust it


def quote_problem(quote: Quote, now_ms: int, max_future_ms: int = MAX_FUTURE_SKEW_MS) -> str | None:
    """Why `quote` must not count (a metric label), or None. Applied to every adapter's output so
    that no adapter can let a zero, a NaN or a timestamp from the future through."""
    if not isinstance(quote.price, float | int) or not math.isfinite(quote.price):
        return "price_not_finite"
    if quote.price <= 0:
        return "price_not_positive"
    if not math.isfinite(quote.conf) or quote.conf < 0:
        return "conf_invalid"
    if quote.publish_ms > now_ms + max_future_ms:
        return "timestamp_in_future"
    if quote.publish_ms <= 0:
        return "timestamp_invalid"
    return None
