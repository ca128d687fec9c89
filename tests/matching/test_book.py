"""The order book's own rules, checked on the fast book and its naive twin alike."""

import pytest

from matching.book import OrderBook
from matching.naive_book import NaiveBook
from matching.order import Order
from messages.enums import SelfTradePrevention

BOOKS = [OrderBook, NaiveBook]
_next = iter(range(1, 10**9))


def order(side: str, price: int, lots: int, account: int = 1, stp=SelfTradePrevention.NONE) -> Order:
    return Order(next(_next), account, "M", side == "B", price, lots, lots, self_trade_prevention=stp)


def rested(book, *orders: Order) -> list[Order]:
    for o in orders:
        book.add(o)
    book.check_invariants()
    return list(orders)


@pytest.fixture(params=BOOKS, ids=lambda cls: cls.__name__)
def book(request):
    return request.param()


def test_best_prices_and_depth(book):
    rested(book, order("B", 99, 1), order("B", 98, 2), order("B", 99, 3), order("S", 101, 4), order("S", 103, 5))
    assert (book.best_bid_ticks, book.best_ask_ticks) == (99, 101)
    assert book.depth(10) == ([(99, 4), (98, 2)], [(101, 4), (103, 5)])
    assert book.depth(1) == ([(99, 4)], [(101, 4)])
    assert (book.level_count(True), book.level_count(False)) == (2, 2)


def test_empty_book_has_no_best_prices(book):
    assert (book.best_bid_ticks, book.best_ask_ticks, len(book)) == (None, None, 0)


def test_cancel_removes_and_updates_best(book):
    a, b = rested(book, order("B", 99, 1), order("B", 100, 2))
    assert book.remove(b.order_id) is b
    assert book.best_bid_ticks == 99 and book.remove(b.order_id) is None
    book.check_invariants()
    assert book.remove(a.order_id) is a and book.best_bid_ticks is None


def test_match_takes_price_then_time_priority(book):
    first, second, better = rested(book, order("S", 101, 2), order("S", 101, 2), order("S", 100, 1))
    taker = order("B", 101, 4)
    fills = []
    assert book.match(taker, 101, fills) is False
    assert [(m.order_id, lots) for m, lots in fills] == [
        (better.order_id, 1),
        (first.order_id, 2),
        (second.order_id, 1),
    ]
    assert taker.remaining_lots == 0 and second.remaining_lots == 1
    book.check_invariants()
    assert book.depth(5) == ([], [(101, 1)])


def test_match_stops_at_the_limit(book):
    rested(book, order("B", 100, 1), order("B", 99, 1))
    taker = order("S", 100, 5)
    fills = []
    book.match(taker, 100, fills)
    assert [lots for _, lots in fills] == [1] and taker.remaining_lots == 4


def test_reduce_keeps_priority(book):
    first, second = rested(book, order("S", 100, 5), order("S", 100, 5))
    book.reduce(first, 2)
    book.check_invariants()
    fills = []
    book.match(order("B", 100, 3), 100, fills)
    assert [(m.order_id, lots) for m, lots in fills] == [(first.order_id, 2), (second.order_id, 1)]


@pytest.mark.parametrize(
    ("stp", "expected_fills", "taker_expired"),
    [
        (SelfTradePrevention.EXPIRE_TAKER, [], True),
        (SelfTradePrevention.EXPIRE_MAKER, [("own", 0), ("other", 2)], False),
        (SelfTradePrevention.EXPIRE_BOTH, [("own", 0)], True),
        (SelfTradePrevention.NONE, [("own", 2)], False),
    ],
)
def test_self_trade_prevention(book, stp, expected_fills, taker_expired):
    own, other = rested(book, order("S", 100, 2, account=7), order("S", 100, 2, account=8))
    taker = order("B", 100, 2, account=7, stp=stp)
    fills = []
    assert book.match(taker, 100, fills) is taker_expired
    names = {own.order_id: "own", other.order_id: "other"}
    assert [(names[m.order_id], lots) for m, lots in fills] == expected_fills
    book.check_invariants()


def test_can_fill_is_all_or_nothing_and_changes_nothing(book):
    rested(book, order("S", 100, 2), order("S", 101, 2), order("S", 102, 2, account=9))
    assert book.can_fill(order("B", 101, 4), 101)
    assert not book.can_fill(order("B", 101, 5), 101)
    blocked = order("B", 102, 6, account=9, stp=SelfTradePrevention.EXPIRE_TAKER)
    assert not book.can_fill(blocked, 102)
    assert book.depth(5) == ([], [(100, 2), (101, 2), (102, 2)])


def test_impact_price_is_the_average_fill_rounded_against_the_taker(book):
    # micro_per_tick_lot 1: notional of one lot at price p is p micro-USDC
    rested(book, order("S", 100, 10), order("S", 110, 10), order("B", 90, 10))
    # 1,550 micro buys 10 at 100 and 5 at 110: 15 lots, average 103.33.. -> 104 for a buyer
    assert book.impact_price_ticks(True, 1_550, 1) == 104
    # 450 micro sells 5 at 90: exactly 90
    assert book.impact_price_ticks(False, 450, 1) == 90
    # more than the side holds
    assert book.impact_price_ticks(False, 901, 1) is None
    assert book.impact_price_ticks(True, 2_100, 1) == 105


def test_many_levels_emptied_and_refilled_at_colliding_prices(book):
    """Enough levels to purge the emptied ones, at prices 256 apart (the fast book caches levels
    by price % 256), taken out and put back in an order that is neither best-first nor FIFO."""
    prices = [p + 256 * k for p in range(1000, 1020) for k in range(3)]  # 60 bid levels
    bids = rested(book, *(order("B", p, 1) for p in prices))
    assert book.best_bid_ticks == max(prices) and book.level_count(True) == 60
    for o in bids[::2] + bids[1::2][::-1]:
        book.remove(o.order_id)
        book.check_invariants()
    assert (book.best_bid_ticks, book.level_count(True), len(book)) == (None, 0, 0)
    again = rested(book, *(order("B", p, 2) for p in reversed(prices)), order("S", max(prices) + 1, 1))
    assert book.best_bid_ticks == max(prices) and book.level_count(True) == 60
    for o in again[:30]:  # the orders at prices[30:]
        book.remove(o.order_id)
    book.check_invariants()
    assert book.best_bid_ticks == max(prices[:30])
    fills = []
    book.match(order("S", 1, 100), 1, fills)
    assert [m.price_ticks for m, _ in fills] == sorted(prices[:30], reverse=True)
    book.check_invariants()
    assert (book.best_bid_ticks, book.best_ask_ticks, book.level_count(True)) == (None, max(prices) + 1, 0)
