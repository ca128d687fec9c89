"""Detects a frozen source: one that keeps sending fresh timestamps with a price that never changes.

Such a source passes the staleness check, so it is caught by how long its price has stood still.
Only meaningful while the underlying trades actively (the service asks during REGULAR hours): a
thin pre-market price may honestly stand still for minutes.
"""

import msgspec

from oracle.quote import Quote


class _Seen(msgspec.Struct):
    price: float
    since_ms: int  # publish time of the first quote at this price


class FreezeTracker:
    def __init__(self, frozen_after_ms: int) -> None:
        self.frozen_after_ms = frozen_after_ms
        self._seen: dict[tuple[str, str], _Seen] = {}

    def observe(self, quote: Quote) -> None:
        key = (quote.source, quote.underlying)
        seen = self._seen.get(key)
        if seen is None or seen.price != quote.price:
            self._seen[key] = _Seen(quote.price, quote.publish_ms)

    def is_frozen(self, source: str, underlying: str, now_ms: int) -> bool:
        seen = self._seen.get((source, underlying))
        return seen is not None and now_ms - seen.since_ms > self.frozen_after_ms

    def forget(self, underlying: str) -> None:
        """After a split the old price is meaningless; forget it rather than judge the new one by it."""
        for key in [k for k in self._seen if k[1] == underlying]:
            del self._seen[key]
