"""Market and user data streams on every URL form Binance clients open.

`/ws/<stream>`, `/ws` (then SUBSCRIBE ...), `/stream?streams=a/b` (combined frames), and ccxt.pro's
routed forms `/public/ws/<n>`, `/market/ws/<n>`, `/private/ws?listenKey=...`: a trailing segment
that is not a stream is a connection name. A listen key is a stream name too (Binance's connector
SUBSCRIBEs it). Requests are answered `{"result":...,"id":n}`; bad ones `{"error":{code,msg},"id":n}`
with Binance's codes (0 unknown property, 1 bad value type, 2 invalid request, 3 invalid JSON), and
the connection stays open, except for a flood (more than 10 messages a second), which closes it.
"""

import asyncio
import json
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from api.routes.listen_key import account_of_listen_key
from api.ws.connection import Connection
from api.ws.guard import MessageRate
from api.ws.hub import Hub
from api.ws.names import parse_stream
from api.ws.settings import WsSettings
from api.ws.state import WsState

router = APIRouter()
METHODS = ("SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS", "SET_PROPERTY", "GET_PROPERTY")
POLICY_CLOSE = 1008


def error_frame(code: int, msg: str, request_id: Any = None) -> str:
    return json.dumps({"error": {"code": code, "msg": msg}, "id": request_id})


class MarketSession:
    """One connection's subscriptions and requests."""

    def __init__(self, state: WsState, connection: Connection, private: bool) -> None:
        self.state = state
        self.hub: Hub = state.hub
        self.settings: WsSettings = state.settings
        self.connection = connection
        self.private = private  # a /private/ws connection: closed when its listen key expires

    def symbols(self) -> set[str]:
        return set(self.hub.view.markets.symbols())

    async def add(self, names: list[str]) -> str | None:
        """Subscribe each name; the first problem as an error message (nothing subscribed then)."""
        symbols = self.symbols()
        market: list[str] = []
        users: list[tuple[str, int]] = []
        for name in names:
            if not isinstance(name, str):
                return "Invalid request: stream names must be strings"
            if parse_stream(name, symbols) is not None:
                market.append(name)
                continue
            account_id = await account_of_listen_key(self.state.redis, name) if len(name) >= 20 else None
            if account_id is None:
                return f"Invalid request: unknown stream name '{name}'"
            users.append((name, account_id))
        total = len(self.connection.streams | set(market)) + len(self.connection.listen_keys | {k for k, _ in users})
        if total > self.settings.max_streams:
            return f"Invalid request: too many streams (at most {self.settings.max_streams} per connection)"
        for name in market:
            self.hub.subscribe(self.connection, name)
        for name, account_id in users:
            self.hub.subscribe_user(self.connection, name, account_id)
        return None

    def remove(self, names: list[str]) -> None:
        for name in names:
            if name in self.connection.listen_keys:
                self.hub.unsubscribe_user(self.connection, name)
            else:
                self.hub.unsubscribe(self.connection, name)

    async def handle(self, text: str) -> str:
        try:
            request = json.loads(text)
        except ValueError as exc:
            return error_frame(3, f"Invalid JSON: {exc}")
        if not isinstance(request, dict):
            return error_frame(2, "Invalid request: expected an object")
        request_id = request.get("id")
        if request_id is not None and (
            not isinstance(request_id, int) or isinstance(request_id, bool) or request_id < 0
        ):
            return error_frame(2, "Invalid request: request ID must be an unsigned integer", None)
        unknown = set(request) - {"method", "params", "id"}
        if unknown:
            return error_frame(0, "Unknown property", request_id)
        method = request.get("method")
        if method not in METHODS:
            return error_frame(
                2, f"Invalid request: unknown variant {method!r}, expected one of {', '.join(METHODS)}", request_id
            )
        params = request.get("params", [])
        if not isinstance(params, list):
            return error_frame(2, "Invalid request: params must be a list", request_id)
        if method == "SUBSCRIBE":
            problem = await self.add(params)
            return error_frame(2, problem, request_id) if problem else _result(None, request_id)
        if method == "UNSUBSCRIBE":
            if not all(isinstance(p, str) for p in params):
                return error_frame(2, "Invalid request: stream names must be strings", request_id)
            self.remove(params)
            return _result(None, request_id)
        if method == "LIST_SUBSCRIPTIONS":
            return _result(sorted(self.connection.streams | self.connection.listen_keys), request_id)
        if not params or params[0] != "combined":
            return error_frame(0, "Unknown property", request_id)
        if method == "GET_PROPERTY":
            return _result(self.connection.combined, request_id)
        if len(params) != 2 or not isinstance(params[1], bool):
            return error_frame(1, "Invalid value type: expected Boolean", request_id)
        self.connection.combined = params[1]
        return _result(None, request_id)


def _result(result: Any, request_id: Any) -> str:
    return json.dumps({"result": result, "id": request_id})


async def serve(websocket: WebSocket, names: list[str], combined: bool, listen_key: str | None) -> None:
    state: WsState = websocket.app.state.ws
    ip = websocket.client.host if websocket.client else ""
    lease = await state.ips.admit(ip)
    if lease is None:
        await websocket.accept()
        await websocket.send_text(error_frame(-1, "Too many connections from this IP."))
        await websocket.close(POLICY_CLOSE)
        return
    try:
        await websocket.accept()
        connection = Connection(websocket, state.settings.max_queued, combined)
        session = MarketSession(state, connection, listen_key is not None)
        if listen_key is not None:
            account_id = await account_of_listen_key(state.redis, listen_key)
            if account_id is None:
                await websocket.send_text(error_frame(-1125, "This listenKey does not exist."))
                await websocket.close(POLICY_CLOSE)
                return
            state.hub.subscribe_user(connection, listen_key, account_id)
            state.private.add(connection)
        symbols = session.symbols()
        valid = [name for name in names if parse_stream(name, symbols) is not None]
        problem = await session.add(valid[: state.settings.max_streams])
        if problem:
            connection.offer(error_frame(2, problem))
        await run(session, websocket)
    finally:
        await lease.release()


async def run(session: MarketSession, websocket: WebSocket) -> None:
    connection = session.connection
    state = session.state
    sender = connection.start()
    rate = MessageRate(session.settings.messages_per_s)
    try:
        while not connection.closed:
            receiving = asyncio.ensure_future(websocket.receive())
            done, _ = await asyncio.wait({receiving, sender}, return_when=asyncio.FIRST_COMPLETED)
            if receiving not in done:
                receiving.cancel()
                break
            message = receiving.result()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            if text is None:
                text = (message.get("bytes") or b"").decode("utf-8", "replace")
            if not rate.allow():
                connection.close_soon(error_frame(-1003, "Too many requests: more than 10 messages per second."))
                break
            if len(text) > session.settings.max_frame_bytes:
                connection.offer(error_frame(2, "Invalid request: message too large"))
                continue
            connection.offer(await session.handle(text))
    except WebSocketDisconnect:
        pass
    finally:
        state.hub.drop(connection)
        state.private.discard(connection)
        await asyncio.wait({sender}, timeout=2.0)  # what is queued goes out first (a flood's error frame)
        sender.cancel()
        await connection.close()


def _stream_names(text: str) -> list[str]:
    return [name for name in text.split("/") if name]


@router.websocket("/ws")
async def ws_root(websocket: WebSocket) -> None:
    await serve(websocket, [], False, None)


@router.websocket("/ws/{names:path}")
async def ws_streams(websocket: WebSocket, names: str) -> None:
    """`/ws/<stream>` (or `/ws/<listenKey>`); several joined by `/` as Binance allows."""
    parts = _stream_names(names)
    state: WsState = websocket.app.state.ws
    symbols = set(state.hub.view.markets.symbols())
    is_listen_key = len(parts) == 1 and parse_stream(parts[0], symbols) is None
    if is_listen_key and await account_of_listen_key(state.redis, parts[0]) is not None:
        await serve(websocket, [], False, parts[0])
        return
    await serve(websocket, parts, False, None)


@router.websocket("/stream")
async def combined_streams(websocket: WebSocket) -> None:
    await serve(websocket, _stream_names(websocket.query_params.get("streams", "")), True, None)


@router.websocket("/public/ws")
@router.websocket("/market/ws")
@router.websocket("/public/ws/{name:path}")
@router.websocket("/market/ws/{name:path}")
async def routed(websocket: WebSocket, name: str = "") -> None:
    """ccxt.pro's routed URLs: the trailing segment is a connection name unless it is a stream."""
    await serve(websocket, _stream_names(name), False, None)


@router.websocket("/private/ws")
@router.websocket("/private/ws/{name:path}")
async def private(websocket: WebSocket, name: str = "") -> None:
    listen_key = websocket.query_params.get("listenKey")
    if not listen_key:
        await websocket.accept()
        await websocket.send_text(error_frame(-1102, "Mandatory parameter 'listenKey' was not sent."))
        await websocket.close(POLICY_CLOSE)
        return
    await serve(websocket, [], False, listen_key)
