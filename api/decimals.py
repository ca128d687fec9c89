"""Decimal strings in and out, integers inside: exact conversions at the edge, Binance's errors.

A number on the wire must match Binance's pattern (digits, at most one point, no sign, no
exponent); it converts to a whole number of ticks, lots or micro-USDC exactly, or is refused:
more decimals than the unit has is -1111, a value between units -4014/-4023 style. Nothing is
ever rounded on the way in. On the way out integers are printed with the unit's decimals.
"""

import functools
import re
from decimal import ROUND_HALF_EVEN, Decimal

from api.errors import ApiError

NUMBER = re.compile(r"^([0-9]{1,20})(\.[0-9]{1,20})?$")
MICRO = Decimal("0.000001")


def parse_decimal(name: str, text: str) -> Decimal:
    if not NUMBER.fullmatch(text):
        raise ApiError(
            -1100,
            f"Illegal characters found in parameter '{name}'; legal range is '^([0-9]{{1,20}})(\\.[0-9]{{1,20}})?$'.",
        )
    return Decimal(text)


def places(unit: Decimal) -> int:
    """Decimals of a tick, lot or micro unit ("0.01" -> 2)."""
    return decimal_places(unit)


def to_units(name: str, text: str, unit: Decimal, off_unit_code: int = -1111) -> int:
    """`text` as a whole number of `unit`s; ApiError unless exact."""
    value = parse_decimal(name, text)
    units = value / unit
    if units != units.to_integral_value():
        if decimal_places(value) > places(unit):
            raise ApiError(-1111, f"Precision is over the maximum defined for this asset ({name}).")
        raise ApiError(off_unit_code, f"{name} is not a multiple of {unit.normalize()}.")
    return int(units)


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def format_units(count: int, unit: Decimal) -> str:
    """`count` units as a decimal string with the unit's decimals ("100.50" for 10050 ticks of 0.01),
    in integers: the unit is a whole multiple of 10^-places, so the product is exact."""
    multiple, unit_places = unit_parts(unit)
    value = count * multiple
    if unit_places == 0:
        return str(value)
    whole, fraction = divmod(abs(value), 10**unit_places)
    return f"{'-' if value < 0 else ''}{whole}.{fraction:0{unit_places}d}"


@functools.lru_cache(maxsize=256)
def unit_parts(unit: Decimal) -> tuple[int, int]:
    """A unit as (multiple, places): unit == multiple * 10^-places, places its decimals."""
    unit_places = places(unit)
    return int(unit.scaleb(unit_places)), unit_places


def format_micro(amount_micro: int) -> str:
    return format_units(amount_micro, MICRO)


def format_ratio(numerator: int, denominator: int, unit: Decimal, extra_places: int = 4) -> str:
    """numerator / denominator units, to the unit's decimals plus `extra_places`, half-even (an
    average price, for display only: nothing is computed from it)."""
    if denominator == 0:
        return str(Decimal(0).quantize(Decimal(1).scaleb(-(places(unit) + extra_places))))
    exact = Decimal(numerator) * unit / Decimal(denominator)
    return str(exact.quantize(Decimal(1).scaleb(-(places(unit) + extra_places)), rounding=ROUND_HALF_EVEN))
