"""Signed reads of one account's orders, fills and income, from the read side's live views.

Every query takes the signed key's account and nothing else: another account's order id or client
id is answered exactly as an unknown one (-2013), and lists hold only the caller's rows. Each read
first waits (briefly) until the views show every write this account made through this process
(api.read_side), so a GET right after a POST sees the POST. Open orders are the AccountsView's;
closed orders, fills and income are its recent windows (views/orders.py, views/own_activity.py),
not the full history.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from api.auth import Signed, signed_with
from api.decimals import format_micro
from api.errors import ApiError
from api.keys import READ
from api.markets import Market, MarketCatalog
from api.openapi import documented
from api.order_response import average_price, closed_status
from api.params import Integer, Params, parse_model
from api.read_side import ReadSide
from messages.enums import OrderType, Side
from views.orders import OrderStatus, OrderView

router = APIRouter(prefix="/fapi/v1", tags=["account reads"])
Reader = Annotated[Signed, Depends(signed_with(READ))]
READ_YOUR_WRITES_S = 2.0  # how long a read waits for the views to show the account's own writes
DAY_MS = 86_400_000


def catalog_of(request: Request) -> MarketCatalog:
    catalog: MarketCatalog = request.app.state.markets
    return catalog


async def caught_up(request: Request, account_id: int) -> ReadSide:
    """The read side, once it shows the account's own writes (or the wait timed out)."""
    read_side: ReadSide = request.app.state.read_side
    await read_side.wait_for_account(account_id, READ_YOUR_WRITES_S)
    return read_side


def bounded(name: str, value: int | None, default: int, maximum: int) -> int:
    if value is None:
        return default
    if not 1 <= value <= maximum:
        raise ApiError(-1130, f"Data sent for parameter '{name}' is not valid.")
    return value


def binance_status(order: OrderView) -> str:
    if order.status is OrderStatus.CANCELED and order.cancel_reason is not None:
        return closed_status(order.cancel_reason)
    return order.status.value


def order_row(market: Market, order: OrderView) -> dict[str, Any]:
    """An order as GET order / openOrder(s) / allOrders show it."""
    notional = order.filled_notional_ticks_lots
    quote_micro = notional * market.spec.micro_per_tick_lot if notional is not None else 0
    average_lots = order.filled_lots if notional is not None else 0
    order_type = order.order_type.value
    return {
        "orderId": order.order_id,
        "symbol": order.market,
        "status": binance_status(order),
        "clientOrderId": order.client_order_id,
        "price": "0" if order.order_type is OrderType.MARKET else market.price(order.price_ticks),
        "avgPrice": average_price(market, quote_micro, average_lots),
        "origQty": market.size(order.size_lots),
        "executedQty": market.size(order.filled_lots),
        "cumQuote": market.quote(quote_micro),
        "timeInForce": order.time_in_force.value,
        "type": order_type,
        "origType": order_type,
        "reduceOnly": order.reduce_only,
        "closePosition": False,
        "side": order.side.value,
        "positionSide": "BOTH",
        "stopPrice": "0",
        "workingType": "CONTRACT_PRICE",
        "priceProtect": False,
        "priceMatch": "NONE",
        "selfTradePreventionMode": order.self_trade_prevention.value,
        "goodTillDate": order.expire_at_ms,
        "time": order.created_ms,
        "updateTime": order.updated_ms,
    }


class OrderRefParams(Params):
    symbol: str
    orderId: Integer | None = None
    origClientOrderId: str | None = None


def order_ref(values: dict[str, str]) -> tuple[str, int, str]:
    params = parse_model(OrderRefParams, values)
    if params.orderId is None and params.origClientOrderId is None:
        raise ApiError(-1102, "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!")
    return params.symbol, params.orderId or 0, params.origClientOrderId or ""


def unknown_order() -> ApiError:
    return ApiError(-2013, "Order does not exist.")


@router.get(
    "/order", summary="Query an order, open or recently closed (USER_DATA)", openapi_extra=documented(OrderRefParams)
)
async def get_order(request: Request, signed: Reader) -> JSONResponse:
    symbol, order_id, client_id = order_ref(signed.params.values)
    market = catalog_of(request).must_get(symbol)
    read_side = await caught_up(request, signed.account_id)
    order = read_side.accounts.get_order(signed.account_id, order_id, client_id)
    if order is None or order.market != market.symbol:
        raise unknown_order()
    return JSONResponse(order_row(market, order))


@router.get("/openOrder", summary="Query an open order (USER_DATA)", openapi_extra=documented(OrderRefParams))
async def get_open_order(request: Request, signed: Reader) -> JSONResponse:
    symbol, order_id, client_id = order_ref(signed.params.values)
    market = catalog_of(request).must_get(symbol)
    read_side = await caught_up(request, signed.account_id)
    order = read_side.accounts.get_order(signed.account_id, order_id, client_id)
    if order is None or order.market != market.symbol:
        raise unknown_order()
    if order.status not in (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED):
        raise ApiError(-2013, "Order does not exist.")
    return JSONResponse(order_row(market, order))


class OpenOrdersParams(Params):
    symbol: str | None = None


@router.get(
    "/openOrders", summary="Open orders, of a symbol or all (USER_DATA)", openapi_extra=documented(OpenOrdersParams)
)
async def get_open_orders(request: Request, signed: Reader) -> JSONResponse:
    params = parse_model(OpenOrdersParams, signed.params.values)
    catalog = catalog_of(request)
    symbol = catalog.must_get(params.symbol).symbol if params.symbol is not None else ""
    read_side = await caught_up(request, signed.account_id)
    rows = []
    for order in read_side.accounts.open_orders(signed.account_id, symbol):
        market = catalog.get(order.market)
        if market is not None:
            rows.append(order_row(market, order))
    return JSONResponse(rows)


class AllOrdersParams(Params):
    symbol: str
    orderId: Integer | None = None
    startTime: Integer | None = None
    endTime: Integer | None = None
    limit: Integer | None = None


def account_orders(read_side: ReadSide, account_id: int, market: str) -> list[OrderView]:
    """Open and recently closed orders of the account in `market`, by order id."""
    orders = read_side.accounts.orders
    closed = [r.view() for r in orders.closed.values() if r.account_id == account_id and r.market == market]
    return sorted(closed + read_side.accounts.open_orders(account_id, market), key=lambda o: o.order_id)


@router.get("/allOrders", summary="Open and recent orders (USER_DATA)", openapi_extra=documented(AllOrdersParams))
async def get_all_orders(request: Request, signed: Reader) -> JSONResponse:
    params = parse_model(AllOrdersParams, signed.params.values)
    market = catalog_of(request).must_get(params.symbol)
    limit = bounded("limit", params.limit, 500, 1000)
    start, end = params.startTime, params.endTime
    if start is not None and end is not None and not 0 <= end - start <= 7 * DAY_MS:
        raise ApiError(-4166, "Search window is restricted to recent 7 days only.")
    read_side = await caught_up(request, signed.account_id)
    orders = account_orders(read_side, signed.account_id, market.symbol)
    if params.orderId is not None:
        chosen = [o for o in orders if o.order_id >= params.orderId][:limit]
    else:
        chosen = [
            o for o in orders if (start is None or o.created_ms >= start) and (end is None or o.created_ms <= end)
        ]
        chosen = chosen[:limit] if start is not None and end is None else chosen[-limit:]
    return JSONResponse([order_row(market, order) for order in chosen])


class UserTradesParams(Params):
    symbol: str
    orderId: Integer | None = None
    startTime: Integer | None = None
    endTime: Integer | None = None
    fromId: Integer | None = None
    limit: Integer | None = None


@router.get("/userTrades", summary="The account's recent fills (USER_DATA)", openapi_extra=documented(UserTradesParams))
async def get_user_trades(request: Request, signed: Reader) -> JSONResponse:
    params = parse_model(UserTradesParams, signed.params.values)
    market = catalog_of(request).must_get(params.symbol)
    limit = bounded("limit", params.limit, 500, 1000)
    start, end = params.startTime, params.endTime
    if params.fromId is not None and (start is not None or end is not None):
        raise ApiError(-4133, "fromId cannot be sent with startTime or endTime.")
    if start is not None and end is not None and not 0 <= end - start <= 7 * DAY_MS:
        raise ApiError(-1127, "More than 7 days between startTime and endTime.")
    read_side = await caught_up(request, signed.account_id)
    fills = read_side.own_activity.own_fills(signed.account_id, market.symbol)
    if params.orderId is not None:
        fills = [f for f in fills if f.order_id == params.orderId]
    if params.fromId is not None:
        chosen = [f for f in fills if f.trade_id >= params.fromId][:limit]
    else:
        fills = [f for f in fills if (start is None or f.ts_ms >= start) and (end is None or f.ts_ms <= end)]
        chosen = fills[:limit] if start is not None and end is None else fills[-limit:]
    per_tick_lot = market.spec.micro_per_tick_lot
    return JSONResponse(
        [
            {
                "buyer": fill.side is Side.BUY,
                "commission": market.quote(fill.fee_micro),
                "commissionAsset": "USDC",
                "id": fill.trade_id,
                "maker": fill.is_maker,
                "orderId": fill.order_id,
                "price": market.price(fill.price_ticks),
                "qty": market.size(fill.size_lots),
                "quoteQty": market.quote(fill.price_ticks * fill.size_lots * per_tick_lot),
                "realizedPnl": market.quote(fill.realized_pnl_micro),
                "side": fill.side.value,
                "positionSide": "BOTH",
                "symbol": market.symbol,
                "time": fill.ts_ms,
            }
            for fill in chosen
        ]
    )


class IncomeParams(Params):
    symbol: str | None = None
    incomeType: str | None = None
    startTime: Integer | None = None
    endTime: Integer | None = None
    page: Integer | None = None
    limit: Integer | None = None


@router.get("/income", summary="The account's recent income (USER_DATA)", openapi_extra=documented(IncomeParams))
async def get_income(request: Request, signed: Reader) -> JSONResponse:
    params = parse_model(IncomeParams, signed.params.values)
    symbol = catalog_of(request).must_get(params.symbol).symbol if params.symbol is not None else None
    limit = bounded("limit", params.limit, 100, 1000)
    page = bounded("page", params.page, 1, 1_000_000)
    start, end = params.startTime, params.endTime
    read_side = await caught_up(request, signed.account_id)
    entries = [
        e
        for e in read_side.own_activity.income(signed.account_id)
        if (symbol is None or e.market == symbol)
        and (params.incomeType is None or e.income_type.value == params.incomeType)
        and (start is None or e.ts_ms >= start)
        and (end is None or e.ts_ms <= end)
    ]
    chosen = entries[(page - 1) * limit : page * limit] if start is not None or page > 1 else entries[-limit:]
    return JSONResponse(
        [
            {
                "symbol": e.market,
                "incomeType": e.income_type.value,
                "income": format_micro(e.amount_micro),
                "asset": "USDC",
                "info": e.income_type.value,
                "time": e.ts_ms,
                "tranId": e.seq,
                "tradeId": str(e.trade_id) if e.trade_id else "",
            }
            for e in chosen
        ]
    )
