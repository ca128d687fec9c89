"""The listed markets: each one's spec (tick and lot as they are after any split) and status.

Other projections ask it for a market's spec (its impact notional, micro per tick lot, decimal
tick and lot) rather than keeping copies that a split would have to reach.
"""

from collections.abc import Mapping

import msgspec

from matching.engine import Engine
from messages.enums import MarketStatus
from messages.events import MarketListed, MarketStatusChanged, SplitApplied
from messages.market_spec import MarketSpec
from views.projection import EventHandler


class ListedMarket(msgspec.Struct):
    spec: MarketSpec
    status: MarketStatus
    micro_per_tick_lot: int = 0  # the spec's, computed once (a split keeps it)

    def __post_init__(self) -> None:
        self.micro_per_tick_lot = self.spec.micro_per_tick_lot


class MarketsView:
    name = "markets"

    def __init__(self) -> None:
        self.markets: dict[str, ListedMarket] = {}

    def seed(self, engine: Engine, last_seq: int) -> None:
        self.markets = {
            symbol: ListedMarket(market.spec, market.status) for symbol, market in sorted(engine.markets.items())
        }

    def handlers(self) -> Mapping[type, EventHandler]:
        return {
            MarketListed: self.listed,
            MarketStatusChanged: self.status_changed,
            SplitApplied: self.split_applied,
        }

    # -- events ----------------------------------------------------------------------------------

    def listed(self, event: MarketListed) -> None:
        self.markets[event.spec.symbol] = ListedMarket(event.spec, event.status)

    def status_changed(self, event: MarketStatusChanged) -> None:
        self.must_get(event.market).status = event.status

    def split_applied(self, event: SplitApplied) -> None:
        """Ticks and lots keep their integers; what one tick and one lot are worth changes."""
        market = self.must_get(event.market)
        market.spec = msgspec.structs.replace(market.spec, tick_size=event.tick_size, lot_size=event.lot_size)

    # -- queries ---------------------------------------------------------------------------------

    def get(self, symbol: str) -> ListedMarket | None:
        return self.markets.get(symbol)

    def must_get(self, symbol: str) -> ListedMarket:
        market = self.markets.get(symbol)
        if market is None:
            raise KeyError(f"unknown market {symbol}")
        return market

    def specs(self) -> list[MarketSpec]:
        """Every listed market's spec, in symbol order."""
        return [self.markets[symbol].spec for symbol in sorted(self.markets)]

    def symbols(self) -> list[str]:
        return sorted(self.markets)
