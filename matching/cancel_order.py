"""CancelOrder (by order id or client order id) and CancelAll (per account, optionally per market)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from matching.market import Market
from matching.order import Order
from streams.commands import AmendOrder, CancelAll, CancelOrder
from streams.enums import CancelReason, RejectReason

_USER: Final = CancelReason.USER
_CANCEL_ALL: Final = CancelReason.CANCEL_ALL

if TYPE_CHECKING:
    from matching.engine import Engine


def find_own_order(engine: Engine, cmd: CancelOrder | AmendOrder) -> tuple[Market, Order] | RejectReason:
    """The resting order a cancel or amend names, checked to belong to the command's account."""
    market = engine.markets.get(cmd.market)
    if market is None:
        return RejectReason.UNKNOWN_MARKET
    order_id = cmd.order_id
    if not order_id and cmd.client_order_id:
        order_id = engine.client_ids.get((cmd.account_id, cmd.client_order_id), 0)
    order = market.book.get(order_id) if order_id else None
    if order is None:
        return RejectReason.ORDER_NOT_FOUND
    if order.account_id != cmd.account_id:
        return RejectReason.NOT_ORDER_OWNER
    return market, order


def cancel_order(engine: Engine, cmd: CancelOrder) -> None:
    found = find_own_order(engine, cmd)
    if not isinstance(found, tuple):  # (a tuple check is a C type test; an Enum one a Python call)
        engine.reject(cmd, found, order_id=cmd.order_id)
        return
    market, order = found
    engine.cancel_resting(market, order, _USER)


def cancel_all(engine: Engine, cmd: CancelAll) -> None:
    """Cancels in order-id order, so the events are the same however the index was built."""
    if cmd.market and cmd.market not in engine.markets:
        engine.reject(cmd, RejectReason.UNKNOWN_MARKET)
        return
    orders = engine.open_orders.get(cmd.account_id, {})
    for order_id in sorted(orders):
        order = orders[order_id]
        if not cmd.market or order.market == cmd.market:
            engine.cancel_resting(engine.markets[order.market], order, _CANCEL_ALL)
