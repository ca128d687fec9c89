"""Trader: one account as the matching engine sees it, its resting orders in every market.

The orders form a doubly linked list through the orders themselves (`Order.prev_of_trader`,
`next_of_trader`), so resting and closing an order touch no dictionary: keyed by int ids, each
dictionary step costs a boxed key and a comparison, and an order used to take four of them. An
order finds its trader through `Order.trader`, set when it is placed.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matching.order import Order


def order_id_of(order: "Order") -> int:
    return order.order_id


class Trader:
    """`risk_handle` is whatever the risk policy keeps for the account (margin/: its Account), so
    that a pre-trade check finds it without a lookup by id; like `Order.risk_handle`, not state."""

    __slots__ = ("account_id", "first_order", "id_key", "order_count", "risk_handle")

    def __init__(self, account_id: int) -> None:
        self.account_id = account_id
        self.id_key: Any = account_id  # boxed once, for the events (see Order.id_key)
        self.first_order: Order | None = None
        self.order_count = 0
        self.risk_handle: object = None

    def __repr__(self) -> str:
        return f"Trader(account={self.account_id}, resting={self.order_count})"

    def add(self, order: "Order") -> None:
        """Link a newly resting order in, at the head (order is restored by `orders`)."""
        head = self.first_order
        order.prev_of_trader = None
        order.next_of_trader = head
        if head is not None:
            head.prev_of_trader = order
        self.first_order = order
        self.order_count += 1

    def remove(self, order: "Order") -> None:
        """Unlink an order that has left its book."""
        before = order.prev_of_trader
        after = order.next_of_trader
        if before is None:
            self.first_order = after
        else:
            before.next_of_trader = after
        if after is not None:
            after.prev_of_trader = before
        order.prev_of_trader = None
        order.next_of_trader = None
        self.order_count -= 1

    def orders(self) -> "list[Order]":
        """The resting orders in order-id order (the order a cancel-all or a liquidation takes)."""
        found = []
        order = self.first_order
        while order is not None:
            found.append(order)
            order = order.next_of_trader
        found.sort(key=order_id_of)
        return found
