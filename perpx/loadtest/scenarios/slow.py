"""slow: WebSocket consumers that fall behind, beside the normal subscribers.

SLOW_CONSUMERS connections subscribe to the busiest market streams (every traded market's depth
diffs, trades and best bid/offer, and every ticker) and then read too slowly: half never read at
all, half read one message every READ_EVERY_S. The api must cut each off (an error frame, then the
close) once its bounded send queue fills, and meanwhile the normal subscribers' delay and the
traders' latency must not suffer. The findings: how many slow consumers the api cut off.
"""

import asyncio
import contextlib
from socket import SO_RCVBUF, SOL_SOCKET
from typing import Any

import websockets

from bots.market_stream import streams_url
from perpx.loadtest.run import Run
from perpx.loadtest.scenarios.base import Scenario

SLOW_CONSUMERS = 20
READ_EVERY_S = 0.05


class SlowConsumers(Scenario):
    name = "slow"

    def __init__(self, run: Run) -> None:
        super().__init__(run)
        self.sockets: list[Any] = []
        self.readers: list[asyncio.Task[None]] = []
        self.cut_off = 0

    def busy_streams(self) -> list[str]:
        names = ["!ticker@arr", "!bookTicker", "!markPrice@arr@1s"]
        for symbol in self.run.symbols:
            low = symbol.lower()
            names += [f"{low}@depth@100ms", f"{low}@trade", f"{low}@bookTicker", f"{low}@depth20@100ms"]
        return names

    async def prepare(self) -> None:
        url = streams_url(self.run.options.url, self.busy_streams())
        for i in range(SLOW_CONSUMERS):
            # a small client-side queue and buffer: what is not read backs up into the server's queue
            socket = await websockets.connect(url, max_size=None, max_queue=1, ping_interval=None, close_timeout=1)
            raw = socket.transport.get_extra_info("socket")
            if raw is not None:
                raw.setsockopt(SOL_SOCKET, SO_RCVBUF, 4096)
            self.sockets.append(socket)
            if i % 2:
                self.readers.append(asyncio.create_task(self.read_slowly(socket)))

    async def read_slowly(self, socket: Any) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                await socket.recv()
                await asyncio.sleep(READ_EVERY_S)

    async def finish(self) -> dict[str, object]:
        for reader in self.readers:
            reader.cancel()
        self.cut_off = sum(await asyncio.gather(*(was_cut_off(s) for s in self.sockets)))
        return {"slow_consumers": len(self.sockets), "cut_off_by_the_api": self.cut_off}

    async def close(self) -> None:
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*(quietly_close(s) for s in self.sockets))


async def quietly_close(socket: Any) -> None:
    with contextlib.suppress(Exception):
        await socket.close()


async def was_cut_off(socket: Any, within_s: float = 5.0) -> bool:
    """Read what is left: a connection the api closed ends in ConnectionClosed; one still open does not."""
    try:
        async with asyncio.timeout(within_s):
            while True:
                await socket.recv()
    except websockets.ConnectionClosed:
        return True
    except TimeoutError:
        return False
