"""Orders as history: one row per order with its current state, and one row per state it passed through.

The rows of the orders touched by a batch are held here, changed in event order, and written once
at the end of the batch (an order filled and then canceled in one batch ends CANCELED, whatever
order the writes would otherwise take).
"""

from collections.abc import Callable
from dataclasses import dataclass, fields
from operator import attrgetter

from messages.enums import CancelReason
from messages.events import OrderAccepted, OrderAmended, OrderCanceled, OrderRested, Trade

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

ORDER_COLUMNS = (
    "order_id, account_id, market, client_order_id, side, order_type, time_in_force, price_ticks, "
    "orig_size_lots, size_lots, filled_lots, remaining_lots, filled_notional_tick_lots, reduce_only, "
    "expire_at_ms, self_trade_prevention, status, resting, cancel_reason, created_seq, created_ms, "
    "updated_seq, updated_ms"
)


@dataclass(slots=True)
class OrderRow:
    """An order's current state, column for column as in the `orders` table."""

    order_id: int
    account_id: int
    market: str
    client_order_id: str
    side: str
    order_type: str
    time_in_force: str
    price_ticks: int
    orig_size_lots: int
    size_lots: int
    filled_lots: int
    remaining_lots: int
    filled_notional_tick_lots: int  # sum of price x size over its fills: the average price's numerator
    reduce_only: int
    expire_at_ms: int
    self_trade_prevention: str
    status: str
    resting: int
    cancel_reason: str | None
    created_seq: int
    created_ms: int
    updated_seq: int
    updated_ms: int


_order_values = attrgetter(*(f.name for f in fields(OrderRow)))  # a row's columns as a tuple, cheaply

OrderEventRow = tuple[int, int, int, str, int, str, int, int, int, int | None, str | None]

# order_id -> its stored row, or None for an order the history never saw accepted
LoadOrder = Callable[[int], OrderRow | None]


class OrderTracker:
    """The batch's orders: read once from the table, changed here, written back by `rows()`."""

    def __init__(self, load: LoadOrder) -> None:
        self.load = load
        self.touched: dict[int, OrderRow] = {}
        self.events: list[OrderEventRow] = []
        self.unknown_orders = 0  # events about orders accepted before the history began

    def _get(self, order_id: int) -> OrderRow | None:
        row = self.touched.get(order_id)
        if row is None:
            row = self.load(order_id)
            if row is None:
                self.unknown_orders += 1
                return None
            self.touched[order_id] = row
        return row

    def _record(
        self,
        row: OrderRow,
        seq: int,
        ts_ms: int,
        kind: str,
        size_lots: int,
        price_ticks: int | None = None,
        trade_id: int | None = None,
        reason: str | None = None,
    ) -> None:
        row.updated_seq, row.updated_ms = seq, ts_ms
        price = row.price_ticks if price_ticks is None else price_ticks
        self.events.append(
            (
                seq,
                row.order_id,
                row.account_id,
                row.market,
                ts_ms,
                kind,
                price,
                size_lots,
                row.remaining_lots,
                trade_id,
                reason,
            )
        )

    def accepted(self, e: OrderAccepted) -> None:
        row = OrderRow(
            e.order_id,
            e.account_id,
            e.market,
            e.client_order_id,
            e.side.value,
            e.order_type.value,
            e.time_in_force.value,
            e.price_ticks,
            e.size_lots,
            e.size_lots,
            0,
            e.size_lots,
            0,
            int(e.reduce_only),
            e.expire_at_ms,
            e.self_trade_prevention.value,
            "NEW",
            0,
            None,
            e.seq,
            e.ts_ms,
            e.seq,
            e.ts_ms,
        )
        self.touched[e.order_id] = row
        self._record(row, e.seq, e.ts_ms, "ACCEPTED", e.size_lots)

    def rested(self, e: OrderRested) -> None:
        row = self._get(e.order_id)
        if row is None:
            return
        row.resting, row.remaining_lots, row.price_ticks = 1, e.remaining_lots, e.price_ticks
        self._record(row, e.seq, e.ts_ms, "RESTED", row.size_lots)

    def filled(self, e: Trade) -> None:
        for order_id, remaining_lots, is_maker in (
            (e.taker_order_id, e.taker_remaining_lots, False),
            (e.maker_order_id, e.maker_remaining_lots, True),
        ):
            row = self._get(order_id)
            if row is None:
                continue
            row.filled_lots += e.size_lots
            row.filled_notional_tick_lots += e.price_ticks * e.size_lots
            row.remaining_lots = remaining_lots
            row.status = "FILLED" if remaining_lots == 0 else "PARTIALLY_FILLED"
            if is_maker and remaining_lots == 0:
                row.resting = 0
            self._record(row, e.seq, e.ts_ms, "FILLED", e.size_lots, trade_id=e.trade_id, price_ticks=e.price_ticks)

    def amended(self, e: OrderAmended) -> None:
        row = self._get(e.order_id)
        if row is None:
            return
        row.price_ticks, row.size_lots, row.remaining_lots = e.price_ticks, e.size_lots, e.remaining_lots
        row.resting = 1 if e.priority_kept else 0
        self._record(row, e.seq, e.ts_ms, "AMENDED", e.size_lots)

    def canceled(self, e: OrderCanceled) -> None:
        row = self._get(e.order_id)
        if row is None:
            return
        row.status = CANCELED_STATUS.get(e.reason, "CANCELED")
        row.cancel_reason = e.reason.value
        row.remaining_lots, row.resting = e.remaining_lots, 0
        kind = "EXPIRED" if row.status != "CANCELED" else "CANCELED"
        self._record(row, e.seq, e.ts_ms, kind, row.size_lots, reason=e.reason.value)

    def rows(self) -> list[tuple]:
        return [_order_values(row) for row in self.touched.values()]
