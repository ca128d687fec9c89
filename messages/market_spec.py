"""The static description of a listed market, carried by ListMarket and loaded from markets.toml.

Integers only: prices in ticks, sizes in lots, money in micro-USDC, rates in parts per million.
The decimal tick and lot sizes are kept as strings because they exist only to translate to and
from the API's decimal strings; their product in micro-USDC is what the engine computes with.
"""

import itertools
from decimal import Decimal

import msgspec

from messages.limits import (
    MAX_AMOUNT_MICRO,
    MAX_FEE_PPM,
    MAX_FUNDING_INTERVAL_S,
    MAX_MARGIN_TIERS,
    MAX_MICRO_PER_TICK_LOT,
    MAX_SIZE_LOTS,
    MAX_SYMBOL_LEN,
    MAX_TEXT_LEN,
    MAX_TOTAL_COLLATERAL_MICRO,
)


class MarginTier(msgspec.Struct, frozen=True, array_like=True):
    """From `notional_floor_micro` of position notional upward, leverage is capped at `max_leverage`."""

    notional_floor_micro: int
    max_leverage: int


class MarketSpec(msgspec.Struct, frozen=True):
    symbol: str  # NVDAUSDC
    underlying: str  # NVDA
    tick_size: str  # decimal USDC per tick, e.g. "0.01"
    lot_size: str  # decimal shares per lot, e.g. "0.001"
    min_notional_micro: int
    max_order_lots: int
    margin_tiers: tuple[MarginTier, ...]
    maker_fee_ppm: int  # negative is a rebate
    taker_fee_ppm: int
    impact_notional_micro: int
    market_order_band_ppm: int = 50_000  # a market order fills no further than 5% from its reference
    funding_interval_s: int = 3600
    name: str = ""  # e.g. "NVIDIA", for people

    @property
    def max_leverage(self) -> int:
        return self.margin_tiers[0].max_leverage

    @property
    def micro_per_tick_lot(self) -> int:
        """Micro-USDC of notional for one lot at one tick; exact by construction (see validate)."""
        return int(Decimal(self.tick_size) * Decimal(self.lot_size) * 1_000_000)

    def validate(self) -> str | None:
        """Return why this spec is unusable, or None. Kept here so ListMarket and the loader agree."""
        if not self.symbol or not self.symbol.isalnum() or not self.symbol.isupper():
            return "symbol must be upper-case alphanumeric"
        if len(self.symbol) > MAX_SYMBOL_LEN or len(self.underlying) > MAX_SYMBOL_LEN:
            return f"symbol and underlying must be at most {MAX_SYMBOL_LEN} characters"
        if len(self.name) > MAX_TEXT_LEN or len(self.tick_size) > MAX_SYMBOL_LEN or len(self.lot_size) > MAX_SYMBOL_LEN:
            return "name, tick_size or lot_size too long"
        try:
            tick, lot = Decimal(self.tick_size), Decimal(self.lot_size)
        except ArithmeticError:
            return "tick_size and lot_size must be decimal strings"
        if not tick.is_finite() or not lot.is_finite() or tick <= 0 or lot <= 0:
            return "tick_size and lot_size must be positive"
        try:
            per_tick_lot = tick * lot * 1_000_000
        except ArithmeticError:  # an exponent beyond the decimal context's
            return "tick_size x lot_size out of range"
        if per_tick_lot != per_tick_lot.to_integral_value() or per_tick_lot < 1:
            return "tick_size x lot_size must be a whole number of micro-USDC"
        if per_tick_lot > MAX_MICRO_PER_TICK_LOT:
            return f"tick_size x lot_size must be at most {MAX_MICRO_PER_TICK_LOT} micro-USDC"
        if self.min_notional_micro < 0 or self.max_order_lots <= 0 or self.impact_notional_micro <= 0:
            return "min notional, max order size and impact notional must be positive"
        if (
            self.min_notional_micro > MAX_AMOUNT_MICRO
            or self.impact_notional_micro > MAX_AMOUNT_MICRO
            or self.max_order_lots > MAX_SIZE_LOTS
        ):
            return "min notional, max order size or impact notional too large (messages/limits.py)"
        if len(self.margin_tiers) > MAX_MARGIN_TIERS or any(
            not 0 <= t.notional_floor_micro <= MAX_TOTAL_COLLATERAL_MICRO for t in self.margin_tiers
        ):
            return f"at most {MAX_MARGIN_TIERS} margin tiers, with floors up to {MAX_TOTAL_COLLATERAL_MICRO} micro-USDC"
        if abs(self.maker_fee_ppm) > MAX_FEE_PPM or abs(self.taker_fee_ppm) > MAX_FEE_PPM:
            return "fees must be within 100%"
        if self.funding_interval_s > MAX_FUNDING_INTERVAL_S:
            return f"funding interval must be at most {MAX_FUNDING_INTERVAL_S} s"
        if not self.margin_tiers or self.margin_tiers[0].notional_floor_micro != 0:
            return "margin tiers must start at notional 0"
        floors = [t.notional_floor_micro for t in self.margin_tiers]
        leverages = [t.max_leverage for t in self.margin_tiers]
        if floors != sorted(set(floors)) or any(b > a for a, b in itertools.pairwise(leverages)):
            return "margin tiers must rise in notional and not rise in leverage"
        if leverages[-1] < 1 or leverages[0] > 100:
            return "max leverage must be between 1 and 100"
        if not 0 < self.market_order_band_ppm < 1_000_000:
            return "market order band must be between 0 and 100%"
        if self.maker_fee_ppm < -self.taker_fee_ppm:
            return "a maker rebate may not exceed the taker fee"
        if self.funding_interval_s <= 0:
            return "funding interval must be positive"
        return None
