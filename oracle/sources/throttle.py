"""Ask a source at most once per interval, whatever the oracle's poll rate: a vendor's rate limit
is the vendor's, and a 250 ms poll of thirteen symbols would break most. Between fetches the last
quotes are returned again (they keep their publish times, so they go stale honestly)."""

from oracle.quote import FetchResult
from oracle.sources.base import PriceFeed


class ThrottledSource:
    def __init__(self, inner: PriceFeed, interval_ms: int) -> None:
        self.inner = inner
        self.name = inner.name
        self.interval_ms = interval_ms
        self._last_fetch_ms: int | None = None
        self._last = FetchResult([])

    async def fetch(self, now_ms: int) -> FetchResult:
        if self._last_fetch_ms is not None and now_ms - self._last_fetch_ms < self.interval_ms:
            return FetchResult(self._last.quotes)  # problems were reported the first time
        self._last_fetch_ms = now_ms  # a failed fetch also waits out the interval before the next try
        self._last = await self.inner.fetch(now_ms)
        return self._last

    async def aclose(self) -> None:
        await self.inner.aclose()
