"""Pyth's Hermes HTTP API: GET /v2/updates/price/latest?ids[]=<feed id>&parsed=true.

The answer's `parsed` list holds, per feed, `id` (hex, without 0x) and `price` = {price, conf, expo,
publish_time}: the price is the integer `price` x 10^expo, conf likewise, publish_time in unix
seconds. US equity feeds (Equity.US.AAPL/USD, ...) publish during their sessions and otherwise keep
their last price with an old publish_time, which the staleness rule then drops.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from oracle.quote import FetchResult, Quote, SourceError


def _normal_id(feed_id: str) -> str:
    return feed_id.lower().removeprefix("0x")


def _scaled(value: Any, expo: Any) -> float:
    """An integer string times 10^expo, exactly, then as a float for aggregation."""
    if not isinstance(expo, int) or isinstance(expo, bool) or not -30 <= expo <= 30:
        raise ValueError("bad expo")
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError("bad number")
    return float(Decimal(int(value)).scaleb(expo))


class PythHermesSource:
    def __init__(
        self,
        feeds: dict[str, str],
        base_url: str = "https://hermes.pyth.network",
        name: str = "pyth",
        timeout_s: float = 2.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        """`feeds` maps an underlying (NVDA) to its Hermes feed id."""
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.by_feed = {_normal_id(feed_id): underlying for underlying, feed_id in feeds.items()}
        self.client = client or httpx.AsyncClient(timeout=timeout_s)

    async def fetch(self, now_ms: int) -> FetchResult:
        params: list[tuple[str, str | int | float | bool | None]] = [
            ("ids[]", feed_id) for feed_id in sorted(self.by_feed)
        ]
        params.append(("parsed", "true"))
        try:
            response = await self.client.get(f"{self.base_url}/v2/updates/price/latest", params=params)
        except httpx.HTTPError as exc:
            raise SourceError("connect_error", type(exc).__name__) from exc
        if response.status_code != 200:
            raise SourceError(f"http_{response.status_code}")
        try:
            body = response.json()
            entries = body["parsed"]
            if not isinstance(entries, list):
                raise TypeError("parsed is not a list")
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceError("bad_body", repr(exc)[:200]) from exc
        quotes: list[Quote] = []
        problems: list[str] = []
        for entry in entries:
            try:
                underlying = self.by_feed.get(_normal_id(entry["id"]))
                if underlying is None:
                    problems.append("unknown_feed")
                    continue
                price = entry["price"]
                publish_time_s = price["publish_time"]
                if not isinstance(publish_time_s, int) or isinstance(publish_time_s, bool):
                    raise ValueError("bad publish_time")
                quotes.append(
                    Quote(
                        self.name,
                        underlying,
                        _scaled(price["price"], price["expo"]),
                        publish_time_s * 1000,
                        abs(_scaled(price["conf"], price["expo"])),
                    )
                )
            except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation):
                problems.append("bad_entry")
        return FetchResult(quotes, problems)

    async def aclose(self) -> None:
        await self.client.aclose()
