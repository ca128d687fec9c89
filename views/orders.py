"""Every account's orders as the events tell them: the open ones, and the recently closed ones.

An order is known from its OrderAccepted (status NEW) and its fills come from the Trades that
name it as taker or maker; it rests from its OrderRested until the Trade that fills it, an
OrderCanceled, or an OrderAmended that loses priority (after which only a new OrderRested rests
it again) - messages/events.py. An order that ends (filled or canceled) moves to a bounded list
of recently closed orders, so that its status can be asked right after a fill; older history is
the indexer's. Amounts are exact integers: the filled size and the filled notional in tick-lots
(sum of price x size of its fills), whose ratio is the average fill price.

`on_resting` is told of every change of what rests (-1 before, +1 after), so that the accounts
keep their open-order totals (margin/'s Position.buy_lots ...) in step with the book.
"""

from collections import OrderedDict
from collections.abc import Callable
from enum import StrEnum
from fractions import Fraction

import msgspec

from matching.order import Order
from messages.enums import CancelReason, OrderType, SelfTradePrevention, Side, TimeInForce
from messages.events import OrderAccepted, OrderAmended, OrderCanceled, OrderRested, Trade

RECENTLY_CLOSED = 10_000  # closed orders kept for status queries, oldest forgotten first


class OrderStatus(StrEnum):
    NEW = "NEW"  # open, nothing filled
    PARTIALLY_FILLED = "PARTIALLY_FILLED"  # open, part filled
    FILLED = "FILLED"
    CANCELED = "CANCELED"  # `cancel_reason` says why (the API maps expiries to EXPIRED)


class OrderView(msgspec.Struct, frozen=True):
    """One order as its account may see it."""

    account_id: int
    market: str
    order_id: int
    client_order_id: str
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    price_ticks: int  # 0 for a market order
    size_lots: int  # the total asked (after any amend), filled part included
    remaining_lots: int  # still open; 0 once closed (a canceled order's unfilled part is size - filled)
    filled_lots: int
    # sum of price_ticks x size_lots of its fills: the average fill price is this / filled_lots
    # ticks. None when the view started from a snapshot after some of its fills (unknown there).
    filled_notional_ticks_lots: int | None
    reduce_only: bool
    expire_at_ms: int
    self_trade_prevention: SelfTradePrevention
    status: OrderStatus
    cancel_reason: CancelReason | None
    resting: bool  # in the book now
    created_ms: int  # its OrderAccepted's clock; 0 when seeded from a snapshot (unknown there)
    updated_ms: int  # the clock of the last event that changed it

    def average_price_ticks(self) -> Fraction | None:
        """Exact average fill price in ticks (None with no fills or an unknown notional)."""
        if not self.filled_lots or self.filled_notional_ticks_lots is None:
            return None
        return Fraction(self.filled_notional_ticks_lots, self.filled_lots)


class OrderRecord:
    """The mutable state of one order while the view follows it."""

    __slots__ = (
        "account_id",
        "cancel_reason",
        "client_order_id",
        "created_ms",
        "expire_at_ms",
        "filled_lots",
        "filled_notional",
        "is_buy",
        "market",
        "order_id",
        "order_type",
        "price_ticks",
        "reduce_only",
        "remaining_lots",
        "resting",
        "self_trade_prevention",
        "size_lots",
        "status",
        "time_in_force",
        "updated_ms",
    )

    def __init__(self, event: OrderAccepted) -> None:
        self.account_id = event.account_id
        self.market = event.market
        self.order_id = event.order_id
        self.client_order_id = event.client_order_id
        self.is_buy = event.side is Side.BUY
        self.order_type = event.order_type
        self.time_in_force = event.time_in_force
        self.price_ticks = event.price_ticks
        self.size_lots = event.size_lots
        self.remaining_lots = event.size_lots
        self.filled_lots = 0
        self.filled_notional: int | None = 0
        self.reduce_only = event.reduce_only
        self.expire_at_ms = event.expire_at_ms
        self.self_trade_prevention = event.self_trade_prevention
        self.status = OrderStatus.NEW
        self.cancel_reason: CancelReason | None = None
        self.resting = False
        self.created_ms = event.ts_ms
        self.updated_ms = event.ts_ms

    @staticmethod
    def from_resting(order: Order) -> "OrderRecord":
        """A resting order of a restored engine (always a limit order: market orders never rest)."""
        record = OrderRecord.__new__(OrderRecord)
        record.account_id = order.account_id
        record.market = order.market
        record.order_id = order.order_id
        record.client_order_id = order.client_order_id
        record.is_buy = order.is_buy
        record.order_type = OrderType.LIMIT
        record.time_in_force = order.time_in_force
        record.price_ticks = order.price_ticks
        record.size_lots = order.size_lots
        record.remaining_lots = order.remaining_lots
        record.filled_lots = order.size_lots - order.remaining_lots
        record.filled_notional = 0 if record.filled_lots == 0 else None
        record.reduce_only = order.reduce_only
        record.expire_at_ms = order.expire_at_ms
        record.self_trade_prevention = order.self_trade_prevention
        record.status = OrderStatus.PARTIALLY_FILLED if record.filled_lots else OrderStatus.NEW
        record.cancel_reason = None
        record.resting = True
        record.created_ms = 0
        record.updated_ms = 0
        return record

    def fill(self, price_ticks: int, size_lots: int, remaining_lots: int, ts_ms: int) -> None:
        self.filled_lots += size_lots
        if self.filled_notional is not None:
            self.filled_notional += price_ticks * size_lots
        self.remaining_lots = remaining_lots
        self.status = OrderStatus.FILLED if remaining_lots == 0 else OrderStatus.PARTIALLY_FILLED
        self.updated_ms = ts_ms

    def view(self) -> OrderView:
        return OrderView(
            self.account_id,
            self.market,
            self.order_id,
            self.client_order_id,
            Side.BUY if self.is_buy else Side.SELL,
            self.order_type,
            self.time_in_force,
            self.price_ticks,
            self.size_lots,
            self.remaining_lots,
            self.filled_lots,
            self.filled_notional,
            self.reduce_only,
            self.expire_at_ms,
            self.self_trade_prevention,
            self.status,
            self.cancel_reason,
            self.resting,
            self.created_ms,
            self.updated_ms,
        )


RestingListener = Callable[[OrderRecord, int], None]


class UnknownOrder(Exception):
    """An event names an order this view never saw accepted (it started after it, or lost events)."""


class OrdersView:
    def __init__(self, on_resting: RestingListener, recently_closed: int = RECENTLY_CLOSED) -> None:
        self.on_resting = on_resting
        self.recently_closed = recently_closed
        self.open: dict[int, OrderRecord] = {}  # order id -> open order (resting, or a taker mid-command)
        self.open_by_account: dict[int, dict[int, OrderRecord]] = {}
        self.closed: OrderedDict[int, OrderRecord] = OrderedDict()  # order id -> closed, oldest first
        self.client_ids: dict[tuple[int, str], int] = {}  # (account, client id) -> its latest order id

    # -- the fold ------------------------------------------------------------------------------------

    def seed(self, orders: list[Order]) -> None:
        """Start from a restored engine's resting orders (in order-id order)."""
        for order in orders:
            self.opened(OrderRecord.from_resting(order))

    def on_accepted(self, event: OrderAccepted) -> None:
        self.opened(OrderRecord(event))

    def on_rested(self, event: OrderRested) -> None:
        record = self.must_get_open(event.order_id)
        record.remaining_lots = event.remaining_lots
        record.price_ticks = event.price_ticks
        record.resting = True
        record.updated_ms = event.ts_ms
        self.on_resting(record, 1)

    def on_trade(self, event: Trade) -> None:
        maker = self.must_get_open(event.maker_order_id)
        taker = self.must_get_open(event.taker_order_id)
        self.on_resting(maker, -1)
        maker.fill(event.price_ticks, event.size_lots, event.maker_remaining_lots, event.ts_ms)
        if maker.remaining_lots:
            self.on_resting(maker, 1)
        else:
            self.close(maker)
        taker.fill(event.price_ticks, event.size_lots, event.taker_remaining_lots, event.ts_ms)
        if not taker.remaining_lots:
            self.close(taker)

    def on_canceled(self, event: OrderCanceled) -> None:
        record = self.must_get_open(event.order_id)
        if record.resting:
            self.on_resting(record, -1)
        record.status = OrderStatus.CANCELED
        record.cancel_reason = event.reason
        record.updated_ms = event.ts_ms
        self.close(record)

    def on_amended(self, event: OrderAmended) -> None:
        record = self.must_get_open(event.order_id)
        if record.resting:
            self.on_resting(record, -1)
        record.price_ticks = event.price_ticks
        record.size_lots = event.size_lots
        record.remaining_lots = event.remaining_lots
        record.updated_ms = event.ts_ms
        record.resting = event.priority_kept  # lost: it trades and/or rests again, as later events say
        if record.resting:
            self.on_resting(record, 1)

    def opened(self, record: OrderRecord) -> None:
        self.open[record.order_id] = record
        by_account = self.open_by_account.get(record.account_id)
        if by_account is None:
            by_account = self.open_by_account[record.account_id] = {}
        by_account[record.order_id] = record
        if record.client_order_id:
            self.client_ids[(record.account_id, record.client_order_id)] = record.order_id
        if record.resting:
            self.on_resting(record, 1)

    def close(self, record: OrderRecord) -> None:
        record.resting = False
        record.remaining_lots = 0
        del self.open[record.order_id]
        by_account = self.open_by_account[record.account_id]
        del by_account[record.order_id]
        if not by_account:
            del self.open_by_account[record.account_id]
        closed = self.closed
        closed[record.order_id] = record
        while len(closed) > self.recently_closed:
            _, oldest = closed.popitem(last=False)
            key = (oldest.account_id, oldest.client_order_id)
            if oldest.client_order_id and self.client_ids.get(key) == oldest.order_id:
                del self.client_ids[key]

    def must_get_open(self, order_id: int) -> OrderRecord:
        record = self.open.get(order_id)
        if record is None:
            raise UnknownOrder(f"order {order_id} is not open in this view")
        return record

    # -- queries -------------------------------------------------------------------------------------

    def open_orders(self, account_id: int, market: str = "") -> list[OrderView]:
        """The account's open orders (in one market, or all with ""), in order-id order."""
        records = self.open_by_account.get(account_id)
        if not records:
            return []
        return [r.view() for _, r in sorted(records.items()) if not market or r.market == market]

    def get_order(self, account_id: int, order_id: int = 0, client_order_id: str = "") -> OrderView | None:
        """An open or recently closed order of the account, by id, or by client id when order_id
        is 0 (its latest order with that client id). None if not found or not the account's."""
        if not order_id:
            order_id = self.client_ids.get((account_id, client_order_id), 0)
        record = self.open.get(order_id) or self.closed.get(order_id)
        if record is None or record.account_id != account_id:
            return None
        return record.view()
