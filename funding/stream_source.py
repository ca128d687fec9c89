"""The funding service's BookSource: the shared read side (views/) kept up to date from Redis.

The books, the index, its session and source come from the engine's events through the one
follower every reader uses (views/follower.py: the engine's newest snapshot or the genesis listing,
then the event stream); call `catch_up()` before each step.
"""

import redis

from funding.sampler import MarketObservation, observe_book
from messages.enums import MarketSession, MarketStatus, PriceSource
from messages.market_spec import MarketSpec
from streams.keys import ShardKeys
from views.engine_state import genesis_engine
from views.exchange import ExchangeView
from views.follower import Follower
from views.metrics import ViewMetrics


class StreamBookSource:
    def __init__(
        self,
        client: redis.Redis,
        keys: ShardKeys,
        specs: list[MarketSpec] | None = None,
        metrics: ViewMetrics | None = None,
    ) -> None:
        self.view = ExchangeView(metrics)
        self.follower = Follower(
            client, keys, self.view, metrics=self.view.metrics, genesis=lambda: genesis_engine(specs)
        )

    def catch_up(self) -> int:
        """Apply every event written since the last call; return how many."""
        return self.follower.catch_up()

    def market_specs(self) -> list[MarketSpec]:
        return self.view.markets.specs()

    def observe(self, market: str) -> MarketObservation | None:
        return observe_view(self.view, market)


def observe_view(view: ExchangeView, market: str) -> MarketObservation | None:
    """The market's impact prices and index now; None for an unknown or halted market (its book is
    frozen, so its premium says nothing about demand)."""
    listed = view.markets.get(market)
    book = view.books.get(market)
    if listed is None or book is None or listed.status is MarketStatus.HALTED:
        return None
    prices = view.prices.must_get(market)
    return observe_book(
        book.book,
        listed.spec,
        prices.index_price_ticks,
        prices.session or MarketSession.REGULAR,
        prices.index_source or PriceSource.EXTERNAL,
    )
