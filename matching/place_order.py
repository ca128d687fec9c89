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

from typing import TYPE_CHECKING, Any, Final

from msgspec.structs import astuple

from matching.book import Fill
from matching.market import Market
from matching.order import Order
from messages.commands import PlaceOrder
from messages.enums import CancelReason, MarketStatus, OrderType, RejectReason, Side, TimeInForce
from messages.events import OrderAccepted
from messages.limits import MAX_CLIENT_ORDER_ID_LEN, MAX_EXPIRY_AHEAD_MS, MAX_ID, MAX_PRICE_TICKS

if TYPE_CHECKING:
    from matching.engine import Engine

_BUY: Final = Side.BUY
_MARKET: Final = OrderType.MARKET
_GTC: Final = TimeInForce.GTC
_IOC: Final = TimeInForce.IOC
_FOK: Final = TimeInForce.FOK
_GTD: Final = TimeInForce.GTD
_GTX: Final = TimeInForce.GTX
_ACTIVE: Final = MarketStatus.ACTIVE
_POST_ONLY: Final = MarketStatus.POST_ONLY
_REDUCE_ONLY: Final = MarketStatus.REDUCE_ONLY
_HALTED: Final = MarketStatus.HALTED
# classes and members as Final constants: C statics when compiled (see matching/engine.py)
_OrderAccepted: Final = OrderAccepted
_astuple: Final = astuple
_POST_ONLY_WOULD_TAKE: Final = CancelReason.POST_ONLY_WOULD_TAKE
_FOK_NOT_FILLED: Final = CancelReason.FOK_NOT_FILLED
_SELF_TRADE: Final = CancelReason.SELF_TRADE
_IOC_REMAINDER: Final = CancelReason.IOC_REMAINDER
_REDUCE_ONLY_CANCEL: Final = CancelReason.REDUCE_ONLY
_NO_LIQUIDITY: Final = CancelReason.NO_LIQUIDITY
_PROTECTION_BAND: Final = CancelReason.PROTECTION_BAND


# place_order unpacks PlaceOrder positionally: a change of its fields must change that line too
assert PlaceOrder.__struct_fields__ == (
    "command_id",
    "ts_ms",
    "account_id",
    "market",
    "side",
    "size_lots",
    "price_ticks",
    "order_type",
    "time_in_force",
    "expire_at_ms",
    "reduce_only",
    "client_order_id",
    "self_trade_prevention",
)


def order_rejection(
    market: Market,
    account_id: int,
    is_buy: bool,
    order_type: OrderType,
    tif: TimeInForce,
    size_lots: int,
    price_ticks: int,
    expire_at_ms: int,
    reduce_only: bool,
    client_order_id: str,
    clock_ms: int,
) -> RejectReason | None:
    """Why this order cannot enter the market, judged from the order and market alone. The ranges
    of messages/limits.py are checked here, on the hot path, with its constants (the command id
    and the clock are Engine.apply's)."""
    if account_id > MAX_ID or account_id < -MAX_ID:
        return RejectReason.ID_OUT_OF_RANGE
    status = market.status
    is_market_order = order_type is _MARKET
    if status is not _ACTIVE:
        if status is _HALTED:
            return RejectReason.MARKET_HALTED
        if status is _REDUCE_ONLY and not reduce_only:
            return RejectReason.MARKET_REDUCE_ONLY
        if status is _POST_ONLY and (is_market_order or tif is _IOC or tif is _FOK):
            return RejectReason.MARKET_POST_ONLY
    if size_lots <= 0:
        return RejectReason.SIZE_NOT_POSITIVE
    if size_lots > market.max_order_lots:
        return RejectReason.SIZE_ABOVE_MAX
    if len(client_order_id) > MAX_CLIENT_ORDER_ID_LEN:
        return RejectReason.CLIENT_ORDER_ID_TOO_LONG
    if is_market_order:
        if price_ticks != 0:
            return RejectReason.PRICE_NOT_ALLOWED
        if tif is not _GTC and tif is not _IOC:
            return RejectReason.INVALID_TIME_IN_FORCE
        price_ticks = market.reference_price_ticks(is_buy)
    elif price_ticks <= 0:
        return RejectReason.PRICE_NOT_POSITIVE
    elif price_ticks > MAX_PRICE_TICKS:
        return RejectReason.PRICE_OUT_OF_RANGE
    if tif is _GTD:
        if expire_at_ms <= clock_ms:
            return RejectReason.EXPIRY_IN_PAST
        if expire_at_ms > clock_ms + MAX_EXPIRY_AHEAD_MS:
            return RejectReason.TIME_OUT_OF_WINDOW
    elif expire_at_ms:
        return RejectReason.INVALID_TIME_IN_FORCE
    # reduce-only orders may close any remainder; a market order with no reference price at all
    # cannot be valued and will expire for lack of liquidity instead
    if (
        not reduce_only
        and price_ticks
        and price_ticks * size_lots * market.micro_per_tick_lot < market.min_notional_micro
    ):
        return RejectReason.NOTIONAL_BELOW_MIN
    return None


def place_order(engine: Engine, cmd: PlaceOrder) -> None:
    place_unpacked(engine, cmd, _astuple(cmd))


def place_unpacked(engine: Engine, cmd: PlaceOrder, fields: tuple[Any, ...]) -> None:
    """place_order for a command already unpacked with astuple (Engine.apply unpacks it once)."""
    # each field read once: attribute reads on a command are the costliest step of the hot path;
    # the two declared here are tested for truth below, natively once typed
    reduce_only: bool
    client_order_id: str
    (
        _,
        _,
        account_id,
        market_name,
        side,
        size_lots,
        price_ticks,
        order_type,
        tif,
        expire_at_ms,
        reduce_only,
        client_order_id,
        stp,
    ) = fields
    market = engine.markets.get(market_name)
    if market is None:
        engine.reject(cmd, RejectReason.UNKNOWN_MARKET)
        return
    symbol = market.symbol
    is_buy = side is _BUY
    reason = order_rejection(
        market,
        account_id,
        is_buy,
        order_type,
        tif,
        size_lots,
        price_ticks,
        expire_at_ms,
        reduce_only,
        client_order_id,
        engine.clock_ms,
    )
    if reason is not None:
        engine.reject(cmd, reason)
        return
    if client_order_id:
        original = engine.client_ids.get((account_id, client_order_id))
        if original is not None:
            engine.reject(cmd, RejectReason.DUPLICATE_CLIENT_ORDER_ID, order_id=original)
            return
    if reduce_only:
        position = engine.risk.position_lots(account_id, symbol)
        if (position >= 0) if is_buy else (position <= 0):
            engine.reject(cmd, RejectReason.REDUCE_ONLY_WOULD_INCREASE)
            return
        size_lots = min(size_lots, abs(position))
    order = Order(
        engine.next_order_id,
        account_id,
        symbol,
        is_buy,
        price_ticks,
        size_lots,
        size_lots,
        tif,
        client_order_id,
        stp,
        reduce_only,
        expire_at_ms,
    )
    order.trader = engine.find_trader(account_id)  # None until the account's first order rests
    reason = engine.risk.check_order(market, order)
    if reason is not None:
        engine.reject(cmd, reason)
        return
    engine.next_order_id += 1
    seq = engine.next_seq
    engine.next_seq = seq + 1
    engine.out.append(
        _OrderAccepted(
            seq,
            engine.command_id,
            engine.ts_key,
            account_id,
            symbol,
            order.id_key,
            client_order_id,
            side,
            order_type,
            tif,
            price_ticks,
            size_lots,
            reduce_only,
            expire_at_ms,
            stp,
        )
    )
    if client_order_id:
        engine.remember_client_id(account_id, client_order_id, order.order_id)
    if order_type is _MARKET:
        execute_market_order(engine, market, order)
    else:
        execute_limit_order(engine, market, order)


def execute_limit_order(engine: Engine, market: Market, order: Order) -> None:
    book = market.book
    price_ticks = order.price_ticks
    tif = order.time_in_force
    taker_expired = False
    if book.crosses(order.is_buy, price_ticks):
        if tif is _GTX or market.status is _POST_ONLY:
            engine.emit_canceled(market, order, _POST_ONLY_WOULD_TAKE)
            return
        if tif is _FOK and not book.can_fill(order, price_ticks):
            engine.emit_canceled(market, order, _FOK_NOT_FILLED)
            return
        lots_before = order.remaining_lots
        fills: list[Fill] = []
        taker_expired = book.match(order, price_ticks, fills)
        engine.settle_fills(market, order, fills, lots_before)
    elif tif is _FOK:
        engine.emit_canceled(market, order, _FOK_NOT_FILLED)
        return
    if order.remaining_lots == 0:
        return
    if taker_expired:
        engine.emit_canceled(market, order, _SELF_TRADE)
    elif tif is _IOC or tif is _FOK:
        engine.emit_canceled(market, order, _IOC_REMAINDER)
    elif order.reduce_only and not _still_reduces(engine, market, order):
        engine.emit_canceled(market, order, _REDUCE_ONLY_CANCEL)
    else:
        engine.rest(market, order)


def execute_market_order(engine: Engine, market: Market, order: Order) -> None:
    """Match within the protection band around the reference price; the rest expires."""
    book = market.book
    if not book.has_liquidity(order.is_buy):
        engine.emit_canceled(market, order, _NO_LIQUIDITY)
        return
    limit_ticks = market.market_order_limit_ticks(order.is_buy)
    lots_before = order.remaining_lots
    fills: list[Fill] = []
    taker_expired = book.match(order, limit_ticks, fills)
    engine.settle_fills(market, order, fills, lots_before)
    if order.remaining_lots:
        if taker_expired:
            reason = _SELF_TRADE
        elif not book.has_liquidity(order.is_buy):
            reason = _NO_LIQUIDITY
        else:
            reason = _PROTECTION_BAND
        engine.emit_canceled(market, order, reason)


def _still_reduces(engine: Engine, market: Market, order: Order) -> bool:
    position = engine.risk.position_lots(order.account_id, market.symbol)
    return position < 0 if order.is_buy else position > 0
