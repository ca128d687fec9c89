"""The parameters of new, amended and cancelled orders, and the engine commands they become.

Shared by the single-order endpoints and batchOrders, whose elements carry the same parameters.
Every rule here is Binance's: LIMIT needs timeInForce and price, MARKET takes no price, GTD needs
goodTillDate, client ids match `^[\\.A-Z\\:/a-z0-9_-]{1,36}$`.
"""

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from api.decimals import NUMBER
from api.errors import ApiError, mandatory
from api.gateway import IdSource, new_command_id, now_ms
from api.markets import Market, MarketCatalog
from api.params import INTEGER, ORDER_ENUM_ERRORS, Boolean, DecimalText, Integer, Params, given_params, parse_model
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


_CLIENT_IDS = IdSource("perpx-{}")


def new_client_order_id() -> str:
    """perpx-, then 26 hex digits: this process's random 16 and a counter's 10."""
    return f"{_CLIENT_IDS.prefix}{next(_CLIENT_IDS.counter) & 0xFF_FFFF_FFFF:010x}"


# what quick_new_order_params checks each parameter of a new order against (the model's rules)
_ENUM_PARAMS: dict[str, type[StrEnum]] = {
    "side": Side,
    "timeInForce": TimeInForce,
    "selfTradePreventionMode": SelfTradePrevention,
}
_LITERAL_PARAMS = {
    "type": ("LIMIT", "MARKET"),
    "newOrderRespType": ("ACK", "RESULT"),
    "positionSide": ("BOTH",),
    "priceMatch": ("NONE",),
}
_REQUIRED = ("symbol", "side", "type", "quantity")


def quick_new_order_params(given: dict[str, str]) -> NewOrderParams | None:
    """A well-formed new order's parameters without pydantic's validation (which costs about five
    times as much); None for anything it is not sure of, which then goes through the model and
    gets its exact error. Tested against the model on generated parameters."""
    fields: dict[str, Any] = {}
    for name, value in given.items():
        if not isinstance(value, str):
            return None
        if name == "symbol":
            fields[name] = value
        elif name in ("quantity", "price"):
            if not NUMBER.fullmatch(value):
                return None
            fields[name] = value
        elif name in _ENUM_PARAMS:
            try:
                fields[name] = _ENUM_PARAMS[name](value)
            except ValueError:
                return None
        elif name in _LITERAL_PARAMS:
            if value not in _LITERAL_PARAMS[name]:
                return None
            fields[name] = value
        elif name == "reduceOnly":
            lower = value.lower()
            if lower not in ("true", "false"):
                return None
            fields[name] = lower == "true"
        elif name == "newClientOrderId":
            if not CLIENT_ID.fullmatch(value):
                return None
            fields[name] = value
        elif name == "goodTillDate":
            if not INTEGER.fullmatch(value):
                return None
            fields[name] = int(value)
        else:
            return None
    if any(name not in fields for name in _REQUIRED):
        return None
    return NewOrderParams.model_construct(**fields)


def new_order(values: dict[str, str], markets: MarketCatalog, account_id: int, ignore: tuple[str, ...]) -> NewOrder:
    params = quick_new_order_params(given_params(values, ignore)) or parse_model(NewOrderParams, values, ignore)
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
