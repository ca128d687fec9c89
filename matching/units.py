"""Exact conversion between the API's decimal strings and the engine's integers.

Floats never touch money: a value that does not land exactly on a tick, a lot or a micro-USDC is
refused (the API answers with the reason), never rounded silently.
"""

from decimal import Decimal, InvalidOperation

from messages.enums import RejectReason
from messages.market_spec import MarketSpec

MICRO_PER_USDC = 1_000_000


def parse_decimal(text: str) -> Decimal | None:
    """A finite decimal from a plain string ("12.5"), or None for anything else (NaN, "1e3", "")."""
    if not isinstance(text, str) or not text or len(text) > 40:
        return None
    if any(ch not in "0123456789.-" for ch in text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def exact_units(text: str, unit: Decimal) -> int | None:
    """`text` as a whole number of `unit`s, or None when it is not one."""
    value = parse_decimal(text)
    if value is None:
        return None
    units = value / unit
    if units != units.to_integral_value():
        return None
    return int(units)


def price_to_ticks(spec: MarketSpec, price: str) -> int | RejectReason:
    value = parse_decimal(price)
    if value is None or value <= 0:
        return RejectReason.PRICE_NOT_POSITIVE
    ticks = exact_units(price, Decimal(spec.tick_size))
    return RejectReason.PRICE_OFF_TICK if ticks is None else ticks


def size_to_lots(spec: MarketSpec, size: str) -> int | RejectReason:
    value = parse_decimal(size)
    if value is None or value <= 0:
        return RejectReason.SIZE_NOT_POSITIVE
    lots = exact_units(size, Decimal(spec.lot_size))
    return RejectReason.SIZE_NOT_POSITIVE if lots is None else lots


def ticks_to_price(spec: MarketSpec, price_ticks: int) -> str:
    return _plain(price_ticks * Decimal(spec.tick_size))


def lots_to_size(spec: MarketSpec, size_lots: int) -> str:
    return _plain(size_lots * Decimal(spec.lot_size))


def usdc_to_micro(amount: str) -> int | None:
    return exact_units(amount, Decimal(1) / MICRO_PER_USDC)


def micro_to_usdc(amount_micro: int) -> str:
    return _plain(Decimal(amount_micro) / MICRO_PER_USDC)


def _plain(value: Decimal) -> str:
    """Fixed-point text without exponent or trailing zeros: "185.2", "0.001", "12"."""
    text = format(value.normalize(), "f")
    return text
