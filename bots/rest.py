"""An async signed REST client of perpx's Binance USD-M API, on one persistent HTTP connection pool.

Parameters go in the query string for every method (as Binance's UMFutures connector sends them),
signed with HMAC-SHA256 over that exact string, the key in `X-MBX-APIKEY`. Answers are the JSON the
API sends (decimal strings kept as strings); an error answer raises ApiError with its status, code
and msg. Transport failures (connection refused, timeout) raise httpx's TransportError: a caller
that carries on through them catches both.
"""

import json
from collections.abc import Sequence
from decimal import Decimal
from types import TracebackType
from typing import Any, Self, cast

import httpx

from bots.errors import ApiError
from bots.wire import Param, Params, signed_query, wire_params

Json = dict[str, Any]


class RestClient:
    def __init__(
        self,
        base_url: str,
        key: str = "",
        secret: str = "",
        recv_window_ms: int = 10_000,
        timeout_s: float = 10.0,
        max_connections: int = 4,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.key = key
        self.secret = secret
        self.recv_window_ms = recv_window_ms
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout_s, limits=limits)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self.http.aclose()

    # -- the two kinds of request ------------------------------------------------------------------

    async def public(self, method: str, path: str, params: Params | None = None) -> Any:
        response = await self.http.request(method, path, params=wire_params(params or {}))
        return answer_of(response)

    async def signed(self, method: str, path: str, params: Params | None = None) -> Any:
        if not self.key:
            raise ValueError("a signed request needs an API key and secret")
        query = signed_query(self.secret, params or {}, self.recv_window_ms)
        response = await self.http.request(method, f"{path}?{query}", headers={"X-MBX-APIKEY": self.key})
        return answer_of(response)

    # -- market data -------------------------------------------------------------------------------

    async def exchange_info(self) -> Json:
        return cast(Json, await self.public("GET", "/fapi/v1/exchangeInfo"))

    async def depth(self, symbol: str, limit: int = 100) -> Json:
        return cast(Json, await self.public("GET", "/fapi/v1/depth", {"symbol": symbol, "limit": limit}))

    async def premium_index(self, symbol: str) -> Json:
        return cast(Json, await self.public("GET", "/fapi/v1/premiumIndex", {"symbol": symbol}))

    async def premium_indexes(self) -> list[Json]:
        return cast(list[Json], await self.public("GET", "/fapi/v1/premiumIndex"))

    async def book_ticker(self, symbol: str) -> Json:
        return cast(Json, await self.public("GET", "/fapi/v1/ticker/bookTicker", {"symbol": symbol}))

    # -- orders ------------------------------------------------------------------------------------

    async def place_order(self, order: Params) -> Json:
        """POST /fapi/v1/order: `order` as Binance names it (symbol, side, type, quantity, price, ...)."""
        return cast(Json, await self.signed("POST", "/fapi/v1/order", order))

    async def batch_orders(self, orders: Sequence[Params]) -> list[Json | ApiError]:
        """POST /fapi/v1/batchOrders (at most 5): each order's answer, or its own error, in order."""
        batch = json.dumps([wire_params(order) for order in orders], separators=(",", ":"))
        answers = await self.signed("POST", "/fapi/v1/batchOrders", {"batchOrders": batch})
        return [element_of(a) for a in answers]

    async def cancel_order(self, symbol: str, order_id: int | None = None, client_order_id: str = "") -> Json:
        ref: dict[str, Param] = {"symbol": symbol}
        if order_id is not None:
            ref["orderId"] = order_id
        if client_order_id:
            ref["origClientOrderId"] = client_order_id
        return cast(Json, await self.signed("DELETE", "/fapi/v1/order", ref))

    async def cancel_orders(self, symbol: str, order_ids: Sequence[int]) -> list[Json | ApiError]:
        """DELETE /fapi/v1/batchOrders (at most 10): each cancel's answer, or its own error."""
        listed = json.dumps(list(order_ids), separators=(",", ":"))
        answers = await self.signed("DELETE", "/fapi/v1/batchOrders", {"symbol": symbol, "orderIdList": listed})
        return [element_of(a) for a in answers]

    async def cancel_all(self, symbol: str) -> Json:
        return cast(Json, await self.signed("DELETE", "/fapi/v1/allOpenOrders", {"symbol": symbol}))

    async def open_orders(self, symbol: str | None = None) -> list[Json]:
        params: dict[str, Param] = {"symbol": symbol} if symbol else {}
        return cast(list[Json], await self.signed("GET", "/fapi/v1/openOrders", params))

    # -- account -----------------------------------------------------------------------------------

    async def account(self) -> Json:
        return cast(Json, await self.signed("GET", "/fapi/v3/account"))

    async def position_risk(self, symbol: str | None = None) -> list[Json]:
        params: dict[str, Param] = {"symbol": symbol} if symbol else {}
        return cast(list[Json], await self.signed("GET", "/fapi/v3/positionRisk", params))

    async def position(self, symbol: str) -> Decimal:
        """The signed position size in `symbol` (0 when flat)."""
        rows = await self.position_risk(symbol)
        return sum((Decimal(r["positionAmt"]) for r in rows if r["symbol"] == symbol), Decimal(0))

    async def set_leverage(self, symbol: str, leverage: int) -> Json:
        return cast(Json, await self.signed("POST", "/fapi/v1/leverage", {"symbol": symbol, "leverage": leverage}))

    # -- admin (an admin key) ----------------------------------------------------------------------

    async def deposit(self, account: int, amount: Decimal) -> Json:
        return cast(Json, await self.signed("POST", "/perpx/v1/admin/deposit", {"account": account, "amount": amount}))

    async def push_price(self, underlying: str, price: Decimal) -> Json:
        params: dict[str, Param] = {"underlying": underlying, "price": price}
        return cast(Json, await self.signed("POST", "/perpx/v1/admin/price", params))


def answer_of(response: httpx.Response) -> Any:
    """The body of a 2xx answer; an ApiError for anything else (Binance's code and msg when given)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.is_success and body is not None:
        return body
    if isinstance(body, dict) and isinstance(body.get("code"), int):
        raise ApiError(response.status_code, body["code"], str(body.get("msg", "")))
    raise ApiError(response.status_code, -1000, response.text[:200])


def element_of(answer: Any) -> Json | ApiError:
    """One element of a batch's answer: an order, or the error that element met."""
    if isinstance(answer, dict) and "orderId" not in answer and isinstance(answer.get("code"), int):
        return ApiError(400, answer["code"], str(answer.get("msg", "")))
    return cast(Json, answer)
