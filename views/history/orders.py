"""Orders as history: one row per order with its current state, and one row per state it passed through.

The rows of the orders touched by a batch are held here, changed in event order, and written once
at the end of the batch (an order filled and then canceled in one batch ends CANCELED, whatever
order the writes would otherwise take).
"""

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from messages.enums import CancelReason
from messages.events import OrderAccepted, OrderAmended, OrderCanceled, OrderRested, Trade
from views.history.records import ORDER_COLUMNS, OrderRecord

# What a cancel reason makes of the order's status (Binance's vocabulary; the reason is kept too).
CANCELED_STATUS: dict[CancelReason, str] = {
    CancelReason.USER: "CANCELED",
    CancelReason.CANCEL_ALL: "CANCELED",
    CancelReason.REDUCE_ONLY: "CANCELED",
    CancelReason.MARKET_STATE: "CANCELED",
    CancelReason.LIQUIDATION: "CANCELED",
    CancelReason.EXPIRED: "EXPIRED",
    CancelReason.IOC_REMAINDER: "EXPIRED",
    CancelReason.FOK_NOT_FILLED: "EXPIRED",
    CancelReason.POST_ONLY_WOULD_TAKE: "EXPIRED",
    CancelReason.PROTECTION_BAND: "EXPIRED",
    CancelReason.NO_LIQUIDITY: "EXPIRED",
    CancelReason.SELF_TRADE: "EXPIRED_IN_MATCH",
}

# seq, order_id, account_id, market, ts_ms, kind, price_ticks, size_lots, remaining_lots, trade_id, reason
OrderEventRow = tuple[int, int, int, str, int, str, int, int, int, int | None, str | None]

# order_id -> its stored row, or None for an order the history never saw accepted
LoadOrder = Callable[[int], OrderRecord | None]

# An order being changed: OrderRecord's fields by name (a dict: a frozen record copied on every
# change cost more than the SQL writes)
Order = dict[str, Any]
_COLUMNS = ORDER_COLUMNS.split(", ")


class OrderTracker:
    """The batch's orders: read once from the table, changed here, written back by `rows()`."""

    def __init__(self, load: LoadOrder) -> None:
        self.load = load
        self.touched: dict[int, Order] = {}
        self.events: list[OrderEventRow] = []
        self.unknown_orders = 0  # events about orders accepted before the history began

    def _get(self, order_id: int) -> Order | None:
        order = self.touched.get(order_id)
        if order is None:
            stored = self.load(order_id)
            if stored is None:
                self.unknown_orders += 1
                return None
            order = self.touched[order_id] = asdict(stored)
        return order

    def _record(
        self,
        order: Order,
        seq: int,
        ts_ms: int,
        kind: str,
        size_lots: int,
        price_ticks: int | None = None,
        trade_id: int | None = None,
        reason: str | None = None,
    ) -> None:
        """Log the state the order passed through."""
        order["updated_seq"], order["updated_ms"] = seq, ts_ms
        price = order["price_ticks"] if price_ticks is None else price_ticks
        self.events.append(
            (seq, order["order_id"], order["account_id"], order["market"], ts_ms, kind, price, size_lots,
             order["remaining_lots"], trade_id, reason)
        )  # fmt: skip

    def accepted(self, e: OrderAccepted) -> None:
        order = self.touched[e.order_id] = dict(
            order_id=e.order_id,
            account_id=e.account_id,
            market=e.market,
            client_order_id=e.client_order_id,
            side=e.side.value,
            order_type=e.order_type.value,
            time_in_force=e.time_in_force.value,
            price_ticks=e.price_ticks,
            orig_size_lots=e.size_lots,
            size_lots=e.size_lots,
            filled_lots=0,
            remaining_lots=e.size_lots,
            filled_notional_tick_lots=0,
            reduce_only=e.reduce_only,
            expire_at_ms=e.expire_at_ms,
            self_trade_prevention=e.self_trade_prevention.value,
            status="NEW",
            resting=False,
            cancel_reason=None,
            created_seq=e.seq,
            created_ms=e.ts_ms,
            updated_seq=e.seq,
            updated_ms=e.ts_ms,
        )
        self._record(order, e.seq, e.ts_ms, "ACCEPTED", e.size_lots)

    def rested(self, e: OrderRested) -> None:
        order = self._get(e.order_id)
        if order is not None:
            order.update(resting=True, remaining_lots=e.remaining_lots, price_ticks=e.price_ticks)
            self._record(order, e.seq, e.ts_ms, "RESTED", order["size_lots"])

    def filled(self, e: Trade) -> None:
        for order_id, remaining_lots, is_maker in (
            (e.taker_order_id, e.taker_remaining_lots, False),
            (e.maker_order_id, e.maker_remaining_lots, True),
        ):
            order = self._get(order_id)
            if order is None:
                continue
            order["filled_lots"] += e.size_lots
            order["filled_notional_tick_lots"] += e.price_ticks * e.size_lots
            order["remaining_lots"] = remaining_lots
            order["status"] = "FILLED" if remaining_lots == 0 else "PARTIALLY_FILLED"
            if is_maker and remaining_lots == 0:
                order["resting"] = False  # a filled maker left the book
            self._record(order, e.seq, e.ts_ms, "FILLED", e.size_lots, price_ticks=e.price_ticks, trade_id=e.trade_id)

    def amended(self, e: OrderAmended) -> None:
        order = self._get(e.order_id)
        if order is not None:
            order.update(
                price_ticks=e.price_ticks,
                size_lots=e.size_lots,
                remaining_lots=e.remaining_lots,
                resting=e.priority_kept,  # a lost priority takes it out until an OrderRested
            )
            self._record(order, e.seq, e.ts_ms, "AMENDED", e.size_lots)

    def canceled(self, e: OrderCanceled) -> None:
        order = self._get(e.order_id)
        if order is not None:
            status = CANCELED_STATUS.get(e.reason, "CANCELED")
            order.update(status=status, cancel_reason=e.reason.value, remaining_lots=e.remaining_lots, resting=False)
            kind = "CANCELED" if status == "CANCELED" else "EXPIRED"
            self._record(order, e.seq, e.ts_ms, kind, order["size_lots"], reason=e.reason.value)

    def rows(self) -> list[tuple]:
        return [tuple(order[c] for c in _COLUMNS) for order in self.touched.values()]
