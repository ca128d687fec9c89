"""The reference order book: one list of resting orders, sorted afresh whenever priority matters.

Slow and obviously right; differential tests replay random command sequences through it and
through `OrderBook` and demand identical fills and books. Same interface as OrderBook.
"""

import math
from collections.abc import Iterator
from fractions import Fraction

from matching.book import Fill, OrderBook
from matching.order import Order
from messages.enums import SelfTradePrevention


class NaiveBook(OrderBook):
    """Subclasses OrderBook only to stand in its place (the engine is typed, and compiled, for
    OrderBook); it overrides every operation and uses none of the fast structures except the
    `orders` id index that the engine reads, kept here as a plain dict beside the list."""

    def __init__(self) -> None:
        super().__init__()
        self.resting: list[Order] = []

    def _side(self, is_buy: bool) -> list[Order]:
        """One side in priority: best price first (highest bid, lowest ask), then earliest arrival."""
        side = [o for o in self.resting if o.is_buy is is_buy]
        return sorted(side, key=lambda o: (-o.price_ticks if is_buy else o.price_ticks, o.arrival))

    @property
    def best_bid_ticks(self) -> int | None:
        return max((o.price_ticks for o in self.resting if o.is_buy), default=None)

    @property
    def best_ask_ticks(self) -> int | None:
        return min((o.price_ticks for o in self.resting if not o.is_buy), default=None)

    def crosses(self, is_buy: bool, price_ticks: int) -> bool:
        return any(self._crosses_price(is_buy, price_ticks, o) for o in self.resting if o.is_buy is not is_buy)

    def _crosses_price(self, is_buy: bool, price_ticks: int, maker: Order) -> bool:
        return maker.price_ticks <= price_ticks if is_buy else maker.price_ticks >= price_ticks

    def has_liquidity(self, is_buy: bool) -> bool:
        return any(o.is_buy is not is_buy for o in self.resting)

    def get(self, order_id: int) -> Order | None:
        return next((o for o in self.resting if o.order_id == order_id), None)

    def __len__(self) -> int:
        return len(self.resting)

    def __contains__(self, order_id: int) -> bool:
        return self.get(order_id) is not None

    def side_in_priority(self, is_buy: bool) -> Iterator[Order]:
        return iter(self._side(is_buy))

    def depth(self, max_levels: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        def levels(is_buy: bool) -> list[tuple[int, int]]:
            totals: dict[int, int] = {}
            for order in self._side(is_buy):
                totals[order.price_ticks] = totals.get(order.price_ticks, 0) + order.remaining_lots
            return list(totals.items())[:max_levels]

        return levels(True), levels(False)

    def level_count(self, is_buy: bool) -> int:
        return len({o.price_ticks for o in self.resting if o.is_buy is is_buy})

    def impact_price_ticks(self, is_buy: bool, notional_micro: int, micro_per_tick_lot: int) -> int | None:
        remaining_micro = Fraction(notional_micro)
        lots = Fraction(0)
        for order in self._side(not is_buy):
            take = min(Fraction(order.remaining_lots), remaining_micro / (order.price_ticks * micro_per_tick_lot))
            lots += take
            remaining_micro -= take * order.price_ticks * micro_per_tick_lot
            if remaining_micro == 0:
                average = Fraction(notional_micro) / (lots * micro_per_tick_lot)
                return math.ceil(average) if is_buy else math.floor(average)
        return None

    def add(self, order: Order) -> None:
        order.resting = True
        order.arrival = self.next_arrival
        self.next_arrival += 1
        self.resting.append(order)
        self.orders[order.order_id] = order

    def remove(self, order_id: int) -> Order | None:
        order = self.get(order_id)
        if order is not None:
            self.resting.remove(order)
            del self.orders[order.order_id]
            order.resting = False
        return order

    def take_out(self, order: Order) -> None:
        removed = self.remove(order.order_id)
        assert removed is order

    def reduce(self, order: Order, new_remaining_lots: int) -> None:
        order.size_lots -= order.remaining_lots - new_remaining_lots
        order.remaining_lots = new_remaining_lots

    def _crosses(self, taker: Order, maker: Order, limit_ticks: int) -> bool:
        return maker.price_ticks <= limit_ticks if taker.is_buy else maker.price_ticks >= limit_ticks

    def can_fill(self, taker: Order, limit_ticks: int) -> bool:
        needed = taker.remaining_lots
        stp = taker.self_trade_prevention
        for maker in self._side(not taker.is_buy):
            if not self._crosses(taker, maker, limit_ticks):
                return False
            if stp is not SelfTradePrevention.NONE and maker.account_id == taker.account_id:
                if stp is SelfTradePrevention.EXPIRE_MAKER:
                    continue
                return False
            needed -= maker.remaining_lots
            if needed <= 0:
                return True
        return False

    def match(self, taker: Order, limit_ticks: int, fills: list[Fill]) -> bool:
        stp = taker.self_trade_prevention
        for maker in self._side(not taker.is_buy):
            if taker.remaining_lots == 0 or not self._crosses(taker, maker, limit_ticks):
                return False
            if stp is not SelfTradePrevention.NONE and maker.account_id == taker.account_id:
                if stp in (SelfTradePrevention.EXPIRE_MAKER, SelfTradePrevention.EXPIRE_BOTH):
                    self.remove(maker.order_id)
                    fills.append((maker, 0))
                if stp is not SelfTradePrevention.EXPIRE_MAKER:
                    return True
                continue
            lots = min(taker.remaining_lots, maker.remaining_lots)
            taker.remaining_lots -= lots
            maker.remaining_lots -= lots
            if maker.remaining_lots == 0:
                self.remove(maker.order_id)
            fills.append((maker, lots))
        return False

    def check_invariants(self) -> None:
        ids = [o.order_id for o in self.resting]
        assert len(ids) == len(set(ids)), "order resting twice"
        assert sorted(ids) == sorted(self.orders) and all(self.orders[o.order_id] is o for o in self.resting)
        assert all(0 < o.remaining_lots <= o.size_lots and o.resting for o in self.resting)
        bid, ask = self.best_bid_ticks, self.best_ask_ticks
        assert bid is None or ask is None or bid < ask, f"book crossed: bid {bid} >= ask {ask}"
