"""CancelOrder (by order id or client order id) and CancelAll (per account, optionally per market)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from msgspec.structs import astuple

from matching.market import Market
from matching.order import Order
from messages.commands import CancelAll, CancelOrder
from messages.enums import CancelReason, RejectReason

_astuple: Final = astuple
_USER: Final = CancelReason.USER
_CANCEL_ALL: Final = CancelReason.CANCEL_ALL

if TYPE_CHECKING:
    from matching.engine import Engine


def find_own_order(
    engine: Engine, market: Market, account_id: int, order_id: int, client_order_id: str
) -> Order | RejectReason:
    """The resting order a cancel or amend names (by id, or by client id when the id is 0),
    checked to belong to the command's account."""
    if not order_id and client_order_id:
        order_id = engine.client_ids.get((account_id, client_order_id), 0)
    order = market.book.get(order_id) if order_id else None
    if order is None:
        return RejectReason.ORDER_NOT_FOUND
    if order.account_id != account_id:
        return RejectReason.NOT_ORDER_OWNER
    return order


# the command is unpacked positionally: a change of its fields must change cancel_order too
assert CancelOrder.__struct_fields__ == ("command_id", "ts_ms", "account_id", "market", "order_id", "client_order_id")


def cancel_order(engine: Engine, cmd: CancelOrder) -> None:
    cancel_unpacked(engine, cmd, _astuple(cmd))


def cancel_unpacked(engine: Engine, cmd: CancelOrder, fields: tuple[Any, ...]) -> None:
    """cancel_order for a command already unpacked with astuple (Engine.apply unpacks it once)."""
    account_id: int  # typed: compared with the order's below, natively
    _, _, account_id, symbol, order_id, client_order_id = fields
    market = engine.markets.get(symbol)
    if market is None:
        engine.reject(cmd, RejectReason.UNKNOWN_MARKET, order_id=order_id)
        return
    # by id, the common case: looked up with the command's own int object, not a native int
    # boxed anew (the fast book and NaiveBook both keep the `orders` index)
    order = market.book.orders.get(order_id)
    if order is not None and order.account_id == account_id:
        engine.cancel_resting(market, order, _USER)
        return
    found = find_own_order(engine, market, account_id, order_id, client_order_id)
    if not isinstance(found, Order):  # (a native type test; an Enum isinstance is a Python call)
        engine.reject(cmd, found, order_id=order_id)
        return
    engine.cancel_resting(market, found, _USER)


def cancel_all(engine: Engine, cmd: CancelAll) -> None:
    """Cancels in order-id order, so the events are the same however the index was built."""
    if cmd.market and cmd.market not in engine.markets:
        engine.reject(cmd, RejectReason.UNKNOWN_MARKET)
        return
    if not engine.risk.knows_account(cmd.account_id):
        engine.reject(cmd, RejectReason.UNKNOWN_ACCOUNT)
        return
    for order in engine.orders_of(cmd.account_id):
        if not cmd.market or order.market == cmd.market:
            engine.cancel_resting(engine.markets[order.market], order, _CANCEL_ALL)
