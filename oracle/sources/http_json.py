"""A generic poller: one GET per underlying, the price (and optionally its time and confidence)
picked out of the JSON answer by a dotted path such as "data.0.last".

The URL is a template with {underlying}; a path may index lists by number. Prices and times may be
numbers or numeric strings. Without a time path the quote is stamped with the fetch time.
"""

import asyncio
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from oracle.quote import FetchResult, Quote


def pick(document: Any, path: str) -> Any:
    """The value at a dotted path; KeyError when any step is missing."""
    node = document
    for step in path.split("."):
        if isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        elif isinstance(node, dict) and step in node:
            node = node[step]
        else:
            raise KeyError(path)
    return node


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("not a number")
    return float(Decimal(str(value)))


class HttpJsonSource:
    def __init__(
        self,
        url_template: str,
        underlyings: list[str],
        price_path: str,
        name: str = "http",
        time_path: str = "",
        time_unit_ms: int = 1,  # 1000 when the time is in seconds
        conf_path: str = "",
        timeout_s: float = 2.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.name = name
        self.url_template = url_template
        self.underlyings = sorted(underlyings)
        self.price_path, self.time_path, self.conf_path = price_path, time_path, conf_path
        self.time_unit_ms = time_unit_ms
        self.client = client or httpx.AsyncClient(timeout=timeout_s)

    async def _one(self, underlying: str, now_ms: int) -> Quote | str:
        try:
            response = await self.client.get(self.url_template.format(underlying=underlying))
        except httpx.HTTPError:
            return "connect_error"
        if response.status_code != 200:
            return f"http_{response.status_code}"
        try:
            document = response.json()
            price = _number(pick(document, self.price_path))
            publish_ms = int(_number(pick(document, self.time_path)) * self.time_unit_ms) if self.time_path else now_ms
            conf = _number(pick(document, self.conf_path)) if self.conf_path else 0.0
        except (ValueError, KeyError, TypeError, InvalidOperation, OverflowError):
            return "bad_body"
        return Quote(self.name, underlying, price, publish_ms, conf)

    async def fetch(self, now_ms: int) -> FetchResult:
        results = await asyncio.gather(*(self._one(u, now_ms) for u in self.underlyings))
        return FetchResult(
            [r for r in results if isinstance(r, Quote)],
            [f"{u}: {r}" for u, r in zip(self.underlyings, results, strict=True) if isinstance(r, str)],
        )

    async def aclose(self) -> None:
        await self.client.aclose()
