"""The markets the api accepts orders for, with the decimal tick and lot sizes of each.

For now the packaged genesis listing (matching/markets.toml, what the engine starts from): markets
listed at runtime, status changes and splits reach the api through views/ (api.reads.Reads.markets),
not yet built. Conversions between wire decimals and the engine's integers live here.
"""

from dataclasses import dataclass
from decimal import Decimal

from api.decimals import MICRO, format_units, to_units
from api.errors import ApiError
from matching.markets import load_markets
from messages.enums import MarketStatus
from messages.market_spec import MarketSpec

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
    def __init__(self, specs: list[MarketSpec]) -> None:
        self.by_symbol = {spec.symbol: Market(spec, MarketStatus.ACTIVE) for spec in specs}

    @classmethod
    def from_listing(cls) -> "MarketCatalog":
        return cls(load_markets())

    def all(self) -> list[Market]:
        return list(self.by_symbol.values())

    def must_get(self, symbol: str) -> Market:
        market = self.by_symbol.get(symbol)
        if market is None:
            raise ApiError(-1121, "Invalid symbol.")
        return market
