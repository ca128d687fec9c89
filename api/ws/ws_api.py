"""Order entry over WebSocket at `/ws-fapi/v1`, as Binance's USD-M WebSocket API.

Requests `{"id", "method", "params"}`; answers `{"id", "status", "result"}` or `{"id", "status",
"error": {"code", "msg"}}`, with `rateLimits`. Each request is signed (params with `apiKey`,
`timestamp`, `signature`: HMAC-SHA256 over the other params sorted by key, `k=v&...` unencoded,
booleans `true`/`false`, as Binance checks it), or sent after `session.logon`, which binds the
connection to a key. The order methods are the REST ones' code (api.order_params, api.gateway,
api.order_response): one parser, one reject table, one response shape.

Requests of one connection run concurrently (at most MAX_IN_FLIGHT at once) and each is answered
when done, so answers may come in another order than the requests; clients match them by `id`, and
a client that needs one request executed before another waits for the first's answer.
Requests are limited as REST's are, by the IP's request weight and the account's order counts
(api/limits.py, shared with REST), not per message. `?cancelOnDisconnect=true` on the URL: when
the connection drops, every open order of each account that authenticated on it is canceled
through the engine (CancelAll, with the drop's time).
"""

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

import msgspec
from fastapi import APIRouter, Request, Response, WebSocket, WebSocketDisconnect

from api.auth import Signed, check_timestamp, signature_of
from api.errors import ApiError, key_refused, mandatory
from api.gateway import Gateway, new_command_id, now_ms
from api.keys import READ, TRADE, ApiKey
from api.limits import Limiter, TooMuchWeight
from api.markets import MarketCatalog
from api.order_desk import NO_IP, OrderDesk
from api.order_params import amend, cancel, new_order
from api.order_response import amended_order, canceled_order
from api.params import RawParams
from api.routes.account_info import (
    get_account_v2,
    get_account_v3,
    get_balance_v2,
    get_balance_v3,
    get_position_risk_v2,
    get_position_risk_v3,
)
from api.routes.listen_key import current_key, extend, listen_key_name
from api.routes.order_reads import get_order
from api.routes.orders import placement_result
from api.ws.state import WsState
from messages.commands import CancelAll
from messages.events import OrderCanceled

router = APIRouter()
log = logging.getLogger("perpx.api.ws")
AUTH_PARAMS = ("apiKey", "timestamp", "signature", "recvWindow", "returnRateLimits")
RestRead = Callable[[Request, Signed], Awaitable[Response]]
READS: dict[str, RestRead] = {
    "order.status": get_order,
    "account.status": get_account_v2,
    "v2/account.status": get_account_v3,
    "account.balance": get_balance_v2,
    "v2/account.balance": get_balance_v3,
    "account.position": get_position_risk_v2,
    "v2/account.position": get_position_risk_v3,
}
MAX_IN_FLIGHT = 64  # requests of one connection being executed at once (a read may hold a Redis connection;
# an order holds none: api.order_desk batches them on one), past which reading the socket waits
WEIGHTS = {"order.place": 0, "session.logon": 2, "account.status": 5, "v2/account.status": 5, "account.position": 5}


def wire_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def signature_payload(params: dict[str, str]) -> str:
    """What Binance's WebSocket API signs: every parameter but `signature`, sorted by name."""
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "signature")


_encode = msgspec.json.Encoder().encode


def read_json(text: str) -> Any:
    """msgspec's parse (a few times faster); what it refuses gets json's own verdict and message
    (json takes NaN and Infinity, and its errors are the ones clients have seen)."""
    try:
        return msgspec.json.decode(text)
    except msgspec.DecodeError:
        return json.loads(text)


def write_json(reply: dict[str, Any]) -> str:
    """msgspec's encoding, or json's for what msgspec cannot carry (an id past 64 bits, say)."""
    try:
        return _encode(reply).decode()
    except (TypeError, OverflowError, msgspec.EncodeError):
        return json.dumps(reply)


def too_much_weight() -> ApiError:
    return ApiError(-1003, "Too much request weight used; current limit exceeded.", 429)


class WsApiSession:
    def __init__(self, websocket: WebSocket, cancel_on_disconnect: bool) -> None:
        self.websocket = websocket
        self.app = websocket.app
        self.logged_on: ApiKey | None = None
        self.cancel_on_disconnect = cancel_on_disconnect
        self.accounts: set[int] = set()  # every account that authenticated here
        self.ip = websocket.client.host if websocket.client else ""
        self.weight_used = 0

    @property
    def markets(self) -> MarketCatalog:
        markets: MarketCatalog = self.app.state.markets
        return markets

    @property
    def gateway(self) -> Gateway:
        gateway: Gateway = self.app.state.gateway
        return gateway

    def rate_limits(self) -> list[dict[str, object]]:
        limits = self.app.state.settings.limits
        return [
            {
                "rateLimitType": "REQUEST_WEIGHT",
                "interval": "MINUTE",
                "intervalNum": 1,
                "limit": limits.ip_weight_per_minute,
                "count": self.weight_used,
            }
        ]

    async def answer(self, text: str) -> dict[str, Any]:
        request_id: Any = None
        try:
            try:
                request = read_json(text)
            except ValueError as exc:
                raise ApiError(-1000, f"Invalid JSON: {exc}") from exc
            if not isinstance(request, dict):
                raise ApiError(-1000, "Invalid request: expected an object.")
            request_id = request.get("id")
            method = request.get("method")
            raw = request.get("params", {})
            if not isinstance(method, str) or not isinstance(raw, dict):
                raise ApiError(-1000, "Invalid request: method must be a string and params an object.")
            params = {str(k): wire_text(v) for k, v in raw.items()}
            if method == "order.place":
                result = await self.place(params)  # charges the IP in the same Redis call as the order
            else:
                await self.charge_ip(WEIGHTS.get(method, 1))
                result = await self.call(method, params)
            return {"id": request_id, "status": 200, "result": result, "rateLimits": self.rate_limits()}
        except Exception as exc:
            if isinstance(exc, ApiError):
                error = exc
            else:
                log.exception("a WebSocket API request failed")
                error = ApiError(-1000, "An unknown error occurred while processing the request.", 500)
            return {
                "id": request_id,
                "status": error.status,
                "error": {"code": error.code, "msg": error.msg},
                "rateLimits": self.rate_limits(),
            }

    async def authenticate(self, params: dict[str, str], permission: str) -> ApiKey:
        """The signed request's key (its signature checked), or the session's logged-on key."""
        if "signature" not in params and self.logged_on is not None:
            if not self.logged_on.can(permission):
                raise key_refused()
            return self.logged_on
        key_text = params.get("apiKey", "")
        if not key_text:
            raise mandatory("apiKey")
        check_timestamp(params, now_ms())
        signature = params.get("signature", "")
        if not signature:
            raise mandatory("signature")
        api_key: ApiKey | None = await self.app.state.keys.get(key_text)
        if api_key is None:
            raise key_refused()
        expected = signature_of(api_key.secret, signature_payload(params))
        if not hmac.compare_digest(expected, signature.lower()):
            raise ApiError(-1022, "Signature for this request is not valid.")
        if not api_key.can(permission):
            raise key_refused()
        self.accounts.add(api_key.account_id)
        return api_key

    async def key_only(self, params: dict[str, str]) -> ApiKey:
        """userDataStream.*: the API key alone (as Binance), or the logged-on one."""
        key_text = params.get("apiKey", "")
        if not key_text and self.logged_on is not None:
            return self.logged_on
        api_key: ApiKey | None = await self.app.state.keys.get(key_text) if key_text else None
        if api_key is None or not api_key.can(READ):
            raise key_refused()
        return api_key

    async def charge_ip(self, weight: int) -> None:
        limiter: Limiter = self.app.state.limiter
        try:
            self.weight_used = await limiter.charge_ip(self.ip, weight)
        except TooMuchWeight as exc:
            raise too_much_weight() from exc

    async def place(self, params: dict[str, str]) -> Any:
        """order.place: the IP's weight, the account's order counts and the append in one Redis
        call (api.order_desk). A request refused before that call is charged to the IP first, so
        that a ban or an exhausted budget answers before any other error, as for every request."""
        try:
            key = await self.authenticate(params, TRADE)
            order = new_order(params, self.markets, key.account_id, AUTH_PARAMS)
        except ApiError:
            await self.charge_ip(WEIGHTS["order.place"])
            raise
        desk: OrderDesk = self.app.state.order_desk
        admission = await desk.admit(order.command, key.account_id, 1, self.ip, WEIGHTS["order.place"])
        if admission.ip_used != NO_IP:
            self.weight_used = admission.ip_used
        if isinstance(admission.refused, TooMuchWeight):
            raise too_much_weight() from admission.refused
        if admission.refused is not None:
            raise admission.refused
        return placement_result(order, await self.gateway.result_of(order.command))

    async def call(self, method: str, params: dict[str, str]) -> Any:
        if method == "order.modify":
            key = await self.authenticate(params, TRADE)
            command, market = amend(params, self.markets, key.account_id, AUTH_PARAMS)
            await self.charge_orders(key.account_id)
            return amended_order(await self.gateway.submit(command), market)
        if method == "order.cancel":
            key = await self.authenticate(params, TRADE)
            cancel_command, market = cancel(params, self.markets, key.account_id, AUTH_PARAMS)
            events = await self.gateway.submit(cancel_command)
            canceled = next(e for e in events if isinstance(e, OrderCanceled))
            return canceled_order(canceled, market)
        if method in READS:
            key = await self.authenticate(params, READ)
            return await self.read(READS[method], key, params)
        if method == "session.logon":
            key = await self.authenticate(params, READ)
            self.logged_on = key
            return self.session_status()
        if method == "session.status":
            return self.session_status()
        if method == "session.logout":
            self.logged_on = None
            return self.session_status()
        if method in ("userDataStream.start", "userDataStream.ping"):
            key = await self.key_only(params)
            client = self.app.state.redis
            listen_key = await current_key(client, key.account_id)
            if listen_key is None:
                if method == "userDataStream.ping":
                    raise ApiError(-1125, "This listenKey does not exist.")
                import secrets

                listen_key = secrets.token_urlsafe(48)
            await extend(client, key.account_id, listen_key, self.app.state.settings.listen_key_ttl_s)
            return {"listenKey": listen_key}
        if method == "userDataStream.stop":
            key = await self.key_only(params)
            client = self.app.state.redis
            listen_key = await current_key(client, key.account_id)
            if listen_key is not None:
                await client.delete(listen_key_name(listen_key), "perpx:api:listen_key_of:" + str(key.account_id))
            return {}
        raise ApiError(-1000, f"Unknown method '{method}'.")

    async def charge_orders(self, account_id: int) -> None:
        limiter: Limiter = self.app.state.limiter
        await limiter.charge_orders(cast(Request, self.websocket), account_id, 1)

    async def read(self, handler: RestRead, key: ApiKey, params: dict[str, str]) -> Any:
        """A signed REST read's own handler, answered over the socket: one implementation of each
        read (api/routes/order_reads.py, account_info.py), its body as this request's result."""
        values = {k: v for k, v in params.items() if k not in ("apiKey", "returnRateLimits")}
        response = await handler(cast(Request, self.websocket), Signed(key, RawParams("", "", values)))
        return json.loads(bytes(response.body))

    def session_status(self) -> dict[str, Any]:
        return {
            "apiKey": self.logged_on.key if self.logged_on is not None else None,
            "authorizedSince": now_ms() if self.logged_on is not None else None,
            "connectedSince": now_ms(),
            "returnRateLimits": True,
            "serverTime": now_ms(),
        }

    async def cancel_everything(self) -> None:
        """Cancel-on-disconnect: every open order of each account seen here, at the drop's time."""
        dropped_ms = now_ms()
        for account_id in sorted(self.accounts):
            with contextlib.suppress(ApiError):
                await self.gateway.submit(CancelAll(new_command_id(), dropped_ms, account_id, ""))


@router.websocket("/ws-fapi/v1")
async def ws_api(websocket: WebSocket) -> None:
    state: WsState = websocket.app.state.ws
    ip = websocket.client.host if websocket.client else ""
    await websocket.accept()
    lease = await state.ips.admit(ip)
    if lease is None:
        await websocket.send_text(
            json.dumps(
                {"id": None, "status": 429, "error": {"code": -1003, "msg": "Too many connections from this IP."}}
            )
        )
        await websocket.close(1008)
        return
    session = WsApiSession(websocket, websocket.query_params.get("cancelOnDisconnect", "") == "true")
    in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
    tasks: set[asyncio.Task[None]] = set()

    async def answer(text: str) -> None:
        try:
            reply = await session.answer(text)
            with contextlib.suppress(Exception):  # the client may be gone
                await websocket.send_text(write_json(reply))
        finally:
            in_flight.release()

    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text") or (message.get("bytes") or b"").decode("utf-8", "replace")
            if len(text) > state.settings.max_frame_bytes:
                too_large = {"id": None, "status": 400, "error": {"code": -1000, "msg": "Request too large."}}
                await websocket.send_text(json.dumps(too_large))
                continue
            await in_flight.acquire()  # past MAX_IN_FLIGHT unanswered requests, reading waits
            task = asyncio.create_task(answer(text))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        await lease.release()
        if tasks:
            await asyncio.wait(tasks)  # what was sent is executed before the disconnect's cancel
        if session.cancel_on_disconnect:
            await session.cancel_everything()
