"""Each market's rules and current mark, which the traders price their orders from; the marks are
read again every second (a crash moves them by 30%)."""

import asyncio
import contextlib
from decimal import Decimal

import httpx

from bots.errors import ApiError
from bots.markets import MarketRules, markets_of
from bots.rest import RestClient


class Marks:
    def __init__(self, rest: RestClient) -> None:
        self.rest = rest
        self.rules: dict[str, MarketRules] = {}
        self.marks: dict[str, Decimal] = {}

    async def load(self, wanted: tuple[str, ...]) -> list[str]:
        """The markets to trade: `wanted`, or every trading market with a mark."""
        self.rules = markets_of(await self.rest.exchange_info())
        await self.refresh()
        names = list(wanted) or sorted(s for s, r in self.rules.items() if r.trading)
        unknown = [s for s in names if s not in self.rules]
        if unknown:
            raise SystemExit(f"perpx loadtest: no such market: {', '.join(unknown)}")
        priced = [s for s in names if self.marks.get(s, Decimal(0)) > 0]
        if not priced:
            raise SystemExit("perpx loadtest: no market has a mark price yet (is the oracle running?)")
        return priced

    async def refresh(self) -> None:
        for row in await self.rest.premium_indexes():
            mark = Decimal(row["markPrice"])
            if mark > 0:
                self.marks[row["symbol"]] = mark

    async def keep_fresh(self, stop: asyncio.Event, every_s: float = 1.0) -> None:
        while not stop.is_set():
            with contextlib.suppress(ApiError, httpx.TransportError):
                await self.refresh()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every_s)
