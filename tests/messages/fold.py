"""A naive fold of the event stream, for tests: what a reader knows from the events alone.

It follows messages/events.py to the letter and checks, as it goes, what the contract promises:
seqs without gaps, each market's book update id one more on every event that changes its book
(and 0 on an OrderCanceled of an order that never rested), a maker's remaining size going down by
exactly the fill, no order resting twice or leaving a book it is not in. Tests compare what it
folds with the engine's own state (tests/matching/test_events_contract.py, tests/margin/).
"""

from dataclasses import dataclass, field

from messages.enums import MarketSession, MarketStatus, PriceSource, Side
from messages.events import (
    AccountUpdated,
    Event,
    MarketListed,
    MarketStatusChanged,
    OrderAmended,
    OrderCanceled,
    OrderRested,
    PositionState,
    PriceApplied,
    Trade,
)
from messages.market_spec import MarketSpec

# one level: (price_ticks, total remaining lots, order count)
Level = tuple[int, int, int]


@dataclass
class FoldedOrder:
    order_id: int
    account_id: int
    is_buy: bool
    price_ticks: int
    remaining_lots: int
    queued_at: int  # the book update id of its OrderRested: its place in the level's queue


@dataclass
class FoldedMarket:
    status: MarketStatus = MarketStatus.ACTIVE
    book_update_id: int = 0
    orders: dict[int, FoldedOrder] = field(default_factory=dict)
    index_price_ticks: int = 0
    mark_price_ticks: int = 0
    session: MarketSession | None = None
    index_source: PriceSource | None = None
    band_ticks: tuple[int, int] = (0, 0)

    def queue(self, is_buy: bool) -> list[int]:
        """Order ids of one side in priority: best price first, then by their OrderRested."""
        side = [o for o in self.orders.values() if o.is_buy == is_buy]
        side.sort(key=lambda o: (-o.price_ticks if is_buy else o.price_ticks, o.queued_at))
        return [o.order_id for o in side]

    def levels(self, is_buy: bool) -> list[Level]:
        totals: dict[int, list[int]] = {}
        for order in self.orders.values():
            if order.is_buy == is_buy:
                level = totals.setdefault(order.price_ticks, [0, 0])
                level[0] += order.remaining_lots
                level[1] += 1
        prices = sorted(totals, reverse=is_buy)
        return [(price, totals[price][0], totals[price][1]) for price in prices]


@dataclass
class FoldedAccount:
    balance_micro: int = 0
    positions: dict[str, PositionState] = field(default_factory=dict)


class Fold:
    def __init__(self, specs: tuple[MarketSpec, ...] | list[MarketSpec] = ()) -> None:
        self.markets: dict[str, FoldedMarket] = {spec.symbol: FoldedMarket() for spec in specs}
        self.accounts: dict[int, FoldedAccount] = {}
        self.last_seq = 0
        self.book_changes = 0  # events that changed a book, all markets together
        self.command_id = ""  # the command whose events are arriving
        self.last_updated_account = 0  # the last AccountUpdated of that command (0: none yet)

    def apply_all(self, events: list[Event]) -> None:
        for event in events:
            self.apply(event)

    def apply(self, event: Event) -> None:
        assert event.seq == self.last_seq + 1, f"seq gap or repeat: {event.seq} after {self.last_seq}"
        self.last_seq = event.seq
        if event.command_id != self.command_id:
            self.command_id = event.command_id
            self.last_updated_account = 0
        if isinstance(event, AccountUpdated):
            assert event.account_id > self.last_updated_account, "AccountUpdated out of account-id order"
            self.last_updated_account = event.account_id
        else:
            assert not self.last_updated_account, f"{type(event).__name__} after the command's AccountUpdated"
        if isinstance(event, MarketListed):
            assert event.spec.symbol not in self.markets
            self.markets[event.spec.symbol] = FoldedMarket(event.status)
        elif isinstance(event, OrderRested):
            market = self._book_changed(event.market, event.book_update_id)
            assert event.order_id not in market.orders, f"order {event.order_id} rested twice"
            assert event.remaining_lots > 0
            market.orders[event.order_id] = FoldedOrder(
                event.order_id,
                event.account_id,
                event.side is Side.BUY,
                event.price_ticks,
                event.remaining_lots,
                event.book_update_id,
            )
        elif isinstance(event, Trade):
            market = self._book_changed(event.market, event.book_update_id)
            maker = market.orders[event.maker_order_id]
            assert event.taker_order_id not in market.orders, "a resting order traded as taker"
            assert maker.price_ticks == event.price_ticks and maker.account_id == event.maker_account_id
            assert (Side.SELL if maker.is_buy else Side.BUY) is event.taker_side
            assert maker.remaining_lots - event.size_lots == event.maker_remaining_lots >= 0
            maker.remaining_lots = event.maker_remaining_lots
            if maker.remaining_lots == 0:
                del market.orders[maker.order_id]
        elif isinstance(event, OrderCanceled):
            market = self.markets[event.market]
            if event.book_update_id:
                self._book_changed(event.market, event.book_update_id)
                order = market.orders.pop(event.order_id)
                assert order.remaining_lots == event.remaining_lots and order.account_id == event.account_id
            else:
                assert event.order_id not in market.orders, f"resting order {event.order_id} canceled without an id"
        elif isinstance(event, OrderAmended):
            market = self._book_changed(event.market, event.book_update_id)
            order = market.orders[event.order_id]
            assert order.account_id == event.account_id
            if event.priority_kept:
                assert event.price_ticks == order.price_ticks and 0 < event.remaining_lots < order.remaining_lots
                order.remaining_lots = event.remaining_lots
            else:
                del market.orders[event.order_id]
        elif isinstance(event, PriceApplied):
            market = self.markets[event.market]
            market.index_price_ticks = event.index_price_ticks
            market.mark_price_ticks = event.mark_price_ticks
            market.session = event.session
            market.index_source = event.index_source
            market.band_ticks = (event.band_low_ticks, event.band_high_ticks)
        elif isinstance(event, MarketStatusChanged):
            self.markets[event.market].status = event.status
        elif isinstance(event, AccountUpdated):
            account = self.accounts.setdefault(event.account_id, FoldedAccount())
            account.balance_micro = event.balance_micro
            markets = [p.market for p in event.positions]
            assert markets == sorted(set(markets)), "positions not in market order, or listed twice"
            for position in event.positions:
                account.positions[position.market] = position

    def _book_changed(self, symbol: str, book_update_id: int) -> FoldedMarket:
        market = self.markets[symbol]
        assert book_update_id == market.book_update_id + 1, (
            f"{symbol}: book update id {book_update_id} after {market.book_update_id}"
        )
        market.book_update_id = book_update_id
        self.book_changes += 1
        return market

    def open_orders(self, account_id: int) -> list[tuple[int, int]]:
        """(order id, remaining lots) of the account's resting orders, in order-id order."""
        return sorted(
            (o.order_id, o.remaining_lots)
            for market in self.markets.values()
            for o in market.orders.values()
            if o.account_id == account_id
        )
