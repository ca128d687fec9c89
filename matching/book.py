"""The fast order book: price levels in a SortedList per side, FIFO lists within a level, O(1) cancel.

Each side orders its price levels by a sortedcontainers SortedList of keys, best level last, and
caches the best live level. The sorted index is touched only when a price level is created or
purged: emptied levels are kept (up to a limit) and revived, and the next best price is found tick
by tick near the touch before the index is asked. Within a level, orders form a doubly linked list
through their own `prev_in_level` / `next_in_level` (as exchange-core's direct book does):
appending, taking the head and cancelling from the middle are each a few pointer writes, with no
dead slots to skip or compact.

`NaiveBook` in naive_book.py is the obviously-right twin this one is tested against.
"""

import itertools
import math
from collections.abc import Iterator
from fractions import Fraction
from typing import Final

from mypy_extensions import mypyc_attr
from sortedcontainers import SortedList  # type: ignore[import-untyped]

from matching.order import Order
from messages.enums import SelfTradePrevention

_STP_NONE: Final = SelfTradePrevention.NONE
_STP_EXPIRE_MAKER: Final = SelfTradePrevention.EXPIRE_MAKER
_STP_EXPIRE_BOTH: Final = SelfTradePrevention.EXPIRE_BOTH
_PURGE_EMPTY_LEVELS: Final = 32
_WALK_TICKS: Final = 8  # how many ticks past an emptied best are tried before the sorted index
_CACHE_MASK: Final = 255  # a side's level cache has this + 1 slots, for a price range that wide

Fill = tuple[Order, int]
"""(maker, lots traded); lots 0 means the maker was removed by self-trade prevention."""


class PriceLevel:
    """Orders at one price in arrival order, from `head` (next to trade) to `tail`."""

    def __init__(self, price_ticks: int) -> None:
        self.price_ticks = price_ticks
        self.total_lots = 0
        self.live_count = 0
        self.head: Order | None = None
        self.tail: Order | None = None

    def append(self, order: Order) -> None:
        tail = self.tail
        order.prev_in_level = tail
        order.next_in_level = None
        if tail is None:
            self.head = order
        else:
            tail.next_in_level = order
        self.tail = order

    def unlink(self, order: Order) -> None:
        before, after = order.prev_in_level, order.next_in_level
        if before is None:
            self.head = after
        else:
            before.next_in_level = after
        if after is None:
            self.tail = before
        else:
            after.prev_in_level = before
        order.prev_in_level = None
        order.next_in_level = None

    def orders(self) -> Iterator[Order]:
        order = self.head
        while order is not None:
            yield order
            order = order.next_in_level


class BookSide:
    """One side of the book: its price levels, ordered by a sortedcontainers SortedList.

    `keys` holds each level's sort key (the price for bids, minus the price for asks, so both
    ascend towards the best: the best level is last) and `levels` maps price to level. A level
    whose last order leaves stays listed, empty, until `_PURGE_EMPTY_LEVELS` of them pile up:
    prices near the touch empty and refill all the time, and keeping them spares the sorted
    index an insert and a removal each time. The best live level is cached, so matching and the
    best price need no search; when it empties, the next is looked for tick by tick first (books
    are dense near the touch), then in the sorted index.
    """

    __slots__ = ("best_level", "best_ticks", "cache", "empty_levels", "is_bid", "keys", "levels")

    def __init__(self, is_bid: bool) -> None:
        self.is_bid = is_bid
        self.keys = SortedList()  # sort keys, ascending: the best level is last
        self.levels: dict[int, PriceLevel] = {}  # price -> level, live and empty, each keyed in `keys`
        self.empty_levels = 0
        self.best_ticks = 0  # 0 while the side is empty (prices are positive): a native int when compiled
        self.best_level: PriceLevel | None = None  # the level at best_ticks
        # levels by price & _CACHE_MASK, each also in `levels`: a hit needs no int boxed and hashed
        self.cache: list[PriceLevel | None] = [None] * (_CACHE_MASK + 1)

    def sort_key(self, price_ticks: int) -> int:
        return price_ticks if self.is_bid else -price_ticks

    def find_level(self, price_ticks: int) -> PriceLevel | None:
        """The level at this price, live or empty, if there is one: from the cache, else from
        `levels` (and cached)."""
        level = self.cache[price_ticks & _CACHE_MASK]
        if level is not None and level.price_ticks == price_ticks:
            return level
        level = self.levels.get(price_ticks)
        if level is not None:
            self.cache[price_ticks & _CACHE_MASK] = level
        return level

    def level_at(self, price_ticks: int) -> PriceLevel:
        """The level of a price that has one."""
        level = self.find_level(price_ticks)
        assert level is not None
        return level

    def level_for(self, price_ticks: int) -> PriceLevel:
        """The level an order joins at this price: existing, revived or new; best price updated."""
        level = self.find_level(price_ticks)
        if level is None:
            level = PriceLevel(price_ticks)
            self.levels[price_ticks] = level
            self.keys.add(self.sort_key(price_ticks))
            self.empty_levels += 1  # counted as revived just below
            self.cache[price_ticks & _CACHE_MASK] = level
        if level.live_count == 0:
            self.empty_levels -= 1
        best = self.best_ticks
        # no `sign * price` here: compiled, a product with a negative factor is a slow boxed multiply
        if best == 0 or (price_ticks > best if self.is_bid else price_ticks < best):
            self.best_ticks = price_ticks
            self.best_level = level
        return level

    def level_emptied(self, level: PriceLevel) -> None:
        """The level's last live order has gone: keep it, empty, and move the best price on."""
        self.empty_levels += 1
        if level is self.best_level:
            self._find_best()
        if self.empty_levels > _PURGE_EMPTY_LEVELS:
            self._purge_empty_levels()

    def _find_best(self) -> None:
        """The best live level below the emptied best: the next few ticks away from the touch
        through the level cache, then the sorted index from there."""
        price = self.best_ticks
        step = -1 if self.is_bid else 1
        for _ in range(_WALK_TICKS):
            price += step
            if price <= 0:
                break
            level = self.find_level(price)
            if level is not None and level.live_count:
                self.best_ticks = price
                self.best_level = level
                return
        levels = self.levels
        for key in self.keys.irange(maximum=self.sort_key(price), inclusive=(True, False), reverse=True):
            level = levels[key if self.is_bid else -key]
            if level.live_count:
                self.best_ticks = level.price_ticks
                self.best_level = level
                return
        self.best_ticks = 0
        self.best_level = None

    def _purge_empty_levels(self) -> None:
        live = []
        for price, level in list(self.levels.items()):
            if level.live_count:
                live.append(self.sort_key(price))
            else:
                del self.levels[price]
                if self.cache[price & _CACHE_MASK] is level:
                    self.cache[price & _CACHE_MASK] = None
        self.keys = SortedList(live)
        self.empty_levels = 0

    @property
    def level_count(self) -> int:
        return len(self.levels) - self.empty_levels

    def levels_best_first(self) -> Iterator[PriceLevel]:
        levels = self.levels
        for key in reversed(self.keys):
            level = levels[key if self.is_bid else -key]
            if level.live_count:
                yield level


@mypyc_attr(allow_interpreted_subclasses=True)
class OrderBook:
    """Resting orders of one market in price-time priority. Never crossed between operations."""

    __slots__ = ("asks", "bids", "next_arrival", "orders")

    def __init__(self) -> None:
        self.bids = BookSide(True)
        self.asks = BookSide(False)
        self.orders: dict[int, Order] = {}
        self.next_arrival = 1

    # -- queries ---------------------------------------------------------------------------------

    @property
    def best_bid_ticks(self) -> int | None:
        return self.bids.best_ticks or None

    @property
    def best_ask_ticks(self) -> int | None:
        return self.asks.best_ticks or None

    def crosses(self, is_buy: bool, price_ticks: int) -> bool:
        """Would an order on this side at this price trade with the opposite side now?"""
        if is_buy:
            ask = self.asks.best_ticks
            return ask != 0 and price_ticks >= ask
        bid = self.bids.best_ticks
        return bid != 0 and price_ticks <= bid

    def has_liquidity(self, is_buy: bool) -> bool:
        """Does the side an order of this side would take from hold anything?"""
        return (self.asks if is_buy else self.bids).best_ticks != 0

    def get(self, order_id: int) -> Order | None:
        return self.orders.get(order_id)

    def __len__(self) -> int:
        return len(self.orders)

    def __contains__(self, order_id: int) -> bool:
        return order_id in self.orders

    def side_in_priority(self, is_buy: bool) -> Iterator[Order]:
        """Resting orders of one side, best price first, oldest first within a price."""
        for level in (self.bids if is_buy else self.asks).levels_best_first():
            yield from level.orders()

    def depth(self, max_levels: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """L2 snapshot: up to `max_levels` (price_ticks, total_lots) per side, best first."""
        return _side_depth(self.bids, max_levels), _side_depth(self.asks, max_levels)

    def impact_price_ticks(self, is_buy: bool, notional_micro: int, micro_per_tick_lot: int) -> int | None:
        """Average price of taking `notional_micro` from the book: buying from the asks when
        `is_buy`, selling into the bids otherwise. The funding premium is built from these.

        Rounded against the taker (up when buying, down when selling) so that a thin book never
        looks better than it is; None when the side cannot absorb the whole notional.
        """
        remaining_micro = notional_micro
        lots = Fraction(0)
        for level in (self.asks if is_buy else self.bids).levels_best_first():
            level_micro = level.price_ticks * level.total_lots * micro_per_tick_lot
            if level_micro >= remaining_micro:
                lots += Fraction(remaining_micro, level.price_ticks * micro_per_tick_lot)
                average = Fraction(notional_micro) / (lots * micro_per_tick_lot)
                return math.ceil(average) if is_buy else math.floor(average)
            lots += level.total_lots
            remaining_micro -= level_micro
        return None

    def level_count(self, is_buy: bool) -> int:
        return (self.bids if is_buy else self.asks).level_count

    # -- changes ---------------------------------------------------------------------------------

    def add(self, order: Order) -> None:
        """Rest `order` at the back of its level. The caller has matched it: it must not cross."""
        side = self.bids if order.is_buy else self.asks
        level = side.level_for(order.price_ticks)
        level.append(order)
        level.total_lots += order.remaining_lots
        level.live_count += 1
        order.resting = True
        order.arrival = self.next_arrival
        self.next_arrival += 1
        self.orders[order.id_key] = order

    def remove(self, order_id: int) -> Order | None:
        """Take a resting order out of the book (cancel); None if it is not resting here."""
        order = self.orders.get(order_id)
        if order is not None:
            self.take_out(order)
        return order

    def take_out(self, order: Order) -> None:
        """`remove` for an order the caller knows rests here: no lookup by id."""
        del self.orders[order.id_key]
        order.resting = False
        side = self.bids if order.is_buy else self.asks
        level = side.level_at(order.price_ticks)
        level.unlink(order)
        level.total_lots -= order.remaining_lots
        level.live_count -= 1
        if level.live_count == 0:
            side.level_emptied(level)

    def reduce(self, order: Order, new_remaining_lots: int) -> None:
        """Shrink a resting order in place: it keeps its time priority."""
        side = self.bids if order.is_buy else self.asks
        side.level_at(order.price_ticks).total_lots -= order.remaining_lots - new_remaining_lots
        order.size_lots -= order.remaining_lots - new_remaining_lots
        order.remaining_lots = new_remaining_lots

    def can_fill(self, taker: Order, limit_ticks: int) -> bool:
        """Would matching `taker` up to `limit_ticks` fill all of it? (fill-or-kill, no change)."""
        needed = taker.remaining_lots
        stp = taker.self_trade_prevention
        account_id = taker.account_id
        side = self.asks if taker.is_buy else self.bids
        for level in side.levels_best_first():
            if (level.price_ticks > limit_ticks) if taker.is_buy else (level.price_ticks < limit_ticks):
                return False
            if stp is _STP_NONE:
                needed -= level.total_lots
            else:
                for maker in level.orders():
                    if maker.account_id == account_id:
                        if stp is _STP_EXPIRE_MAKER:
                            continue
                        return False  # the taker would be expired before filling
                    needed -= maker.remaining_lots
                    if needed <= 0:
                        return True
            if needed <= 0:
                return True
        return False

    def match(self, taker: Order, limit_ticks: int, fills: list[Fill]) -> bool:
        """Trade `taker` against the opposite side up to `limit_ticks` in price-time priority.

        Appends (maker, lots) to `fills` and updates both orders' remaining lots; filled makers
        leave the book. Returns True when self-trade prevention expired the taker.
        """
        is_buy = taker.is_buy
        side = self.asks if is_buy else self.bids
        stp = taker.self_trade_prevention
        account_id = taker.account_id
        orders = self.orders
        remaining = taker.remaining_lots
        taker_expired = False
        while remaining:
            best = side.best_ticks
            if best == 0 or (best > limit_ticks if is_buy else best < limit_ticks):
                break
            level = side.best_level
            assert level is not None
            while remaining:
                maker = level.head
                if maker is None:
                    break
                if stp is not _STP_NONE and maker.account_id == account_id:
                    if stp is _STP_EXPIRE_MAKER or stp is _STP_EXPIRE_BOTH:
                        level.unlink(maker)
                        maker.resting = False
                        del orders[maker.id_key]
                        level.total_lots -= maker.remaining_lots
                        level.live_count -= 1
                        fills.append((maker, 0))
                        if stp is _STP_EXPIRE_MAKER:
                            continue
                    taker_expired = True
                    break
                maker_remaining = maker.remaining_lots
                if maker_remaining <= remaining:
                    remaining -= maker_remaining
                    level.total_lots -= maker_remaining
                    level.live_count -= 1
                    maker.remaining_lots = 0
                    maker.resting = False
                    level.unlink(maker)
                    del orders[maker.id_key]
                    fills.append((maker, maker_remaining))
                else:
                    maker.remaining_lots = maker_remaining - remaining
                    level.total_lots -= remaining
                    fills.append((maker, remaining))
                    remaining = 0
            if level.live_count == 0:
                side.level_emptied(level)
            if taker_expired:
                break
        taker.remaining_lots = remaining
        return taker_expired

    # -- checks ----------------------------------------------------------------------------------

    def check_invariants(self) -> None:
        """Raise AssertionError unless the book is internally consistent and uncrossed."""
        seen: set[int] = set()
        for side, is_buy in ((self.bids, True), (self.asks, False)):
            prices = [key if is_buy else -key for key in side.keys]
            assert list(side.keys) == sorted(set(side.keys)), "a price keyed twice"
            assert sorted(side.levels) == sorted(prices), "levels and sorted keys disagree"
            assert all(side.levels[p].price_ticks == p for p in prices)
            cached = [level for level in side.cache if level is not None]
            assert all(side.levels.get(level.price_ticks) is level for level in cached), "cache holds a dropped level"
            assert all(side.cache.index(level) == level.price_ticks & _CACHE_MASK for level in cached), "cached wrongly"
            live_prices = [p for p in prices if side.levels[p].live_count]
            assert side.empty_levels == len(prices) - len(live_prices) <= _PURGE_EMPTY_LEVELS, "empty levels miscounted"
            expected_best = (max(live_prices) if is_buy else min(live_prices)) if live_prices else None
            assert side.best_ticks == (expected_best or 0), "cached best price is stale"
            best_level = side.levels[side.best_ticks] if live_prices else None
            assert side.best_level is best_level, "cached best level is stale"
            for price, level in side.levels.items():
                assert level.price_ticks == price
                live = list(level.orders())
                if level.live_count == 0:
                    assert level.head is None and level.tail is None and level.total_lots == 0, (
                        "empty level holds orders"
                    )
                    continue
                assert level.head is live[0] and level.tail is live[-1] and live[0].prev_in_level is None
                assert all(b.prev_in_level is a for a, b in itertools.pairwise(live)), "broken back links"
                assert all(o.resting for o in live), "a cancelled order is still linked"
                arrivals = [o.arrival for o in live]
                assert arrivals == sorted(set(arrivals)), "FIFO broken within a level"
                assert level.live_count == len(live), "live count differs from the list"
                assert level.total_lots == sum(o.remaining_lots for o in live), "level size != sum of orders"
                for order in live:
                    assert order.is_buy is is_buy and order.price_ticks == price
                    assert 0 < order.remaining_lots <= order.size_lots
                    assert self.orders.get(order.order_id) is order, "resting order missing from index"
                    assert order.order_id not in seen, "order linked twice"
                    seen.add(order.order_id)
        assert seen == set(self.orders), "index holds orders that are not linked"
        bid, ask = self.best_bid_ticks, self.best_ask_ticks
        assert bid is None or ask is None or bid < ask, f"book crossed: bid {bid} >= ask {ask}"


def _side_depth(side: BookSide, max_levels: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for level in side.levels_best_first():
        if len(out) >= max_levels:
            break
        out.append((level.price_ticks, level.total_lots))
    return out
