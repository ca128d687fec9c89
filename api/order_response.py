"""Binance order objects built from a command's own result events (never from a second copy of state).

A placement's events say everything about the new order: OrderAccepted, the Trades where it was
the taker, and an OrderCanceled if what was left did not rest. An amend's say its new price, size
and remaining size; a cancel's say which order and how much was left. What a command's events do
not say (a cancelled order's original size and side, say) is left out rather than guessed: the
full order is a read, served from views/ by the openOrder/allOrders endpoints.
"""

from dataclasses import dataclass
from typing import TypeVar

from api.decimals import format_ratio
from api.markets import Market
from messages.enums import CancelReason, OrderType, SelfTradePrevention
from messages.events import Event, OrderAccepted, OrderAmended, OrderCanceled, Trade

# why an order stopped -> Binance's status
CANCELED_REASONS = {CancelReason.USER, CancelReason.CANCEL_ALL, CancelReason.LIQUIDATION}
EXPIRED_IN_MATCH_REASONS = {CancelReason.SELF_TRADE}


def closed_status(reason: CancelReason) -> str:
    if reason in CANCELED_REASONS:
        return "CANCELED"
    if reason in EXPIRED_IN_MATCH_REASONS:
        return "EXPIRED_IN_MATCH"
    return "EXPIRED"


def open_status(size_lots: int, remaining_lots: int) -> str:
    if remaining_lots == 0:
        return "FILLED"
    return "PARTIALLY_FILLED" if remaining_lots < size_lots else "NEW"


@dataclass(frozen=True)
class Fills:
    lots: int
    quote_micro: int  # price x size in micro-USDC, exact
    remaining_lots: int | None  # after the last fill, None if none
    last_ts_ms: int


def taker_fills(events: list[Event], order_id: int, market: Market) -> Fills:
    lots = quote = 0
    remaining: int | None = None
    last_ts = 0
    per_tick_lot = market.spec.micro_per_tick_lot
    for event in events:
        if isinstance(event, Trade) and event.taker_order_id == order_id:
            lots += event.size_lots
            quote += event.price_ticks * event.size_lots * per_tick_lot
            remaining = event.taker_remaining_lots
            last_ts = event.ts_ms
    return Fills(lots, quote, remaining, last_ts)


AnyEvent = TypeVar("AnyEvent", bound=Event)


def find(events: list[Event], kind: type[AnyEvent], order_id: int | None = None) -> AnyEvent | None:
    for event in events:
        if isinstance(event, kind) and (order_id is None or getattr(event, "order_id", None) == order_id):
            return event
    return None


def average_price(market: Market, quote_micro: int, lots: int) -> str:
    """cumQuote / executedQty in price units (half-even to tick decimals + 4; display only)."""
    per_tick_lot = market.spec.micro_per_tick_lot
    return format_ratio(quote_micro, lots * per_tick_lot, market.tick) if lots else format_ratio(0, 0, market.tick)


def placed_order(
    events: list[Event],
    market: Market,
    stp: SelfTradePrevention,
    result: bool,
) -> dict[str, object]:
    """The order a PlaceOrder created, as Binance's RESULT (after matching) or ACK (as accepted)."""
    accepted = find(events, OrderAccepted)
    assert isinstance(accepted, OrderAccepted)
    fills = taker_fills(events, accepted.order_id, market) if result else Fills(0, 0, None, 0)
    canceled = find(events, OrderCanceled, accepted.order_id) if result else None
    if isinstance(canceled, OrderCanceled):
        status = closed_status(canceled.reason)
        update_ms = canceled.ts_ms
    else:
        remaining = accepted.size_lots - fills.lots
        status = open_status(accepted.size_lots, remaining)
        update_ms = fills.last_ts_ms or accepted.ts_ms
    order_type = accepted.order_type.value
    return {
        "orderId": accepted.order_id,
        "symbol": market.symbol,
        "status": status,
        "clientOrderId": accepted.client_order_id,
        "price": "0" if accepted.order_type is OrderType.MARKET else market.price(accepted.price_ticks),
        "avgPrice": average_price(market, fills.quote_micro, fills.lots),
        "origQty": market.size(accepted.size_lots),
        "executedQty": market.size(fills.lots),
        "cumQty": market.size(fills.lots),
        "cumQuote": market.quote(fills.quote_micro),
        "timeInForce": accepted.time_in_force.value,
        "type": order_type,
        "origType": order_type,
        "reduceOnly": accepted.reduce_only,
        "closePosition": False,
        "side": accepted.side.value,
        "positionSide": "BOTH",
        "stopPrice": "0",
        "workingType": "CONTRACT_PRICE",
        "priceProtect": False,
        "priceMatch": "NONE",
        "selfTradePreventionMode": stp.value,
        "goodTillDate": accepted.expire_at_ms,
        "updateTime": update_ms,
    }


def amended_order(events: list[Event], market: Market, stp: SelfTradePrevention | None = None) -> dict[str, object]:
    """The order after an AmendOrder: its new price and size, and what it traded on the way."""
    amended = find(events, OrderAmended)
    assert isinstance(amended, OrderAmended)
    fills = taker_fills(events, amended.order_id, market)
    remaining = amended.remaining_lots if fills.remaining_lots is None else fills.remaining_lots
    canceled = find(events, OrderCanceled, amended.order_id)
    status = (
        closed_status(canceled.reason)
        if isinstance(canceled, OrderCanceled)
        else open_status(amended.size_lots, remaining)
    )
    response: dict[str, object] = {
        "orderId": amended.order_id,
        "symbol": market.symbol,
        "status": status,
        "clientOrderId": amended.client_order_id,
        "price": market.price(amended.price_ticks),
        "origQty": market.size(amended.size_lots),
        "executedQty": market.size(amended.size_lots - remaining),
        "cumQty": market.size(amended.size_lots - remaining),
        "type": "LIMIT",  # only limit orders rest, so only they can be amended
        "origType": "LIMIT",
        "positionSide": "BOTH",
        "updateTime": fills.last_ts_ms or amended.ts_ms,
    }
    if amended.remaining_lots == amended.size_lots:  # nothing had filled before: this command's fills are all
        response["cumQuote"] = market.quote(fills.quote_micro)
        response["avgPrice"] = average_price(market, fills.quote_micro, fills.lots)
    return response


def canceled_order(event: OrderCanceled, market: Market) -> dict[str, object]:
    """A cancelled order as far as its OrderCanceled says (the rest is views/' to tell)."""
    return {
        "orderId": event.order_id,
        "symbol": market.symbol,
        "status": closed_status(event.reason),
        "clientOrderId": event.client_order_id,
        "type": "LIMIT",  # only limit orders rest, so only they can be cancelled
        "origType": "LIMIT",
        "positionSide": "BOTH",
        "updateTime": event.ts_ms,
    }
