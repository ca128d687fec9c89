"""A source whose prices are posted to it (an admin call), e.g. for a manual override or a test."""

from oracle.quote import FetchResult, Quote


class PushSource:
    def __init__(self, name: str = "push") -> None:
        self.name = name
        self._latest: dict[str, Quote] = {}

    def post(self, underlying: str, price: float, publish_ms: int, conf: float = 0.0) -> None:
        """Keep the newest posted price per underlying; bad values are caught downstream, not here."""
        known = self._latest.get(underlying)
        if known is None or publish_ms >= known.publish_ms:
            self._latest[underlying] = Quote(self.name, underlying, float(price), int(publish_ms), float(conf))

    async def fetch(self, now_ms: int) -> FetchResult:
        return FetchResult([self._latest[u] for u in sorted(self._latest)])

    async def aclose(self) -> None:
        return None
