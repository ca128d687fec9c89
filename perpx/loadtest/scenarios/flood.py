"""flood: malformed REST requests and WebSocket messages mixed into the normal flow.

The first third of the run is clean; then, until the end, FLOOD_REST_PER_S bad REST requests and
FLOOD_WS_PER_S bad WebSocket API messages a second (spread over a few connections) come in beside
the traders' orders: bad signatures, missing and malformed parameters, unknown symbols and paths,
bodies that are not forms, frames that are not JSON, unknown methods. Each must get its error and
change nothing. The normal flow's figures are reported per phase (before and during the flood), the
flood's own as flows (`flood_rest`, `flood_ws`: answers by error code).
"""

import asyncio
import contextlib
import itertools
from typing import Any

import httpx
import msgspec
import websockets

from bots.wire import signed_query, ws_signed
from bots.ws_api import ws_base
from perpx.loadtest.flows import Flow
from perpx.loadtest.run import Run
from perpx.loadtest.scenarios.base import Scenario

FLOOD_REST_PER_S = 100.0
FLOOD_WS_PER_S = 400.0
WS_CONNECTIONS = 4


class Flood(Scenario):
    name = "flood"

    def __init__(self, run: Run) -> None:
        super().__init__(run)
        self.rest_flow = run.extra_flows.setdefault("flood_rest", Flow("flood_rest"))
        self.ws_flow = run.extra_flows.setdefault("flood_ws", Flow("flood_ws"))

    def flood_at_s(self) -> float:
        options = self.run.options
        return options.duration_s / 3 if options.duration_s is not None else 2.0

    def phase_at(self, at_s: float) -> str | None:
        return "before_flood" if at_s < self.flood_at_s() else "during_flood"

    async def during(self) -> None:
        run = self.run
        await asyncio.sleep(max(0.0, self.flood_at_s() - run.clock.now_s()))
        run.mark_event("flood starts")
        await asyncio.gather(
            self.flood_rest(), *(self.flood_ws(i, FLOOD_WS_PER_S / WS_CONNECTIONS) for i in range(WS_CONNECTIONS))
        )

    def bad_rest_requests(self) -> list[tuple[str, str, dict[str, str], str]]:
        """(method, path with query, headers, body): each one a different mistake."""
        trader = self.run.traders[0].credentials
        symbol = self.run.symbols[0]
        good = {"symbol": symbol, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
        key = {"X-MBX-APIKEY": trader.key}
        malformed = {**good, "quantity": "x", "price": "-1"}
        return [
            ("POST", f"/fapi/v1/order?{signed_query('not-the-secret', good, 5000)}", key, ""),
            ("POST", f"/fapi/v1/order?{signed_query(trader.secret, good, 5000)}", key, ""),  # no quantity, price
            ("POST", f"/fapi/v1/order?{signed_query(trader.secret, malformed, 5000)}", key, ""),
            ("POST", f"/fapi/v1/order?{signed_query(trader.secret, {'symbol': 'NOPEUSDC'}, 5000)}", key, ""),
            ("POST", "/fapi/v1/order", {**key, "Content-Type": "application/json"}, '{"symbol": ['),
            ("GET", "/fapi/v1/depth?symbol=NOPEUSDC", {}, ""),
            ("GET", "/fapi/v1/depth?symbol=" + "A" * 2000, {}, ""),
            ("GET", "/fapi/v9/nothing/here", {}, ""),
            ("DELETE", "/fapi/v1/order?symbol=" + symbol + "&orderId=1&timestamp=1&signature=00", key, ""),
        ]

    async def flood_rest(self) -> None:
        run = self.run
        kinds = itertools.count()
        async with httpx.AsyncClient(base_url=run.options.url, timeout=run.options.timeout_s) as http:
            pending: set[asyncio.Task[None]] = set()
            next_s = run.clock.now_s()
            while not run.stop.is_set():
                requests = self.bad_rest_requests()  # signed now: each is wrong as meant, not merely late
                method, path, headers, body = requests[next(kinds) % len(requests)]
                task = asyncio.create_task(self.one_rest(http, method, path, headers, body, next_s))
                pending.add(task)
                task.add_done_callback(pending.discard)
                next_s += 1 / FLOOD_REST_PER_S
                await asyncio.sleep(max(0.0, next_s - run.clock.now_s()))
            for task in pending:
                task.cancel()

    async def one_rest(
        self, http: httpx.AsyncClient, method: str, path: str, headers: dict[str, str], body: str, intended_s: float
    ) -> None:
        self.rest_flow.note_sent()
        try:
            response = await http.request(method, path, headers=headers, content=body or None)
        except httpx.TransportError:
            self.rest_flow.note_failure("connection")
            return
        code = error_code(response.status_code, response.content)
        self.rest_flow.note_answer(intended_s, self.run.clock.now_s(), code)

    def bad_ws_frames(self) -> list[str]:
        trader = self.run.traders[0].credentials
        bad_order = ws_signed(trader.key, trader.secret, {"symbol": self.run.symbols[0], "side": "UP"})
        forged = ws_signed(trader.key, "not-the-secret", {"symbol": self.run.symbols[0]})
        return [
            "not json {",
            '{"id": 1, "method": "order.nope", "params": {}}',
            '{"id": 2, "method": "order.place", "params": "a string"}',
            msgspec.json.encode({"id": 3, "method": "order.place", "params": bad_order}).decode(),
            msgspec.json.encode({"id": 4, "method": "order.cancel", "params": forged}).decode(),
            '["an", "array"]',
            '{"id": 5}',
        ]

    async def flood_ws(self, index: int, per_s: float) -> None:
        run = self.run
        kinds = itertools.count()
        url = ws_base(run.options.url) + "/ws-fapi/v1"
        while not run.stop.is_set():
            try:
                async with websockets.connect(url, max_size=None, ping_interval=None) as socket:
                    reader = asyncio.create_task(self.read_ws(socket))
                    next_s = run.clock.now_s()
                    try:
                        while not run.stop.is_set():
                            frames = self.bad_ws_frames()
                            await socket.send(frames[next(kinds) % len(frames)])
                            self.ws_flow.note_sent()
                            next_s += 1 / per_s
                            await asyncio.sleep(max(0.0, next_s - run.clock.now_s()))
                    finally:
                        reader.cancel()
            except (websockets.ConnectionClosed, OSError):
                self.ws_flow.note_failure("closed")
                await asyncio.sleep(0.2)

    async def read_ws(self, socket: Any) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for frame in socket:
                answer = msgspec.json.decode(frame)
                error = answer.get("error") if isinstance(answer, dict) else None
                code = str(error.get("code")) if isinstance(error, dict) else None
                self.ws_flow.note_untimed_answer(self.run.clock.now_s(), code)  # not matched to its frame


def error_code(status: int, content: bytes) -> str | None:
    """Binance's code of an error answer, else the HTTP status; None for a success."""
    if 200 <= status < 300:
        return None
    try:
        body = msgspec.json.decode(content)
    except msgspec.DecodeError:
        return f"http {status}"
    return str(body["code"]) if isinstance(body, dict) and "code" in body else f"http {status}"
