"""Each market's prices as the engine applied them, and its funding.

From the events: index, mark, session, external or internal index, the market-order band and the
discovery bounds (PriceApplied), the last trade (Trade), the settled funding rates (FundingSettled).

The predicted funding rate and the current premium are the funding service's, as it publishes them
(streams/funding_index.py): they come from premium samples the service takes on its own clock, which
no event carries, and a second computation here from other samples would disagree with the rate that
is then settled. A reader sets them with `set_published`. The next funding time is the published
one, or, before the service first publishes, the same epoch-aligned schedule it settles by
(views/funding_schedule.py, at the market's funding interval).
"""

from collections import deque
from collections.abc import Mapping

import msgspec

from matching.engine import Engine
from messages.enums import MarketSession, PriceSource
from messages.events import FundingSettled, MarketListed, PriceApplied, Trade
from messages.funding_index import PremiumIndex
from views.funding_schedule import next_boundary_after
from views.markets import MarketsView
from views.projection import EventHandler

FUNDING_KEPT = 100


class SettledRate(msgspec.Struct, frozen=True):
    funding_time_ms: int
    rate_ppb: int
    price_ticks: int


class MarketPrices(msgspec.Struct):
    index_price_ticks: int = 0  # 0 until the first price
    mark_price_ticks: int = 0
    last_trade_ticks: int = 0  # 0 until the first trade
    session: MarketSession | None = None  # None until the first PriceApplied seen
    index_source: PriceSource | None = None
    band_low_ticks: int = 0
    band_high_ticks: int = 0
    discovery_low_ticks: int = 0
    discovery_high_ticks: int = 0
    price_time_ms: int = 0  # the clock of the last PriceApplied
    funding_index: int = 0  # cumulative, as FundingSettled reports it
    settled: deque[SettledRate] = msgspec.field(default_factory=lambda: deque(maxlen=FUNDING_KEPT))
    published: PremiumIndex | None = None


class FundingFigures(msgspec.Struct, frozen=True):
    """What Binance's premiumIndex shows, and the premium and rate parts behind it."""

    market: str
    mark_price_ticks: int
    index_price_ticks: int
    last_rate_ppb: int | None  # the latest settled; None before the first settlement
    predicted_rate_ppb: int | None  # the funding service's; None before it first published
    premium_ppb: int | None
    interest_ppb: int | None
    next_funding_time_ms: int


class PricesView:
    name = "prices"

    def __init__(self, markets: MarketsView) -> None:
        self.markets = markets
        self.prices: dict[str, MarketPrices] = {}

    def seed(self, engine: Engine, last_seq: int) -> None:
        """Index, mark and last trade as the engine holds them, and the band it derives from them;
        session, source and discovery bounds come with the next PriceApplied."""
        self.prices = {}
        for symbol, market in sorted(engine.markets.items()):
            prices = self.prices[symbol] = MarketPrices(
                market.index_price_ticks, market.mark_price_ticks, market.last_trade_ticks
            )
            if market.reference_price_ticks(True):
                prices.band_low_ticks = market.market_order_limit_ticks(False)
                prices.band_high_ticks = market.market_order_limit_ticks(True)

    def handlers(self) -> Mapping[type, EventHandler]:
        return {
            MarketListed: self.listed,
            PriceApplied: self.price_applied,
            Trade: self.traded,
            FundingSettled: self.funding_settled,
        }

    def listed(self, event: MarketListed) -> None:
        self.prices.setdefault(event.spec.symbol, MarketPrices())

    def price_applied(self, event: PriceApplied) -> None:
        prices = self.prices[event.market]
        prices.index_price_ticks = event.index_price_ticks
        prices.mark_price_ticks = event.mark_price_ticks
        prices.session = event.session
        prices.index_source = event.index_source
        prices.band_low_ticks = event.band_low_ticks
        prices.band_high_ticks = event.band_high_ticks
        prices.discovery_low_ticks = event.discovery_low_ticks
        prices.discovery_high_ticks = event.discovery_high_ticks
        prices.price_time_ms = event.ts_ms

    def traded(self, event: Trade) -> None:
        self.prices[event.market].last_trade_ticks = event.price_ticks

    def funding_settled(self, event: FundingSettled) -> None:
        prices = self.prices[event.market]
        prices.funding_index = event.funding_index
        prices.settled.append(SettledRate(event.funding_time_ms, event.rate_ppb, event.price_ticks))

    def set_published(self, index: PremiumIndex) -> None:
        """The funding service's latest published view of a market (ignored for an unknown one)."""
        prices = self.prices.get(index.market)
        if prices is not None:
            prices.published = index

    # -- queries ---------------------------------------------------------------------------------

    def must_get(self, market: str) -> MarketPrices:
        prices = self.prices.get(market)
        if prices is None:
            raise KeyError(f"unknown market {market}")
        return prices

    def funding_history(self, market: str, limit: int = 100) -> list[SettledRate]:
        """Settled rates seen since this view started, oldest first (the indexer keeps them all)."""
        return list(self.must_get(market).settled)[-limit:]

    def funding(self, market: str, now_ms: int) -> FundingFigures:
        prices = self.must_get(market)
        published = prices.published
        interval_ms = self.markets.must_get(market).spec.funding_interval_s * 1000
        next_ms = next_boundary_after(now_ms, interval_ms)
        if published is not None and published.next_funding_time_ms > now_ms:
            next_ms = published.next_funding_time_ms
        return FundingFigures(
            market,
            prices.mark_price_ticks,
            prices.index_price_ticks,
            prices.settled[-1].rate_ppb if prices.settled else published.last_rate_ppb if published else None,
            published.predicted.rate_ppb if published is not None else None,
            published.premium_ppb if published is not None else None,
            published.interest_ppb if published is not None else None,
            next_ms,
        )
