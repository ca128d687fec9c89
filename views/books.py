"""Every market's order book as the events tell it: L2 depth with its update id, each level's order
count and queue, best bid and ask, impact prices.

The book itself is matching/book.py's OrderBook, fed by the events: an order joins the back of its
level at its OrderRested (so the queue is the engine's), shrinks at each Trade and in-place
OrderAmended, and leaves at the Trade that fills it, an OrderCanceled of a resting order or an
OrderAmended that loses priority (messages/events.py). Impact prices are therefore the engine's
own `impact_price_ticks`, rounding included. `last_update_id` is the book update id of the last
event applied: Binance's `lastUpdateId` of a depth snapshot.

naive_books.py is the obviously-right twin this one is tested against.
"""

from collections.abc import Mapping
from typing import NamedTuple

from matching.book import BookSide, OrderBook
from matching.engine import Engine
from matching.order import Order
from messages.enums import Side
from messages.events import MarketListed, OrderAmended, OrderCanceled, OrderRested, Trade
from messages.market_spec import MarketSpec
from views.markets import MarketsView
from views.projection import EventHandler


class Level(NamedTuple):
    price_ticks: int
    total_lots: int
    order_count: int


class QueuedOrder(NamedTuple):
    order_id: int
    account_id: int
    remaining_lots: int


class Depth(NamedTuple):
    """Up to a limit of levels per side, best first."""

    last_update_id: int
    bids: list[Level]
    asks: list[Level]


class BookTicker(NamedTuple):
    """Best bid and ask with their sizes; 0 price and size for an empty side."""

    last_update_id: int
    bid_ticks: int
    bid_lots: int
    ask_ticks: int
    ask_lots: int


class MarketBook:
    """One market's book; with `touched` set (depth_diffs.py), the levels changed since the last diff."""

    __slots__ = ("book", "diff_first_id", "diff_previous_id", "last_update_id", "touched")

    def __init__(self, track_diffs: bool = False) -> None:
        self.book = OrderBook()
        self.last_update_id = 0
        self.touched: set[tuple[bool, int]] | None = set() if track_diffs else None
        self.diff_first_id = 0  # the first update id not yet in a diff (0: none)
        self.diff_previous_id = 0  # the last update id of the previous diff (Binance's `pu`)

    def touch(self, is_buy: bool, price_ticks: int) -> None:
        touched = self.touched
        if touched is not None:
            touched.add((is_buy, price_ticks))
            if not self.diff_first_id:
                self.diff_first_id = self.last_update_id


class BookView:
    name = "books"

    def __init__(self, markets: MarketsView, track_diffs: bool = False) -> None:
        """`track_diffs`: keep the levels each event changes, for depth diffs (depth_diffs.py);
        only a reader that takes the diffs should ask for it (they pile up until taken)."""
        self.markets = markets
        self.track_diffs = track_diffs
        self.books: dict[str, MarketBook] = {}

    def seed(self, engine: Engine, last_seq: int) -> None:
        """Copy each engine book, queue by queue (the copies keep the engine's priority)."""
        self.books = {}
        for symbol, market in sorted(engine.markets.items()):
            book = self.books[symbol] = MarketBook(self.track_diffs)
            book.last_update_id = book.diff_previous_id = market.book_update_id
            for is_buy in (True, False):
                for order in market.book.side_in_priority(is_buy):
                    book.book.add(_resting_order(order.order_id, order.account_id, symbol, is_buy, order))

    def handlers(self) -> Mapping[type, EventHandler]:
        return {
            MarketListed: self.listed,
            OrderRested: self.rested,
            Trade: self.traded,
            OrderCanceled: self.canceled,
            OrderAmended: self.amended,
        }

    # -- events ----------------------------------------------------------------------------------

    def listed(self, event: MarketListed) -> None:
        self.books.setdefault(event.spec.symbol, MarketBook(self.track_diffs))

    def rested(self, event: OrderRested) -> None:
        book = self._book(event.market, event.book_update_id)
        order = Order(
            event.order_id,
            event.account_id,
            event.market,
            event.side is Side.BUY,
            event.price_ticks,
            event.remaining_lots,
            event.remaining_lots,
            client_order_id=event.client_order_id,
        )
        book.book.add(order)
        book.touch(order.is_buy, order.price_ticks)

    def traded(self, event: Trade) -> None:
        book = self._book(event.market, event.book_update_id)
        maker = _must_get(book.book, event.maker_order_id)
        book.touch(maker.is_buy, maker.price_ticks)
        if event.maker_remaining_lots == 0:
            book.book.take_out(maker)
        else:
            _shrink(book.book, maker, event.maker_remaining_lots)

    def canceled(self, event: OrderCanceled) -> None:
        if event.book_update_id == 0:
            return  # a taker's end: it never rested
        book = self._book(event.market, event.book_update_id)
        order = _must_get(book.book, event.order_id)
        book.touch(order.is_buy, order.price_ticks)
        book.book.take_out(order)

    def amended(self, event: OrderAmended) -> None:
        book = self._book(event.market, event.book_update_id)
        order = _must_get(book.book, event.order_id)
        book.touch(order.is_buy, order.price_ticks)
        if event.priority_kept:
            _shrink(book.book, order, event.remaining_lots)
        else:
            book.book.take_out(order)  # it rests again only at its next OrderRested

    def _book(self, symbol: str, update_id: int) -> MarketBook:
        """The market's book, its update id moved to `update_id`."""
        book = self.books.get(symbol)
        if book is None:
            raise KeyError(f"unknown market {symbol}")
        book.last_update_id = update_id
        return book

    # -- queries ---------------------------------------------------------------------------------

    def get(self, symbol: str) -> MarketBook | None:
        return self.books.get(symbol)

    def must_get(self, symbol: str) -> MarketBook:
        book = self.books.get(symbol)
        if book is None:
            raise KeyError(f"unknown market {symbol}")
        return book

    def last_update_id(self, symbol: str) -> int:
        return self.must_get(symbol).last_update_id

    def depth(self, symbol: str, limit: int = 1000) -> Depth:
        book = self.must_get(symbol)
        return Depth(book.last_update_id, _levels(book.book.bids, limit), _levels(book.book.asks, limit))

    def book_ticker(self, symbol: str) -> BookTicker:
        book = self.must_get(symbol)
        bid = book.book.bids.best_level
        ask = book.book.asks.best_level
        return BookTicker(
            book.last_update_id,
            bid.price_ticks if bid is not None else 0,
            bid.total_lots if bid is not None else 0,
            ask.price_ticks if ask is not None else 0,
            ask.total_lots if ask is not None else 0,
        )

    def queue(self, symbol: str, is_buy: bool) -> list[tuple[int, list[QueuedOrder]]]:
        """One side's levels, best first, each with its orders in the order they trade."""
        side = self.must_get(symbol).book.bids if is_buy else self.must_get(symbol).book.asks
        return [
            (level.price_ticks, [QueuedOrder(o.order_id, o.account_id, o.remaining_lots) for o in level.orders()])
            for level in side.levels_best_first()
        ]

    def impact_price_ticks(self, symbol: str, is_buy: bool, notional_micro: int | None = None) -> int | None:
        """The average price of buying (`is_buy`) or selling `notional_micro` (default: the market's
        impact notional), rounded against the taker as the engine's book does; None on a thin side."""
        spec = self.spec(symbol)
        notional = spec.impact_notional_micro if notional_micro is None else notional_micro
        return self.must_get(symbol).book.impact_price_ticks(
            is_buy, notional, self.markets.must_get(symbol).micro_per_tick_lot
        )

    def spec(self, symbol: str) -> MarketSpec:
        return self.markets.must_get(symbol).spec

    def check_invariants(self) -> None:
        for symbol, book in self.books.items():
            book.book.check_invariants()
            assert all(order.market == symbol for order in book.book.orders.values())


def _resting_order(order_id: int, account_id: int, market: str, is_buy: bool, source: Order) -> Order:
    return Order(
        order_id,
        account_id,
        market,
        is_buy,
        source.price_ticks,
        source.remaining_lots,
        source.remaining_lots,
        client_order_id=source.client_order_id,
    )


def _must_get(book: OrderBook, order_id: int) -> Order:
    order = book.get(order_id)
    if order is None:
        raise KeyError(f"order {order_id} is not in the book")
    return order


def _shrink(book: OrderBook, order: Order, remaining_lots: int) -> None:
    if not 0 < remaining_lots <= order.remaining_lots:
        raise ValueError(f"order {order.order_id}: {remaining_lots} lots left of {order.remaining_lots}")
    book.reduce(order, remaining_lots)


def _levels(side: BookSide, limit: int) -> list[Level]:
    out: list[Level] = []
    for level in side.levels_best_first():
        if len(out) >= limit:
            break
        out.append(Level(level.price_ticks, level.total_lots, level.live_count))
    return out
