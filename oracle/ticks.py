"""Where the oracle's float estimates become the engine's integer ticks, with the rounding stated."""

from decimal import ROUND_HALF_EVEN, Decimal

from messages.market_spec import MarketSpec


def usd_to_ticks(spec: MarketSpec, price_usd: float) -> float:
    """Fractional ticks: the index and mark are computed in ticks and rounded only when published."""
    return price_usd / float(Decimal(spec.tick_size))


def publish_ticks(value_ticks: float) -> int:
    """Nearest whole tick, ties to even (no side is favoured on average), never below one tick:
    the engine refuses a non-positive price, and a stock perp never trades at zero."""
    rounded = int(Decimal(repr(value_ticks)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    return max(rounded, 1)
