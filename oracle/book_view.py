"""What the oracle needs from the perp's book: top of book, last trade and impact prices.

`BookReader` is the seam: the service asks it once per step and per market. `EngineBookReader`
answers from an engine in the same process (tests, a single-process run); `ViewBookReader` answers
the same questions from the shared views (views/), kept up to date from the engine's event stream
by the one follower every reader uses, in the deployed oracle.
"""

from typing import Protocol

import msgspec
import redis.asyncio as aioredis

from matching.book import OrderBook
from matching.engine import Engine
from messages.market_spec import MarketSpec
from streams.keys import ShardKeys
from views.engine_state import genesis_engine
from views.exchange import ExchangeView
from views.follower import AsyncFollower
from views.metrics import ViewMetrics


class BookTop(msgspec.Struct, frozen=True):
    best_bid_ticks: int | None = None
    best_ask_ticks: int | None = None
    last_trade_ticks: int | None = None
    impact_bid_ticks: int | None = None  # average price of selling the market's impact notional
    impact_ask_ticks: int | None = None  # average price of buying it

    @property
    def impact_mid_ticks(self) -> float | None:
        """None unless both sides can absorb the impact notional: a one-sided or thin book says
        nothing reliable about where the stock is."""
        if self.impact_bid_ticks is None or self.impact_ask_ticks is None:
            return None
        return (self.impact_bid_ticks + self.impact_ask_ticks) / 2.0


EMPTY_BOOK = BookTop()


class BookReader(Protocol):
    async def refresh(self) -> None:
        """Catch up with the book once per oracle step, before the per-market questions."""

    async def book_top(self, market: str) -> BookTop: ...

    def market_specs(self) -> list[MarketSpec]:
        """Every market the engine lists, those listed after genesis included."""
        ...


class EngineBookReader:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def refresh(self) -> None:
        return None

    async def book_top(self, market: str) -> BookTop:
        state = self.engine.markets.get(market)
        if state is None:
            return EMPTY_BOOK
        return top_of(state.book, state.spec, state.last_trade_ticks)

    def market_specs(self) -> list[MarketSpec]:
        return [self.engine.markets[symbol].spec for symbol in sorted(self.engine.markets)]


class ViewBookReader:
    """The books, last trades and market list of the shared views, caught up once per oracle step."""

    def __init__(
        self,
        client: aioredis.Redis,
        keys: ShardKeys,
        specs: list[MarketSpec] | None = None,
        metrics: ViewMetrics | None = None,
    ) -> None:
        self.view = ExchangeView(metrics)
        self.follower = AsyncFollower(
            client, keys, self.view, metrics=self.view.metrics, genesis=lambda: genesis_engine(specs)
        )

    async def refresh(self) -> None:
        await self.follower.catch_up()

    async def book_top(self, market: str) -> BookTop:
        book = self.view.books.get(market)
        if book is None:
            return EMPTY_BOOK
        spec = self.view.markets.must_get(market).spec
        return top_of(book.book, spec, self.view.prices.must_get(market).last_trade_ticks)

    def market_specs(self) -> list[MarketSpec]:
        return self.view.markets.specs()


def top_of(book: OrderBook, spec: MarketSpec, last_trade_ticks: int | None) -> BookTop:
    """The oracle's questions answered from an order book; impact prices at the market's impact notional."""
    notional_micro, per_tick_lot = spec.impact_notional_micro, spec.micro_per_tick_lot
    return BookTop(
        best_bid_ticks=book.best_bid_ticks,
        best_ask_ticks=book.best_ask_ticks,
        last_trade_ticks=last_trade_ticks or None,
        impact_bid_ticks=book.impact_price_ticks(False, notional_micro, per_tick_lot),
        impact_ask_ticks=book.impact_price_ticks(True, notional_micro, per_tick_lot),
    )
