"""K market-data subscribers (bots.market_stream), one connection each, every one on a market's
trades and best bid/offer; each message's delay is its receipt minus `T`, the engine time of the
event behind it (the Redis entry time of the command that caused it). Engine, api and subscribers
share this machine's clock, and `T` is whole milliseconds: a delay is good to about 1 ms.
"""

import asyncio
import contextlib

import websockets

from bots.market_stream import MarketStream
from perpx.loadtest.latency import Latency

STREAMS = ("@trade", "@bookTicker")


class Subscribers:
    def __init__(self, url: str, symbols: list[str], count: int) -> None:
        self.streams = [
            MarketStream(url, [symbols[i % len(symbols)].lower() + name for name in STREAMS]) for i in range(count)
        ]
        self.delay = Latency()
        self.messages = 0
        self.disconnected = 0
        self.tasks: list[asyncio.Task[None]] = []

    async def connect(self, at_once: int = 50) -> None:
        """Connect every subscriber, `at_once` at a time (a thousand handshakes at once time out)."""
        for start in range(0, len(self.streams), at_once):
            await asyncio.gather(*(s.connect() for s in self.streams[start : start + at_once]))

    def start(self) -> None:
        self.tasks = [asyncio.create_task(self.read(s)) for s in self.streams]

    def reset(self) -> None:
        """Forget what came before the measured run (the warm-up)."""
        self.delay = Latency()
        self.messages = 0

    async def read(self, stream: MarketStream) -> None:
        try:
            while True:
                message = await stream.receive()
                delay_ms = message.event_delay_ms()
                if delay_ms is not None:
                    self.delay.record_s(delay_ms / 1000)
                    self.messages += 1
        except (websockets.ConnectionClosed, ConnectionError):
            self.disconnected += 1

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await asyncio.gather(*(s.close() for s in self.streams))

    def summary(self) -> dict[str, object]:
        return {
            "md_subscribers": len(self.streams),
            "md_messages": self.messages,
            **self.delay.summary_ms("md_delay_"),
            "md_disconnected": self.disconnected,
        }
