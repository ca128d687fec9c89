"""The reference twin of books.py: a dict of resting orders, sorted afresh for every question.

Slow and obviously right. Each order remembers where it queued: the book update id of its
OrderRested (or its place in a seeded engine's queue, which is the same order), so a level's queue
is its orders sorted by that.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from matching.engine import Engine
from messages.enums import Side
from messages.events import MarketListed, OrderAmended, OrderCanceled, OrderRested, Trade
from views.books import Depth, Level, QueuedOrder
from views.markets import MarketsView
from views.projection import EventHandler


@dataclass
class NaiveOrder:
    order_id: int
    account_id: int
    is_buy: bool
    price_ticks: int
    remaining_lots: int
    queued_at: tuple[int, int]  # (book update id of its OrderRested, place in a seeded queue)


@dataclass
class NaiveMarketBook:
    last_update_id: int = 0
    orders: dict[int, NaiveOrder] | None = None

    def __post_init__(self) -> None:
        if self.orders is None:
            self.orders = {}

    def side(self, is_buy: bool) -> list[NaiveOrder]:
        assert self.orders is not None
        side = [o for o in self.orders.values() if o.is_buy == is_buy]
        side.sort(key=lambda o: (-o.price_ticks if is_buy else o.price_ticks, o.queued_at))
        return side


class NaiveBookView:
    name = "naive_books"

    def __init__(self, markets: MarketsView) -> None:
        self.markets = markets
        self.books: dict[str, NaiveMarketBook] = {}

    def seed(self, engine: Engine, last_seq: int) -> None:
        self.books = {}
        for symbol, market in engine.markets.items():
            book = self.books[symbol] = NaiveMarketBook(market.book_update_id)
            assert book.orders is not None
            for is_buy in (True, False):
                for place, order in enumerate(market.book.side_in_priority(is_buy)):
                    book.orders[order.order_id] = NaiveOrder(
                        order.order_id, order.account_id, is_buy, order.price_ticks, order.remaining_lots, (0, place)
                    )

    def handlers(self) -> Mapping[type, EventHandler]:
        return {
            MarketListed: self.listed,
            OrderRested: self.rested,
            Trade: self.traded,
            OrderCanceled: self.canceled,
            OrderAmended: self.amended,
        }

    def listed(self, event: MarketListed) -> None:
        self.books.setdefault(event.spec.symbol, NaiveMarketBook())

    def rested(self, event: OrderRested) -> None:
        orders = self._orders(event.market, event.book_update_id)
        assert event.order_id not in orders
        orders[event.order_id] = NaiveOrder(
            event.order_id,
            event.account_id,
            event.side is Side.BUY,
            event.price_ticks,
            event.remaining_lots,
            (event.book_update_id, 0),
        )

    def traded(self, event: Trade) -> None:
        orders = self._orders(event.market, event.book_update_id)
        maker = orders[event.maker_order_id]
        assert maker.remaining_lots - event.size_lots == event.maker_remaining_lots
        maker.remaining_lots = event.maker_remaining_lots
        if maker.remaining_lots == 0:
            del orders[event.maker_order_id]

    def canceled(self, event: OrderCanceled) -> None:
        if event.book_update_id:
            del self._orders(event.market, event.book_update_id)[event.order_id]

    def amended(self, event: OrderAmended) -> None:
        orders = self._orders(event.market, event.book_update_id)
        if event.priority_kept:
            orders[event.order_id].remaining_lots = event.remaining_lots
        else:
            del orders[event.order_id]

    def _orders(self, symbol: str, update_id: int) -> dict[int, NaiveOrder]:
        book = self.books[symbol]
        assert update_id == book.last_update_id + 1, f"{symbol}: update id {update_id} after {book.last_update_id}"
        book.last_update_id = update_id
        assert book.orders is not None
        return book.orders

    # -- the same queries as BookView ------------------------------------------------------------

    def depth(self, symbol: str, limit: int = 1000) -> Depth:
        book = self.books[symbol]
        return Depth(book.last_update_id, _levels(book.side(True))[:limit], _levels(book.side(False))[:limit])

    def queue(self, symbol: str, is_buy: bool) -> list[tuple[int, list[QueuedOrder]]]:
        levels: dict[int, list[QueuedOrder]] = {}
        for o in self.books[symbol].side(is_buy):
            levels.setdefault(o.price_ticks, []).append(QueuedOrder(o.order_id, o.account_id, o.remaining_lots))
        return list(levels.items())

    def impact_price_ticks(self, symbol: str, is_buy: bool, notional_micro: int | None = None) -> int | None:
        spec = self.markets.must_get(symbol).spec
        notional = spec.impact_notional_micro if notional_micro is None else notional_micro
        per_tick_lot = spec.micro_per_tick_lot
        remaining = Fraction(notional)
        lots = Fraction(0)
        for o in self.books[symbol].side(not is_buy):
            take = min(Fraction(o.remaining_lots), remaining / (o.price_ticks * per_tick_lot))
            lots += take
            remaining -= take * o.price_ticks * per_tick_lot
            if remaining == 0:
                average = Fraction(notional) / (lots * per_tick_lot)
                return math.ceil(average) if is_buy else math.floor(average)
        return None


def _levels(side: list[NaiveOrder]) -> list[Level]:
    totals: dict[int, list[int]] = {}
    for o in side:
        level = totals.setdefault(o.price_ticks, [0, 0])
        level[0] += o.remaining_lots
        level[1] += 1
    return [Level(price, lots, count) for price, (lots, count) in totals.items()]
