"""Every open order of the shard as the events tell it, with what user data streams need to say.

The depth diffs need the side and price of an order that a cancel takes out of the book (the
OrderCanceled event does not carry them), and ORDER_TRADE_UPDATE needs each order's type, time in
force, original size and what has filled. Orders seen only from a seeded book (resting before this
process started) are known by what the book holds: their original size is their remaining size.
An order is forgotten at the event that ends it, so this holds the open orders and nothing more.
"""

from dataclasses import dataclass

from messages.enums import OrderType, Side, TimeInForce
from messages.events import Event, OrderAccepted, OrderAmended, OrderCanceled, OrderRested, Trade
from views.exchange import ExchangeView


@dataclass
class TrackedOrder:
    order_id: int
    account_id: int
    market: str
    client_order_id: str
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    price_ticks: int
    size_lots: int
    filled_lots: int = 0
    filled_quote_lots_ticks: int = 0  # sum of price_ticks x size_lots of its fills (average price)
    reduce_only: bool = False
    expire_at_ms: int = 0
    resting: bool = False
    created_ms: int = 0
    updated_ms: int = 0

    @property
    def remaining_lots(self) -> int:
        return self.size_lots - self.filled_lots


class OrderTracker:
    def __init__(self) -> None:
        self.orders: dict[int, TrackedOrder] = {}

    def seed(self, view: ExchangeView) -> None:
        """The orders resting in the view's books (the open orders of a process that starts now)."""
        self.orders = {}
        for symbol, book in view.books.books.items():
            for order in book.book.orders.values():
                side = Side.BUY if order.is_buy else Side.SELL
                self.orders[order.order_id] = TrackedOrder(
                    order.order_id,
                    order.account_id,
                    symbol,
                    order.client_order_id,
                    side,
                    OrderType.LIMIT,
                    TimeInForce.GTC,
                    order.price_ticks,
                    order.remaining_lots,
                    resting=True,
                )

    def get(self, order_id: int) -> TrackedOrder | None:
        return self.orders.get(order_id)

    def apply(self, event: Event) -> None:
        """Fold one event (called after the caller has read what it needs of the state before)."""
        if isinstance(event, OrderAccepted):
            self.orders[event.order_id] = TrackedOrder(
                event.order_id,
                event.account_id,
                event.market,
                event.client_order_id,
                event.side,
                event.order_type,
                event.time_in_force,
                event.price_ticks,
                event.size_lots,
                reduce_only=event.reduce_only,
                expire_at_ms=event.expire_at_ms,
                created_ms=event.ts_ms,
                updated_ms=event.ts_ms,
            )
        elif isinstance(event, OrderRested):
            order = self.orders.get(event.order_id)
            if order is not None:
                order.resting = True
                order.price_ticks = event.price_ticks
                order.updated_ms = event.ts_ms
        elif isinstance(event, Trade):
            for order_id, remaining in (
                (event.taker_order_id, event.taker_remaining_lots),
                (event.maker_order_id, event.maker_remaining_lots),
            ):
                order = self.orders.get(order_id)
                if order is None:
                    continue
                order.filled_lots += event.size_lots
                order.filled_quote_lots_ticks += event.size_lots * event.price_ticks
                order.updated_ms = event.ts_ms
                if remaining == 0:
                    del self.orders[order_id]
        elif isinstance(event, OrderCanceled):
            self.orders.pop(event.order_id, None)
        elif isinstance(event, OrderAmended):
            order = self.orders.get(event.order_id)
            if order is not None:
                order.price_ticks = event.price_ticks
                order.size_lots = event.size_lots
                order.filled_lots = event.size_lots - event.remaining_lots
                order.resting = event.priority_kept
                order.updated_ms = event.ts_ms
