"""The parameters of new, amended and cancelled orders, and the engine commands they become.

Shared by the single-order endpoints and batchOrders, whose elements carry the same parameters.
Every rule here is Binance's: LIMIT needs timeInForce and price, MARKET takes no price, GTD needs
goodTillDate, client ids match `^[\\.A-Z\\:/a-z0-9_-]{1,36}$`.
"""

import re
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from api.errors import ApiError, mandatory
from api.gateway import new_command_id, now_ms
from api.markets import Market, MarketCatalog
from api.params import ORDER_ENUM_ERRORS, Boolean, DecimalText, Integer, Params, parse_model
from messages.commands import AmendOrder, CancelOrder, PlaceOrder
from messages.enums import OrderType, SelfTradePrevention, Side, TimeInForce

CLIENT_ID = re.compile(r"^[\.A-Z\:/a-z0-9_-]{1,36}$")


def _client_id(value: Any) -> str:
    if not isinstance(value, str) or not CLIENT_ID.fullmatch(value):
        raise PydanticCustomError("binance", "-1100", {"pattern": "^[\\.A-Z\\:/a-z0-9_-]{1,36}$"})
    return value


ClientId = Annotated[str, BeforeValidator(_client_id)]


class NewOrderParams(Params):
    enum_errors = ORDER_ENUM_ERRORS
    symbol: str
    side: Side
    type: Literal["LIMIT", "MARKET"]
    quantity: DecimalText
    price: DecimalText | None = None
    timeInForce: TimeInForce | None = None
    reduceOnly: Boolean = False
    newClientOrderId: ClientId | None = None
    newOrderRespType: Literal["ACK", "RESULT"] = "ACK"
    selfTradePreventionMode: SelfTradePrevention = SelfTradePrevention.EXPIRE_TAKER
    goodTillDate: Integer | None = None
    positionSide: Literal["BOTH"] | None = None
    priceMatch: Literal["NONE"] | None = None


class AmendParams(Params):
    enum_errors = ORDER_ENUM_ERRORS
    symbol: str
    side: Side
    quantity: DecimalText
    price: DecimalText
    orderId: Integer | None = None
    origClientOrderId: ClientId | None = None
    priceMatch: Literal["NONE"] | None = None


class OrderRefParams(Params):
    symbol: str
    orderId: Integer | None = None
    origClientOrderId: ClientId | None = None


@dataclass(frozen=True)
class NewOrder:
    command: PlaceOrder
    market: Market
    result: bool  # newOrderRespType RESULT (else ACK)


def new_client_order_id() -> str:
    return "perpx-" + uuid.uuid4().hex[:22]


def new_order(values: dict[str, str], markets: MarketCatalog, account_id: int, ignore: tuple[str, ...]) -> NewOrder:
    params = parse_model(NewOrderParams, values, ignore)
    market = markets.must_get(params.symbol)
    size_lots = market.size_lots("quantity", params.quantity)
    order_type = OrderType(params.type)
    tif = params.timeInForce
    if order_type is OrderType.LIMIT:
        if tif is None:
            raise mandatory("timeInForce")
        if params.price is None:
            raise mandatory("price")
        price_ticks = market.price_ticks("price", params.price)
    else:
        if params.price is not None:
            raise ApiError(-1106, "Parameter 'price' sent when not required.")
        price_ticks = 0
        tif = tif or TimeInForce.GTC
    expire_at_ms = 0
    if tif is TimeInForce.GTD:
        if params.goodTillDate is None:
            raise mandatory("goodTillDate")
        expire_at_ms = params.goodTillDate
    elif params.goodTillDate is not None:
        raise ApiError(-1106, "Parameter 'goodTillDate' sent when not required.")
    command = PlaceOrder(
        new_command_id(),
        now_ms(),
        account_id,
        market.symbol,
        params.side,
        size_lots,
        price_ticks,
        order_type,
        tif,
        expire_at_ms,
        params.reduceOnly,
        params.newClientOrderId or new_client_order_id(),
        params.selfTradePreventionMode,
    )
    return NewOrder(command, market, params.newOrderRespType == "RESULT")


def order_ref(order_id: int | None, client_order_id: str | None) -> tuple[int, str]:
    if order_id is None and client_order_id is None:
        raise ApiError(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!")
    return order_id or 0, "" if order_id else (client_order_id or "")


def amend(
    values: dict[str, str], markets: MarketCatalog, account_id: int, ignore: tuple[str, ...]
) -> tuple[AmendOrder, Market]:
    params = parse_model(AmendParams, values, ignore)
    market = markets.must_get(params.symbol)
    order_id, client_order_id = order_ref(params.orderId, params.origClientOrderId)
    command = AmendOrder(
        new_command_id(),
        now_ms(),
        account_id,
        market.symbol,
        order_id,
        client_order_id,
        market.price_ticks("price", params.price),
        market.size_lots("quantity", params.quantity),
    )
    return command, market


def cancel(
    values: dict[str, str], markets: MarketCatalog, account_id: int, ignore: tuple[str, ...]
) -> tuple[CancelOrder, Market]:
    params = parse_model(OrderRefParams, values, ignore)
    market = markets.must_get(params.symbol)
    order_id, client_order_id = order_ref(params.orderId, params.origClientOrderId)
    return CancelOrder(new_command_id(), now_ms(), account_id, market.symbol, order_id, client_order_id), market
