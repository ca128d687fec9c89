"""AmendOrder: change a resting order's price and/or total size.

A smaller size at the same price keeps the order's place in the queue. A new price or a larger
size sends it to the back of its (new) level, as if cancelled and placed again with the same id;
at a new price that crosses, it trades as a taker first (a post-only order refuses such an amend).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matching.book import Fill
from matching.cancel_order import find_own_order
from matching.order import Order
from messages.commands import AmendOrder
from messages.enums import CancelReason, MarketStatus, RejectReason, TimeInForce

if TYPE_CHECKING:
    from matching.engine import Engine


def amend_order(engine: Engine, cmd: AmendOrder) -> None:
    market = engine.markets.get(cmd.market)
    if market is None:
        engine.reject(cmd, RejectReason.UNKNOWN_MARKET, order_id=cmd.order_id)
        return
    found = find_own_order(engine, market, cmd.account_id, cmd.order_id, cmd.client_order_id)
    if not isinstance(found, Order):
        engine.reject(cmd, found, order_id=cmd.order_id)
        return
    order = found
    book = market.book
    if market.status is MarketStatus.HALTED:
        engine.reject(cmd, RejectReason.MARKET_HALTED, order_id=order.order_id)
        return
    price_ticks = cmd.new_price_ticks or order.price_ticks
    size_lots = cmd.new_size_lots or order.size_lots
    filled_lots = order.filled_lots
    reason: RejectReason | None = None
    if cmd.new_price_ticks < 0:
        reason = RejectReason.PRICE_NOT_POSITIVE
    elif cmd.new_size_lots < 0:
        reason = RejectReason.SIZE_NOT_POSITIVE
    elif price_ticks == order.price_ticks and size_lots == order.size_lots:
        reason = RejectReason.AMEND_NOTHING
    elif size_lots > market.max_order_lots:
        reason = RejectReason.SIZE_ABOVE_MAX
    elif size_lots <= filled_lots:
        reason = RejectReason.AMEND_BELOW_FILLED
    elif (
        not order.reduce_only
        and market.notional_micro(price_ticks, size_lots - filled_lots) < market.min_notional_micro
    ):
        reason = RejectReason.NOTIONAL_BELOW_MIN
    elif (
        price_ticks != order.price_ticks
        and book.crosses(order.is_buy, price_ticks)
        and (order.time_in_force is TimeInForce.GTX or market.status is MarketStatus.POST_ONLY)
    ):
        reason = RejectReason.POST_ONLY_WOULD_TAKE
    if reason is not None:
        engine.reject(cmd, reason, order_id=order.order_id)
        return
    new_remaining = size_lots - filled_lots
    keeps_priority = price_ticks == order.price_ticks and size_lots < order.size_lots
    if keeps_priority:
        engine.shrink_resting(market, order, new_remaining)
        engine.emit_amended(market, order, True)
        return
    replacement = order.moved(price_ticks, size_lots, new_remaining)
    reason = engine.risk.check_order(market, replacement, order)
    if reason is not None:
        engine.reject(cmd, reason, order_id=order.order_id)
        return
    book.remove(order.order_id)
    engine.closed(market, order)
    order = replacement
    engine.emit_amended(market, order, False)
    taker_expired = False
    if book.crosses(order.is_buy, price_ticks):
        fills: list[Fill] = []
        taker_expired = book.match(order, price_ticks, fills)
        engine.settle_fills(market, order, fills, new_remaining)
    if order.remaining_lots:
        if taker_expired:
            engine.emit_canceled(market, order, CancelReason.SELF_TRADE)
        else:
            engine.rest(market, order)
