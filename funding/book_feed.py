"""The books as the event stream tells them: real `OrderBook`s rebuilt from the engine's events, plus
the index, session and index source of the oracle's PriceUpdate commands (which emit no event).

This is the sampler's `BookSource` in the funding process, which never touches the engine's state.
It follows the ordering contract of messages/events.py: the events of one command are contiguous; a
taker (an accepted order, or an order re-priced by an amend) is held aside while its command's
trades arrive and rests only when the command's events are over - at the first event of the next
command, or at `flush()` once the reader has caught up. Events at or below the last seq seen are
ignored, so redelivery is harmless. It must be fed from the first event (or a book snapshot) on.
"""

import msgspec

from funding.sampler import MarketObservation, observe_book
from matching.book import OrderBook
from matching.order import Order
from messages.commands import PriceUpdate
from messages.enums import MarketSession, MarketStatus, PriceSource, Side
from messages.events import (
    Event,
    MarketListed,
    MarketStatusChanged,
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
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


class BookFeed:
    def __init__(self, specs: list[MarketSpec] | tuple[MarketSpec, ...] = ()) -> None:
        self.markets: dict[str, FeedMarket] = {spec.symbol: FeedMarket(spec) for spec in specs}
        self.last_seq = 0
        self.command_id = ""  # the command whose events are arriving
        self.takers: dict[int, Order] = {}  # its orders not yet rested, in arrival order

    # -- input -----------------------------------------------------------------------------------

    def apply_event(self, event: Event) -> None:
        if event.seq <= self.last_seq:
            return
        self.last_seq = event.seq
        if event.command_id != self.command_id:
            self.flush()
            self.command_id = event.command_id
        if isinstance(event, Trade):
            self._trade(event)
        elif isinstance(event, OrderAccepted):
            self.takers[event.order_id] = Order(
                event.order_id,
                event.account_id,
                event.market,
                event.side is Side.BUY,
                event.price_ticks,
                event.size_lots,
                event.size_lots,
                event.time_in_force,
                event.client_order_id,
                reduce_only=event.reduce_only,
                expire_at_ms=event.expire_at_ms,
            )
        elif isinstance(event, OrderCanceled):
            if self.takers.pop(event.order_id, None) is None and event.market in self.markets:
                self.markets[event.market].book.remove(event.order_id)
        elif isinstance(event, OrderAmended):
            self._amended(event)
        elif isinstance(event, MarketListed):
            if event.spec.symbol not in self.markets:
                self.markets[event.spec.symbol] = FeedMarket(event.spec, event.status)
        elif isinstance(event, MarketStatusChanged) and event.market in self.markets:
            self.markets[event.market].status = event.status
        elif isinstance(event, SplitApplied) and event.market in self.markets:
            market = self.markets[event.market]  # ticks and lots keep their integers; their sizes change
            market.spec = msgspec.structs.replace(market.spec, tick_size=event.tick_size, lot_size=event.lot_size)

    def apply_price_update(self, command: PriceUpdate) -> None:
        """Take the oracle's prices as the engine does: unknown markets and non-positive prices are
        ignored (the engine rejects them)."""
        market = self.markets.get(command.market)
        if market is None or command.index_price_ticks <= 0 or command.mark_price_ticks <= 0:
            return
        market.index_price_ticks = command.index_price_ticks
        market.session = command.session
        market.index_source = command.index_source

    def flush(self) -> None:
        """The current command's events are complete: rest what is left of its takers."""
        for order in self.takers.values():
            market = self.markets.get(order.market)
            if order.remaining_lots > 0 and market is not None:
                market.book.add(order)
        self.takers = {}

    def check_invariants(self) -> None:
        """Raise AssertionError unless every book is consistent and uncrossed and each resting
        order sits in its own market's book (call after flush: takers are then all placed)."""
        assert not self.takers, "takers left unplaced after flush"
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

    # -- event handlers --------------------------------------------------------------------------

    def _trade(self, trade: Trade) -> None:
        taker = self.takers.get(trade.taker_order_id)
        if taker is not None:
            taker.remaining_lots = trade.taker_remaining_lots
        pending_maker = self.takers.get(trade.maker_order_id)
        if pending_maker is not None:  # it rested earlier in this same command (e.g. then hit by a liquidation)
            pending_maker.remaining_lots = trade.maker_remaining_lots
            return
        market = self.markets.get(trade.market)
        if market is None:
            return
        maker = market.book.get(trade.maker_order_id)
        if maker is None:
            return
        if trade.maker_remaining_lots == 0:
            market.book.remove(maker.order_id)
        else:
            size_lots = maker.size_lots
            market.book.reduce(maker, trade.maker_remaining_lots)
            maker.size_lots = size_lots  # a fill leaves the order's total size as it was

    def _amended(self, event: OrderAmended) -> None:
        pending = self.takers.get(event.order_id)
        if pending is not None:  # amended within the command that placed it (reduce-only enforcement)
            pending.price_ticks, pending.size_lots = event.price_ticks, event.size_lots
            pending.remaining_lots = event.remaining_lots
            return
        market = self.markets.get(event.market)
        if market is None:
            return
        order = market.book.get(event.order_id)
        if order is None:
            return
        if event.priority_kept:
            market.book.reduce(order, event.remaining_lots)
            order.size_lots = event.size_lots
            return
        market.book.remove(order.order_id)
        # a new object, as the engine does: the old one may linger in a queue slot the remove left
        self.takers[order.order_id] = order.moved(event.price_ticks, event.size_lots, event.remaining_lots)
