"""A market's trading rules from /fapi/v1/exchangeInfo, and prices and sizes rounded to them.

Everything is Decimal; each rounding states its direction (a bid is rounded down and an ask up so
that a quote never crosses further than meant; a size is rounded down so it never exceeds what was
allowed).
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any


@dataclass(frozen=True)
class MarketRules:
    symbol: str
    underlying: str
    status: str
    tick: Decimal
    step: Decimal
    min_qty: Decimal
    max_qty: Decimal
    min_notional: Decimal
    max_leverage: int

    @property
    def trading(self) -> bool:
        return self.status == "TRADING"

    def price_down(self, price: Decimal) -> Decimal:
        return max(self.tick, (price / self.tick).to_integral_value(ROUND_FLOOR) * self.tick)

    def price_up(self, price: Decimal) -> Decimal:
        return max(self.tick, (price / self.tick).to_integral_value(ROUND_CEILING) * self.tick)

    def qty_down(self, qty: Decimal) -> Decimal:
        return min(self.max_qty, (qty / self.step).to_integral_value(ROUND_FLOOR) * self.step)

    def min_qty_at(self, price: Decimal) -> Decimal:
        """The smallest size that meets both the minimum size and the minimum notional at `price`."""
        by_notional = (self.min_notional / price / self.step).to_integral_value(ROUND_CEILING) * self.step
        return max(self.min_qty, by_notional)


def rules_of(symbol_info: dict[str, Any]) -> MarketRules:
    filters = {f["filterType"]: f for f in symbol_info["filters"]}
    required_pct = Decimal(symbol_info["requiredMarginPercent"])
    return MarketRules(
        symbol=symbol_info["symbol"],
        underlying=symbol_info["baseAsset"],
        status=symbol_info["status"],
        tick=Decimal(filters["PRICE_FILTER"]["tickSize"]),
        step=Decimal(filters["LOT_SIZE"]["stepSize"]),
        min_qty=Decimal(filters["LOT_SIZE"]["minQty"]),
        max_qty=Decimal(filters["LOT_SIZE"]["maxQty"]),
        min_notional=Decimal(filters.get("MIN_NOTIONAL", {}).get("notional", "0")),
        # requiredMarginPercent is 100 / max leverage; rounded down, the leverage is always allowed
        max_leverage=max(1, int(Decimal(100) / required_pct)) if required_pct > 0 else 1,
    )


def markets_of(exchange_info: dict[str, Any]) -> dict[str, MarketRules]:
    return {info["symbol"]: rules_of(info) for info in exchange_info["symbols"]}
