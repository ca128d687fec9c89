"""Signed order entry: new, amend, cancel (one or a batch), cancel all. Answered from each command's
own result events; the order reads (GET order, openOrder(s), allOrders) are api.routes.order_reads'."""

import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from api.auth import Signed, signed_with
from api.errors import ApiError, error_body, mandatory
from api.gateway import Gateway, new_command_id, now_ms, rejection_of
from api.keys import TRADE
from api.markets import MarketCatalog
from api.openapi import documented
from api.order_desk import OrderDesk
from api.order_params import AmendParams, NewOrder, NewOrderParams, OrderRefParams, amend, cancel, new_order
from api.order_response import amended_order, canceled_order, find, placed_order
from api.params import SIGNED, Integer, Params, parse_model
from api.read_side import ReadSide
from api.routes.order_reads import READ_YOUR_WRITES_S
from api.routes.public import MAX_NUM_ORDERS
from messages.commands import CancelAll, CountdownCancelAll
from messages.enums import CancelReason
from messages.events import Event, OrderAccepted, OrderCanceled

router = APIRouter(prefix="/fapi/v1", tags=["orders"])
Trader = Annotated[Signed, Depends(signed_with(TRADE))]
MAX_BATCH_ORDERS = 5
MAX_BATCH_CANCELS = 10


def gateway_of(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


def markets_of(request: Request) -> MarketCatalog:
    markets: MarketCatalog = request.app.state.markets
    return markets


# -- placing ---------------------------------------------------------------------------------------


def placement_result(order: NewOrder, events: list[Event]) -> dict[str, Any]:
    """The order, or the error Binance gives for a post-only or fill-or-kill order that expired at once."""
    rejected = rejection_of(events)
    if rejected is not None:
        raise rejected
    accepted = find(events, OrderAccepted)
    if accepted is None:  # pragma: no cover - an accepted PlaceOrder always starts with OrderAccepted
        raise ApiError(-1000, "An unknown error occurred while processing the request.", 500)
    canceled = find(events, OrderCanceled, accepted.order_id)
    if isinstance(canceled, OrderCanceled):
        if canceled.reason is CancelReason.POST_ONLY_WOULD_TAKE:
            raise ApiError(
                -5022, "Due to the order could not be executed as maker, the Post Only order will be rejected."
            )
        if canceled.reason is CancelReason.FOK_NOT_FILLED:
            raise ApiError(-5021, "Due to the order could not be filled immediately, the FOK order has been rejected.")
    return placed_order(events, order.market, order.command.self_trade_prevention, order.result)


async def check_open_order_cap(request: Request, account_id: int, new_orders: int) -> None:
    """MAX_NUM_ORDERS at the edge: the account's open orders as the read side shows them (after its
    own writes through this process), plus the new ones, may not pass the cap. Orders in flight
    through other api processes are not yet in the view: the cap is the api's, not the engine's."""
    read_side: ReadSide = request.app.state.read_side
    await read_side.wait_for_account(account_id, READ_YOUR_WRITES_S)
    if len(read_side.accounts.open_orders(account_id)) + new_orders > MAX_NUM_ORDERS:
        raise ApiError(-2025, "Reach max open order limit.")


@router.post("/order", summary="New order (TRADE)", openapi_extra=documented(NewOrderParams))
async def post_order(request: Request, signed: Trader) -> JSONResponse:
    order = new_order(signed.params.values, markets_of(request), signed.account_id, SIGNED)
    await check_open_order_cap(request, signed.account_id, 1)
    desk: OrderDesk = request.app.state.order_desk
    admission = await desk.admit(order.command, signed.account_id)  # counted and appended in one call
    request.state.order_counts = admission.order_counts
    if admission.refused is not None:
        raise admission.refused
    return JSONResponse(placement_result(order, await gateway_of(request).result_of(order.command)))


@router.put("/order", summary="Modify a resting limit order (TRADE)", openapi_extra=documented(AmendParams))
async def put_order(request: Request, signed: Trader) -> JSONResponse:
    command, market = amend(signed.params.values, markets_of(request), signed.account_id, SIGNED)
    await request.app.state.limiter.charge_orders(request, signed.account_id, 1)
    events = await gateway_of(request).submit(command)
    return JSONResponse(amended_order(events, market))


@router.delete("/order", summary="Cancel an order (TRADE)", openapi_extra=documented(OrderRefParams))
async def delete_order(request: Request, signed: Trader) -> JSONResponse:
    return JSONResponse(await cancel_and_answer(request, signed.account_id, signed.params.values, SIGNED))


async def cancel_and_answer(
    request: Request, account_id: int, values: dict[str, str], ignore: tuple[str, ...]
) -> dict[str, Any]:
    command, market = cancel(values, markets_of(request), account_id, ignore)
    canceled = find(await gateway_of(request).submit(command), OrderCanceled)
    assert isinstance(canceled, OrderCanceled)  # an accepted CancelOrder always cancels
    return canceled_order(canceled, market)


class SymbolParams(Params):
    symbol: str


@router.delete(
    "/allOpenOrders", summary="Cancel all open orders of a symbol (TRADE)", openapi_extra=documented(SymbolParams)
)
async def delete_all_open_orders(request: Request, signed: Trader) -> JSONResponse:
    params = parse_model(SymbolParams, signed.params.values)
    market = markets_of(request).must_get(params.symbol)
    await gateway_of(request).submit(CancelAll(new_command_id(), now_ms(), signed.account_id, market.symbol))
    return JSONResponse({"code": 200, "msg": "The operation of cancel all open order is done."})


class CountdownParams(Params):
    symbol: str
    countdownTime: Integer  # ms; 0 stops the countdown


@router.post(
    "/countdownCancelAll",
    summary="Dead-man switch: cancel the symbol's open orders unless called again in time (TRADE)",
    openapi_extra=documented(CountdownParams),
)
async def post_countdown_cancel_all(request: Request, signed: Trader) -> JSONResponse:
    params = parse_model(CountdownParams, signed.params.values)
    market = markets_of(request).must_get(params.symbol)
    if params.countdownTime < 0:
        raise ApiError(-1130, "Data sent for parameter 'countdownTime' is not valid.")
    command = CountdownCancelAll(new_command_id(), now_ms(), signed.account_id, market.symbol, params.countdownTime)
    await gateway_of(request).submit(command)
    return JSONResponse({"symbol": market.symbol, "countdownTime": str(params.countdownTime)})


# -- batches ---------------------------------------------------------------------------------------


class BatchParams(Params):
    batchOrders: str


class BatchCancelParams(Params):
    symbol: str
    orderIdList: str | None = None
    origClientOrderIdList: str | None = None


def batch_elements(text: str, most: int) -> list[dict[str, str]]:
    """The JSON list of a batchOrders parameter, each element's values as the strings Binance reads."""
    try:
        elements = json.loads(text)
    except ValueError as exc:
        raise ApiError(-1130, "Data sent for parameter 'batchOrders' is not valid.") from exc
    if not isinstance(elements, list) or not elements or not all(isinstance(e, dict) for e in elements):
        raise ApiError(-1130, "Data sent for parameter 'batchOrders' is not valid.")
    if len(elements) > most:
        raise ApiError(-4000, f"Number of orders in a batch must be at most {most}.")
    return [{str(k): wire_text(k, v) for k, v in element.items()} for element in elements]


def wire_text(name: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | str):
        return str(value)
    raise ApiError(-1130, f"Data sent for parameter '{name}' is not valid.")


async def answer_each(
    elements: list[dict[str, str]], handle: Callable[[dict[str, str]], Awaitable[dict[str, Any]]]
) -> JSONResponse:
    """A batch's answer: each element's result or its own Binance error, in order (as Binance does)."""
    answers: list[dict[str, Any]] = []
    for element in elements:
        try:
            answers.append(await handle(element))
        except ApiError as error:
            answers.append(error_body(error.code, error.msg))
    return JSONResponse(answers)


@router.post("/batchOrders", summary="Place up to 5 orders (TRADE)", openapi_extra=documented(BatchParams))
async def post_batch_orders(request: Request, signed: Trader) -> JSONResponse:
    params = parse_model(BatchParams, signed.params.values)
    elements = batch_elements(params.batchOrders, MAX_BATCH_ORDERS)
    await check_open_order_cap(request, signed.account_id, len(elements))
    await request.app.state.limiter.charge_orders(request, signed.account_id, len(elements))

    async def place(element: dict[str, str]) -> dict[str, Any]:
        order = new_order(element, markets_of(request), signed.account_id, ())
        return placement_result(order, await gateway_of(request).submit_any(order.command))

    return await answer_each(elements, place)


@router.put("/batchOrders", summary="Modify up to 5 orders (TRADE)", openapi_extra=documented(BatchParams))
async def put_batch_orders(request: Request, signed: Trader) -> JSONResponse:
    params = parse_model(BatchParams, signed.params.values)
    elements = batch_elements(params.batchOrders, MAX_BATCH_ORDERS)
    await request.app.state.limiter.charge_orders(request, signed.account_id, len(elements))

    async def modify(element: dict[str, str]) -> dict[str, Any]:
        command, market = amend(element, markets_of(request), signed.account_id, ())
        return amended_order(await gateway_of(request).submit(command), market)

    return await answer_each(elements, modify)


def id_list(text: str | None, name: str, most: int) -> list[Any]:
    if text is None:
        return []
    try:
        items = json.loads(text)
    except ValueError as exc:
        raise ApiError(-1130, f"Data sent for parameter '{name}' is not valid.") from exc
    if not isinstance(items, list) or len(items) > most:
        raise ApiError(-1130, f"Data sent for parameter '{name}' is not valid.")
    return items


@router.delete("/batchOrders", summary="Cancel up to 10 orders (TRADE)", openapi_extra=documented(BatchCancelParams))
async def delete_batch_orders(request: Request, signed: Trader) -> JSONResponse:
    # ccxt spells the lists in lower case (orderidlist), as Binance accepts
    values = {_LIST_NAMES.get(k, k): v for k, v in signed.params.values.items()}
    params = parse_model(BatchCancelParams, values)
    order_ids = id_list(params.orderIdList, "orderIdList", MAX_BATCH_CANCELS)
    client_ids = id_list(params.origClientOrderIdList, "origClientOrderIdList", MAX_BATCH_CANCELS)
    if not order_ids and not client_ids:
        raise mandatory("orderIdList")
    refs = [{"symbol": params.symbol, "orderId": wire_text("orderIdList", i)} for i in order_ids]
    refs += [{"symbol": params.symbol, "origClientOrderId": wire_text("origClientOrderIdList", c)} for c in client_ids]

    async def cancel_one(ref: dict[str, str]) -> dict[str, Any]:
        return await cancel_and_answer(request, signed.account_id, ref, ())

    return await answer_each(refs, cancel_one)


_LIST_NAMES = {"orderidlist": "orderIdList", "origclientorderidlist": "origClientOrderIdList"}
