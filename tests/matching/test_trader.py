"""Trader: an account's resting orders as a list linked through the orders, against a plain dict."""

from hypothesis import given
from hypothesis import strategies as st

from matching.order import Order
from matching.trader import Trader


def order(order_id: int) -> Order:
    return Order(order_id, 7, "AAPL-PERP", True, 100, 1, 1)


def test_orders_come_back_in_id_order_whatever_the_order_they_rested_in() -> None:
    trader = Trader(7)
    orders = [order(i) for i in (5, 2, 9, 1)]
    for o in orders:
        trader.add(o)
    assert [o.order_id for o in trader.orders()] == [1, 2, 5, 9]
    trader.remove(orders[2])  # order 9, the head's neighbour
    trader.remove(orders[3])  # order 1, the head
    assert [o.order_id for o in trader.orders()] == [2, 5]
    assert trader.order_count == 2
    assert orders[3].prev_of_trader is None and orders[3].next_of_trader is None


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 30)), max_size=200))
def test_adds_and_removes_agree_with_a_dict(steps: list[tuple[bool, int]]) -> None:
    trader = Trader(7)
    reference: dict[int, Order] = {}
    for is_add, order_id in steps:
        if is_add and order_id not in reference:
            reference[order_id] = order(order_id)
            trader.add(reference[order_id])
        elif not is_add and order_id in reference:
            trader.remove(reference.pop(order_id))
        listed = trader.orders()
        assert [o.order_id for o in listed] == sorted(reference)
        assert all(a is reference[a.order_id] for a in listed)
        assert trader.order_count == len(reference)
