"""PlaceOrder: validate, pass the pre-trade check, accept, match, then rest or expire the rest.

What happens to an order, in order:
1. `order_rejection` checks it against the market (status, size, price, notional, time in force).
2. A client order id already open or recently seen is refused, naming the original order.
3. A reduce-only order is cut to the position it reduces, or refused if it would increase it.
4. The risk seam's pre-trade check (margin/).
5. OrderAccepted; then by kind: post-only expires if it would take; fill-or-kill checks the book
   first; a market order matches within its protection band; a limit order matches up to its price.
6. Fills settle through the risk seam as Trades; what is left rests (GTC, GTD) or expires.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matching.book import Fill
from matching.market import Market
from matching.order import Order
from streams.commands import PlaceOrder
from streams.enums import CancelReason, MarketStatus, OrderType, RejectReason, Side, TimeInForce
from streams.events import OrderAccepted

if TYPE_CHECKING:
    from matching.engine import Engine

MAX_CLIENT_ORDER_ID_LEN = 36

_BUY = Side.BUY
_LIMIT, _MARKET = OrderType.LIMIT, OrderType.MARKET
_GTC, _IOC, _FOK, _GTD, _GTX = (
    TimeInForce.GTC,
    TimeInForce.IOC,
    TimeInForce.FOK,
    TimeInForce.GTD,
    TimeInForce.GTX,
)
_ACTIVE, _POST_ONLY, _REDUCE_ONLY, _HALTED = (
    MarketStatus.ACTIVE,
    MarketStatus.POST_ONLY,
    MarketStatus.REDUCE_ONLY,
    MarketStatus.HALTED,
)


def order_rejection(market: Market, cmd: PlaceOrder, clock_ms: int) -> RejectReason | None:
    """Why this order cannot enter the market, judged from the order and market alone."""
    status = market.status
    tif = cmd.time_in_force
    is_market_order = cmd.order_type is _MARKET
    if status is not _ACTIVE:
        if status is _HALTED:
            return RejectReason.MARKET_HALTED
        if status is _REDUCE_ONLY and not cmd.reduce_only:
            return RejectReason.MARKET_REDUCE_ONLY
        if status is _POST_ONLY and (is_market_order or tif is _IOC or tif is _FOK):
            return RejectReason.MARKET_POST_ONLY
    size_lots = cmd.size_lots
    if size_lots <= 0:
        return RejectReason.SIZE_NOT_POSITIVE
    if size_lots > market.spec.max_order_lots:
        return RejectReason.SIZE_ABOVE_MAX
    if len(cmd.client_order_id) > MAX_CLIENT_ORDER_ID_LEN:
        return RejectReason.CLIENT_ORDER_ID_TOO_LONG
    if is_market_order:
        if cmd.price_ticks != 0:
            return RejectReason.PRICE_NOT_ALLOWED
        if tif is not _GTC and tif is not _IOC:
            return RejectReason.INVALID_TIME_IN_FORCE
        price_ticks = market.reference_price_ticks(cmd.side is _BUY)
    else:
        price_ticks = cmd.price_ticks
        if price_ticks <= 0:
            return RejectReason.PRICE_NOT_POSITIVE
    if tif is _GTD:
        if cmd.expire_at_ms <= clock_ms:
            return RejectReason.EXPIRY_IN_PAST
    elif cmd.expire_at_ms:
        return RejectReason.INVALID_TIME_IN_FORCE
    # reduce-only orders may close any remainder; a market order with no reference price at all
    # cannot be valued and will expire for lack of liquidity instead
    if (
        not cmd.reduce_only
        and price_ticks
        and price_ticks * size_lots * market.micro_per_tick_lot < market.spec.min_notional_micro
    ):
        return RejectReason.NOTIONAL_BELOW_MIN
    return None


def place_order(engine: Engine, cmd: PlaceOrder) -> None:
    market = engine.markets.get(cmd.market)
    if market is None:
        engine.reject(cmd, RejectReason.UNKNOWN_MARKET)
        return
    reason = order_rejection(market, cmd, engine.clock_ms)
    if reason is not None:
        engine.reject(cmd, reason)
        return
    client_order_id = cmd.client_order_id
    account_id = cmd.account_id
    if client_order_id:
        original = engine.client_ids.get((account_id, client_order_id))
        if original is not None:
            engine.reject(cmd, RejectReason.DUPLICATE_CLIENT_ORDER_ID, order_id=original)
            return
    is_buy = cmd.side is _BUY
    size_lots = cmd.size_lots
    if cmd.reduce_only:
        position = engine.risk.position_lots(account_id, market.symbol)
        if (position >= 0) if is_buy else (position <= 0):
            engine.reject(cmd, RejectReason.REDUCE_ONLY_WOULD_INCREASE)
            return
        size_lots = min(size_lots, abs(position))
    order = Order(
        engine.next_order_id,
        account_id,
        market.symbol,
        is_buy,
        cmd.price_ticks,
        size_lots,
        size_lots,
        cmd.time_in_force,
        client_order_id,
        cmd.self_trade_prevention,
        cmd.reduce_only,
        cmd.expire_at_ms,
    )
    reason = engine.risk.check_order(market, order)
    if reason is not None:
        engine.reject(cmd, reason)
        return
    engine.next_order_id += 1
    engine.out.append(
        OrderAccepted(
            engine.take_seq(),
            engine.command_id,
            engine.ts_ms,
            account_id,
            market.symbol,
            order.order_id,
            client_order_id,
            cmd.side,
            cmd.order_type,
            cmd.time_in_force,
            cmd.price_ticks,
            size_lots,
            cmd.reduce_only,
            cmd.expire_at_ms,
        )
    )
    if client_order_id:
        engine.remember_client_id(account_id, client_order_id, order.order_id)
    if cmd.order_type is _MARKET:
        execute_market_order(engine, market, order)
    else:
        execute_limit_order(engine, market, order)


def execute_limit_order(engine: Engine, market: Market, order: Order) -> None:
    book = market.book
    price_ticks = order.price_ticks
    tif = order.time_in_force
    if order.is_buy:
        best = book.asks.best_ticks
        crosses = best is not None and price_ticks >= best
    else:
        best = book.bids.best_ticks
        crosses = best is not None and price_ticks <= best
    taker_expired = False
    if crosses:
        if tif is _GTX or market.status is _POST_ONLY:
            engine.emit_canceled(market, order, CancelReason.POST_ONLY_WOULD_TAKE)
            return
        if tif is _FOK and not book.can_fill(order, price_ticks):
            engine.emit_canceled(market, order, CancelReason.FOK_NOT_FILLED)
            return
        lots_before = order.remaining_lots
        fills: list[Fill] = []
        taker_expired = book.match(order, price_ticks, fills)
        engine.settle_fills(market, order, fills, lots_before)
    elif tif is _FOK:
        engine.emit_canceled(market, order, CancelReason.FOK_NOT_FILLED)
        return
    if order.remaining_lots == 0:
        return
    if taker_expired:
        engine.emit_canceled(market, order, CancelReason.SELF_TRADE)
    elif tif is _IOC or tif is _FOK:
        engine.emit_canceled(market, order, CancelReason.IOC_REMAINDER)
    elif order.reduce_only and not _still_reduces(engine, market, order):
        engine.emit_canceled(market, order, CancelReason.REDUCE_ONLY)
    else:
        engine.rest(market, order)


def execute_market_order(engine: Engine, market: Market, order: Order) -> None:
    """Match within the protection band around the reference price; the rest expires."""
    book = market.book
    opposite_best = book.asks.best_ticks if order.is_buy else book.bids.best_ticks
    if opposite_best is None:
        engine.emit_canceled(market, order, CancelReason.NO_LIQUIDITY)
        return
    limit_ticks = market.market_order_limit_ticks(order.is_buy)
    lots_before = order.remaining_lots
    fills: list[Fill] = []
    taker_expired = book.match(order, limit_ticks, fills)
    engine.settle_fills(market, order, fills, lots_before)
    if order.remaining_lots:
        if taker_expired:
            reason = CancelReason.SELF_TRADE
        elif (book.asks.best_ticks if order.is_buy else book.bids.best_ticks) is None:
            reason = CancelReason.NO_LIQUIDITY
        else:
            reason = CancelReason.PROTECTION_BAND
        engine.emit_canceled(market, order, reason)


def _still_reduces(engine: Engine, market: Market, order: Order) -> bool:
    position = engine.risk.position_lots(order.account_id, market.symbol)
    return position < 0 if order.is_buy else position > 0
