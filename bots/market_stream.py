"""A subscriber of perpx's market streams in Binance's combined form (`/stream?streams=a/b/...`).

Each message comes with the wall-clock time it was read (`received_ms`, the same clock as the
engine's `T` and the api's `E` in the payload, so their difference is the delay a reader saw).
"""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import msgspec
import websockets

from bots.bot import MAX_BACKOFF_S
from bots.ws_api import ws_base


@dataclass(frozen=True)
class MarketMessage:
    stream: str
    data: dict[str, Any]
    received_ns: int  # time.time_ns() when the frame was read

    @property
    def received_ms(self) -> int:
        return self.received_ns // 1_000_000

    def event_delay_ms(self) -> int | None:
        """Receipt minus the engine time of the event behind the message (`T`, else `E`)."""
        engine_ms = self.data.get("T", self.data.get("E"))
        return self.received_ms - engine_ms if isinstance(engine_ms, int) else None


def streams_url(base_url: str, streams: Sequence[str]) -> str:
    return ws_base(base_url) + "/stream?streams=" + "/".join(streams)


class MarketStream:
    def __init__(self, base_url: str, streams: Sequence[str], open_timeout_s: float = 10.0) -> None:
        if not streams:
            raise ValueError("a market stream needs at least one stream name")
        self.url = streams_url(base_url, streams)
        self.open_timeout_s = open_timeout_s
        self.socket: Any = None

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.close()

    async def connect(self) -> None:
        await self.close()
        self.socket = await websockets.connect(
            self.url, max_size=None, compression=None, open_timeout=self.open_timeout_s, ping_interval=None
        )

    async def close(self) -> None:
        socket, self.socket = self.socket, None
        if socket is not None:
            with contextlib.suppress(Exception):
                await socket.close()

    async def receive(self) -> MarketMessage:
        """The next market message (answers to requests, which carry no `stream`, are skipped)."""
        if self.socket is None:
            raise ConnectionError("the market stream is not connected")
        while True:
            frame = await self.socket.recv()
            received_ns = time.time_ns()
            message = msgspec.json.decode(frame)
            if isinstance(message, dict) and "stream" in message and isinstance(message.get("data"), dict):
                return MarketMessage(message["stream"], message["data"], received_ns)

    async def messages(self, reconnect: bool = False) -> AsyncIterator[MarketMessage]:
        """Every message until the connection closes; with `reconnect`, across drops (connecting again
        after 0.1, 0.2, 0.4 ... up to 5 s: what was sent while away is not seen)."""
        failures = 0
        while True:
            try:
                if self.socket is None:
                    await self.connect()
                message = await self.receive()
            except (websockets.ConnectionClosed, OSError, TimeoutError):
                await self.close()
                if not reconnect:
                    return
                failures += 1
                await asyncio.sleep(min(MAX_BACKOFF_S, 0.05 * 2**failures))
                continue
            failures = 0
            yield message
