"""The markets the api accepts orders for, with the decimal tick and lot sizes of each.

The live listing of the read side's MarketsView (views/markets.py): markets listed at runtime,
status changes and splits (new tick and lot sizes) reach every order check and exchangeInfo as soon
as the api's follower applied their events. Conversions between wire decimals and the engine's
integers live here.
"""

from dataclasses import dataclass
from decimal import Decimal

from api.decimals import MICRO, format_units, to_units
from api.errors import ApiError
from messages.enums import MarketStatus
from messages.market_spec import MarketSpec
from views.markets import MarketsView

MAX_PRICE = Decimal(1_000_000)  # PRICE_FILTER maxPrice: an upper bound that keeps ticks far from overflow


@dataclass(frozen=True)
class Market:
    spec: MarketSpec
    status: MarketStatus

    @property
    def symbol(self) -> str:
        return self.spec.symbol

    @property
    def tick(self) -> Decimal:
        return Decimal(self.spec.tick_size)

    @property
    def lot(self) -> Decimal:
        return Decimal(self.spec.lot_size)

    @property
    def max_price_ticks(self) -> int:
        return int(MAX_PRICE / self.tick)

    def price_ticks(self, name: str, text: str) -> int:
        ticks = to_units(name, text, self.tick, -4014)
        if ticks <= 0:
            raise ApiError(-4001, "Price less than or equal to 0.")
        if ticks > self.max_price_ticks:
            raise ApiError(-4016, f"Limit price can't be higher than {MAX_PRICE}.")
        return ticks

    def size_lots(self, name: str, text: str) -> int:
        lots = to_units(name, text, self.lot, -4023)
        if lots <= 0:
            raise ApiError(-4003, "Quantity less than or equal to zero.")
        if lots > self.spec.max_order_lots:
            raise ApiError(-4005, "Quantity greater than max quantity.")
        return lots

    def price(self, ticks: int) -> str:
        return format_units(ticks, self.tick)

    def size(self, lots: int) -> str:
        return format_units(lots, self.lot)

    def quote(self, micro: int) -> str:
        return format_units(micro, MICRO)


class MarketCatalog:
    """Every listed market, read from `view` at each call (nothing copied that a split would miss)."""

    def __init__(self, view: MarketsView) -> None:
        self.view = view

    def all(self) -> list[Market]:
        markets = self.view.markets
        return [Market(markets[symbol].spec, markets[symbol].status) for symbol in sorted(markets)]

    def get(self, symbol: str) -> Market | None:
        listed = self.view.get(symbol)
        return Market(listed.spec, listed.status) if listed is not None else None

    def must_get(self, symbol: str) -> Market:
        market = self.get(symbol)
        if market is None:
            raise ApiError(-1121, "Invalid symbol.")
        return market
