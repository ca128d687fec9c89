"""An async client of perpx's WebSocket API (`/ws-fapi/v1`, Binance USD-M's order entry over a socket).

Requests are pipelined: `send` writes one and returns a future at once, so many are in flight on one
connection; a reader task matches each answer to its future by `id`. Every answer carries the
monotonic times its request was written and its answer read (`sent_ns`, `answered_ns`), which is
what a load test measures. After `session.logon` requests go unsigned (the server knows the key);
with `logon=False` each request is signed on its own (apiKey, timestamp, signature).

When the connection drops, every request in flight fails with ConnectionError; `connect` again
(or `ensure_connected`) opens a new one.
"""

import asyncio
import contextlib
import itertools
import logging
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import msgspec
import websockets

from bots.errors import ApiError
from bots.wire import Param, Params, wire_params, ws_signed

log = logging.getLogger("perpx.bots.ws_api")
Json = dict[str, Any]


@dataclass(frozen=True)
class WsAnswer:
    id: int
    method: str
    status: int
    result: Any
    error: ApiError | None
    sent_ns: int  # time.perf_counter_ns() when the request was written
    answered_ns: int  # ... and when its answer was read

    @property
    def latency_ns(self) -> int:
        return self.answered_ns - self.sent_ns

    def must_result(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.result


def ws_base(base_url: str) -> str:
    """ws://host:port from http://host:port (a ws:// URL as it is)."""
    url = base_url.rstrip("/")
    if url.startswith("https://"):
        return "wss://" + url.removeprefix("https://")
    if url.startswith("http://"):
        return "ws://" + url.removeprefix("http://")
    return url


class WsApiClient:
    def __init__(
        self,
        base_url: str,
        key: str,
        secret: str,
        logon: bool = True,
        cancel_on_disconnect: bool = False,
        open_timeout_s: float = 10.0,
    ) -> None:
        self.url = ws_base(base_url) + "/ws-fapi/v1" + ("?cancelOnDisconnect=true" if cancel_on_disconnect else "")
        self.key = key
        self.secret = secret
        self.logon = logon
        self.open_timeout_s = open_timeout_s
        self.socket: Any = None
        self.reader: asyncio.Task[None] | None = None
        self.pending: dict[int, tuple[str, int, asyncio.Future[WsAnswer]]] = {}
        self.ids = itertools.count(1)
        self.logged_on = False
        self.encoder = msgspec.json.Encoder()

    @property
    def connected(self) -> bool:
        return self.socket is not None and self.reader is not None and not self.reader.done()

    async def connect(self) -> None:
        await self.close()
        self.socket = await websockets.connect(
            self.url, max_size=None, compression=None, open_timeout=self.open_timeout_s, ping_interval=None
        )
        self.reader = asyncio.create_task(self.read_answers(self.socket), name="ws-api-reader")
        self.logged_on = False
        if self.logon:
            await self.request("session.logon", {})
            self.logged_on = True

    async def ensure_connected(self) -> None:
        if not self.connected:
            await self.connect()

    async def close(self) -> None:
        socket, reader = self.socket, self.reader
        self.socket = self.reader = None
        if socket is not None:
            with contextlib.suppress(Exception):
                await socket.close()
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
        self.fail_pending(ConnectionError("the WebSocket API connection was closed"))

    def fail_pending(self, error: Exception) -> None:
        pending, self.pending = self.pending, {}
        for _, _, future in pending.values():
            if not future.done():
                future.set_exception(error)

    async def read_answers(self, socket: Any) -> None:
        try:
            async for frame in socket:
                self.settle(frame, time.perf_counter_ns())
        except websockets.ConnectionClosed:
            pass
        finally:
            self.fail_pending(ConnectionError("the WebSocket API connection was lost"))

    def settle(self, frame: str | bytes, answered_ns: int) -> None:
        """Resolve the future of the request that `frame` answers."""
        try:
            answer = msgspec.json.decode(frame)
        except msgspec.DecodeError:
            log.warning("the WebSocket API sent what is not JSON: %.200r", frame)
            return
        request_id = answer.get("id") if isinstance(answer, dict) else None
        entry = self.pending.pop(request_id, None) if isinstance(request_id, int) else None
        if entry is None or not isinstance(request_id, int):
            log.warning("an answer to no request of ours: %.200r", frame)
            return
        method, sent_ns, future = entry
        error = answer.get("error")
        status = int(answer.get("status", 200))
        refused = ApiError(status, int(error.get("code", -1000)), str(error.get("msg", ""))) if error else None
        if not future.done():
            future.set_result(WsAnswer(request_id, method, status, answer.get("result"), refused, sent_ns, answered_ns))

    def params_of(self, method: str, params: Params) -> dict[str, str]:
        if self.logged_on or method in ("session.status", "session.logout"):
            return wire_params(params)
        return ws_signed(self.key, self.secret, params)

    async def send(self, method: str, params: Params) -> "asyncio.Future[WsAnswer]":
        """Write one request and return the future of its answer, without waiting for it."""
        if self.socket is None:
            raise ConnectionError("the WebSocket API is not connected")
        request_id = next(self.ids)
        future: asyncio.Future[WsAnswer] = asyncio.get_running_loop().create_future()
        frame = self.encoder.encode({"id": request_id, "method": method, "params": self.params_of(method, params)})
        self.pending[request_id] = (method, time.perf_counter_ns(), future)
        try:
            await self.socket.send(frame.decode())
        except websockets.ConnectionClosed as closed:
            self.pending.pop(request_id, None)
            raise ConnectionError("the WebSocket API connection was lost") from closed
        return future

    async def request(self, method: str, params: Params) -> Any:
        """One request's result; its error raised as ApiError."""
        answer = await (await self.send(method, params))
        return answer.must_result()

    async def place_order(self, order: Params) -> Json:
        return cast(Json, await self.request("order.place", order))

    async def cancel_order(self, symbol: str, order_id: int) -> Json:
        return cast(Json, await self.request("order.cancel", {"symbol": symbol, "orderId": order_id}))

    async def modify_order(self, symbol: str, order_id: int, side: str, quantity: Decimal, price: Decimal) -> Json:
        params: dict[str, Param] = {
            "symbol": symbol,
            "orderId": order_id,
            "side": side,
            "quantity": quantity,
            "price": price,
        }
        return cast(Json, await self.request("order.modify", params))
