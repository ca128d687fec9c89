"""A market maker's ladder: the pure part of quoting (no I/O), so that it can be read and tested alone.

Around a center price, `levels` bids below and `levels` asks above, each `first_bps` + i x `spacing_bps`
away, each worth about `level_notional` USDC. Inventory skews the center against the position (a long
maker quotes lower, to sell more and buy less) by up to `skew_bps` at `max_position_notional`, and a
side stops quoting once the position reaches that limit. Bids round down and asks up to the tick, so
a bid is always below the center and an ask above it.
"""

from dataclasses import dataclass
from decimal import Decimal

from bots.markets import MarketRules

BPS = Decimal(10_000)


@dataclass(frozen=True)
class LadderShape:
    levels: int = 5
    first_bps: int = 5
    spacing_bps: int = 5
    level_notional: Decimal = Decimal(1000)
    max_position_notional: Decimal = Decimal(50_000)
    skew_bps: int = 20


@dataclass(frozen=True)
class Quote:
    side: str  # BUY or SELL
    level: int  # 0 nearest the center
    price: Decimal
    qty: Decimal

    @property
    def slot(self) -> tuple[str, int]:
        return self.side, self.level


def inventory_ratio(position: Decimal, center: Decimal, shape: LadderShape) -> Decimal:
    """The position as a share of the limit, -1 (short at the limit) .. 1 (long at the limit)."""
    if shape.max_position_notional <= 0 or center <= 0:
        return Decimal(0)
    ratio = position * center / shape.max_position_notional
    return max(Decimal(-1), min(Decimal(1), ratio))


def ladder(
    reference: Decimal, offset_bps: int, position: Decimal, rules: MarketRules, shape: LadderShape
) -> list[Quote]:
    """The quotes around `reference` moved by `offset_bps` (the maker's own view) and skewed by the position."""
    if reference <= 0:
        return []
    ratio = inventory_ratio(position, reference, shape)
    center = reference * (BPS + offset_bps - ratio * shape.skew_bps) / BPS
    quotes: list[Quote] = []
    for level in range(shape.levels):
        distance = Decimal(shape.first_bps + level * shape.spacing_bps)
        if ratio < 1:
            bid = rules.price_down(center * (BPS - distance) / BPS)
            quotes.append(Quote("BUY", level, bid, size_at(bid, rules, shape)))
        if ratio > -1:
            ask = rules.price_up(center * (BPS + distance) / BPS)
            quotes.append(Quote("SELL", level, ask, size_at(ask, rules, shape)))
    return quotes


def size_at(price: Decimal, rules: MarketRules, shape: LadderShape) -> Decimal:
    return max(rules.min_qty_at(price), rules.qty_down(shape.level_notional / price))
