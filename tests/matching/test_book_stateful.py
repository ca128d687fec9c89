"""Hypothesis drives the fast book and the naive book with the same operations; after every step
both satisfy their invariants and show the same book."""

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from matching.book import OrderBook
from matching.naive_book import NaiveBook
from matching.order import Order
from messages.enums import SelfTradePrevention

near_prices = st.integers(min_value=95, max_value=105)
# now and then a price a multiple of 256 ticks away: the fast book caches levels by price % 256
prices = near_prices | st.builds(lambda price, k: price + 256 * k, near_prices, st.integers(min_value=1, max_value=3))
sizes = st.integers(min_value=1, max_value=20)
accounts = st.integers(min_value=1, max_value=3)
stps = st.sampled_from(list(SelfTradePrevention))


class BookMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.fast = OrderBook()
        self.naive = NaiveBook()
        self.next_id = 1
        self.ids: list[int] = []

    def _pair(self, is_buy: bool, price: int, lots: int, account: int, stp: SelfTradePrevention) -> tuple[Order, Order]:
        order_id = self.next_id
        self.next_id += 1
        make = Order(order_id, account, "M", is_buy, price, lots, lots, self_trade_prevention=stp)
        return make, make.moved(price, lots, lots)

    @rule(is_buy=st.booleans(), price=prices, lots=sizes, account=accounts, stp=stps)
    def place_limit(self, is_buy, price, lots, account, stp):
        """Match up to the limit, then rest what is left: what the engine does with a GTC order."""
        fast_order, naive_order = self._pair(is_buy, price, lots, account, stp)
        fast_fills, naive_fills = [], []
        fast_expired = self.fast.match(fast_order, price, fast_fills)
        naive_expired = self.naive.match(naive_order, price, naive_fills)
        assert fast_expired == naive_expired
        assert [(m.order_id, n) for m, n in fast_fills] == [(m.order_id, n) for m, n in naive_fills]
        assert fast_order.remaining_lots == naive_order.remaining_lots
        if fast_order.remaining_lots and not fast_expired:
            self.fast.add(fast_order)
            self.naive.add(naive_order)
            self.ids.append(fast_order.order_id)

    @rule(is_buy=st.booleans(), price=prices, lots=sizes, account=accounts, stp=stps)
    def fill_or_kill_check(self, is_buy, price, lots, account, stp):
        fast_order, naive_order = self._pair(is_buy, price, lots, account, stp)
        assert self.fast.can_fill(fast_order, price) == self.naive.can_fill(naive_order, price)

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def cancel(self, data):
        order_id = data.draw(st.sampled_from(self.ids))
        fast, naive = self.fast.remove(order_id), self.naive.remove(order_id)
        assert (fast is None) == (naive is None)

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), new_lots=sizes)
    def reduce(self, data, new_lots):
        order_id = data.draw(st.sampled_from(self.ids))
        fast, naive = self.fast.get(order_id), self.naive.get(order_id)
        assert (fast is None) == (naive is None)
        if fast is not None and new_lots < fast.remaining_lots:
            self.fast.reduce(fast, new_lots)
            self.naive.reduce(naive, new_lots)

    @rule(is_buy=st.booleans(), notional=st.integers(min_value=1, max_value=5_000))
    def impact_price(self, is_buy, notional):
        assert self.fast.impact_price_ticks(is_buy, notional, 1) == self.naive.impact_price_ticks(is_buy, notional, 1)

    @invariant()
    def books_agree_and_hold_their_invariants(self):
        self.fast.check_invariants()
        self.naive.check_invariants()
        assert self.fast.depth(100) == self.naive.depth(100)
        assert len(self.fast) == len(self.naive)
        for is_buy in (True, False):
            fast_side = [(o.order_id, o.remaining_lots) for o in self.fast.side_in_priority(is_buy)]
            naive_side = [(o.order_id, o.remaining_lots) for o in self.naive.side_in_priority(is_buy)]
            assert fast_side == naive_side


TestBookMachine = BookMachine.TestCase
