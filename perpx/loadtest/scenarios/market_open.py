"""open: a burst of orders at the US market open, 09:30 ET, as the exchange's oracle lives it.

The engine's clock is Redis's entry ids and cannot be set; what changes at 09:30 ET is the oracle's
session (PRE_MARKET to REGULAR, in every PriceUpdate), so the exchange runs with its oracle's clock
shifted to reach the open during the run: `perpx up --oracle-open-in 20` (the next regular open
comes 20 s after the start). The scenario watches the first market's `<symbol>@session` stream; when
REGULAR comes, the traders send BURST_FACTOR times --rate for BURST_S seconds. Phases: before the
open, the burst, after it. Without the open within the run, the findings say so (ok: false).
"""

import asyncio
import contextlib

import websockets

from bots.market_stream import MarketStream
from perpx.loadtest.run import Run
from perpx.loadtest.scenarios.base import Scenario

BURST_FACTOR = 10.0
BURST_S = 5.0


class MarketOpen(Scenario):
    name = "open"

    def __init__(self, run: Run) -> None:
        super().__init__(run)
        self.open_at_s: float | None = None
        self.sessions_seen: list[str] = []
        self.watching: asyncio.Task[None] | None = None

    async def prepare(self) -> None:
        stream = MarketStream(self.run.options.url, [self.run.symbols[0].lower() + "@session"])
        await stream.connect()
        self.watching = asyncio.create_task(self.watch(stream))

    async def watch(self, stream: MarketStream) -> None:
        try:
            async for message in stream.messages():
                session = str(message.data.get("session"))
                self.sessions_seen.append(session)
                if session == "REGULAR" and self.open_at_s is None and len(self.sessions_seen) > 0:
                    self.open_at_s = self.run.clock.now_s()
                    self.run.mark_event("09:30 ET open")
        finally:
            with contextlib.suppress(websockets.ConnectionClosed):
                await stream.close()

    def in_burst(self, at_s: float) -> bool:
        return self.open_at_s is not None and self.open_at_s <= at_s < self.open_at_s + BURST_S

    def rate_factor(self, at_s: float) -> float:
        return BURST_FACTOR if self.in_burst(at_s) else 1.0

    def phase_at(self, at_s: float) -> str | None:
        if self.open_at_s is None or at_s < self.open_at_s:
            return "before_open"
        return "burst" if self.in_burst(at_s) else "after_burst"

    async def finish(self) -> dict[str, object]:
        return {
            "open_seen": self.open_at_s is not None,
            "open_at_s": None if self.open_at_s is None else round(self.open_at_s, 3),
            "sessions_seen": self.sessions_seen,
            "burst": f"{BURST_FACTOR:g} x --rate for {BURST_S:g} s",
            "hint": "" if self.open_at_s is not None else "run the exchange with perpx up --oracle-open-in SECONDS",
            "ok": self.open_at_s is not None,
        }

    async def close(self) -> None:
        if self.watching is not None:
            self.watching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.watching
