"""The books as the event stream tells them: real `OrderBook`s folded from the engine's events, plus
the index, session and index source of its PriceApplied events.

This is the sampler's `BookSource` in the funding process, which never touches the engine's state.
It follows the contract of messages/events.py and infers nothing: an order enters a book with its
OrderRested, shrinks with each Trade that names it as maker and with an OrderAmended that keeps
its priority, and leaves with its last Trade, an OrderCanceled that carries a book update id, or
an OrderAmended that loses its priority. Events at or below the last seq seen are ignored, so
redelivery is harmless. It must be fed from the first event (or a book snapshot) on.
"""

import msgspec

from funding.sampler import MarketObservation, observe_book
from matching.book import OrderBook
from matching.order import Order
from messages.enums import MarketSession, MarketStatus, PriceSource, Side
from messages.events import (
    Event,
    MarketListed,
    MarketStatusChanged,
    OrderAmended,
    OrderCanceled,
    OrderRested,
    PriceApplied,
    SplitApplied,
    Trade,
)
from messages.market_spec import MarketSpec


class FeedMarket(msgspec.Struct):
    spec: MarketSpec
    status: MarketStatus = MarketStatus.ACTIVE
    book: OrderBook = msgspec.field(default_factory=OrderBook)
    index_price_ticks: int = 0
    session: MarketSession = MarketSession.REGULAR
    index_source: PriceSource = PriceSource.EXTERNAL
    last_trade_ticks: int = 0  # 0 until the first trade


class BookFeed:
    def __init__(self, specs: list[MarketSpec] | tuple[MarketSpec, ...] = ()) -> None:
        self.markets: dict[str, FeedMarket] = {spec.symbol: FeedMarket(spec) for spec in specs}
        self.last_seq = 0

    # -- input -----------------------------------------------------------------------------------

    def apply_event(self, event: Event) -> None:
        if event.seq <= self.last_seq:
            return
        self.last_seq = event.seq
        if isinstance(event, MarketListed):
            if event.spec.symbol not in self.markets:
                self.markets[event.spec.symbol] = FeedMarket(event.spec, event.status)
            return
        market = self.markets.get(getattr(event, "market", ""))
        if market is None:
            return
        book = market.book
        if isinstance(event, Trade):
            market.last_trade_ticks = event.price_ticks
            maker = book.get(event.maker_order_id)
            if maker is None:
                return
            if event.maker_remaining_lots == 0:
                book.take_out(maker)
            else:
                size_lots = maker.size_lots
                book.reduce(maker, event.maker_remaining_lots)
                maker.size_lots = size_lots  # a fill leaves the order's total size as it was
        elif isinstance(event, OrderRested):
            book.add(
                Order(
                    event.order_id,
                    event.account_id,
                    event.market,
                    event.side is Side.BUY,
                    event.price_ticks,
                    event.remaining_lots,
                    event.remaining_lots,
                    client_order_id=event.client_order_id,
                )
            )
        elif isinstance(event, OrderCanceled):
            if event.book_update_id:
                book.remove(event.order_id)
        elif isinstance(event, OrderAmended):
            order = book.get(event.order_id)
            if order is None:
                return
            if event.priority_kept:
                book.reduce(order, event.remaining_lots)
                order.size_lots = event.size_lots
            else:
                book.take_out(order)  # it rests again, if at all, with an OrderRested
        elif isinstance(event, PriceApplied):
            market.index_price_ticks = event.index_price_ticks
            market.session = event.session
            market.index_source = event.index_source
        elif isinstance(event, MarketStatusChanged):
            market.status = event.status
        elif isinstance(event, SplitApplied):  # ticks and lots keep their integers; their sizes change
            market.spec = msgspec.structs.replace(market.spec, tick_size=event.tick_size, lot_size=event.lot_size)

    def check_invariants(self) -> None:
        """Raise AssertionError unless every book is consistent and uncrossed and each resting
        order sits in its own market's book."""
        for symbol, market in self.markets.items():
            market.book.check_invariants()
            assert all(order.market == symbol for order in market.book.orders.values())

    # -- the sampler's view ------------------------------------------------------------------------

    def market_specs(self) -> list[MarketSpec]:
        return [self.markets[symbol].spec for symbol in sorted(self.markets)]

    def observe(self, market: str) -> MarketObservation | None:
        """The market's impact prices and index now; None for an unknown or halted market (its book
        is frozen, so its premium says nothing about demand)."""
        feed_market = self.markets.get(market)
        if feed_market is None or feed_market.status is MarketStatus.HALTED:
            return None
        return observe_book(
            feed_market.book,
            feed_market.spec,
            feed_market.index_price_ticks,
            feed_market.session,
            feed_market.index_source,
        )
