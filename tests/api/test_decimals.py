"""Decimal strings at the edge: exact or refused, never rounded on the way in."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.decimals import format_ratio, format_units, to_units
from api.errors import ApiError

TICK = Decimal("0.01")
FIVE_CENTS = Decimal("0.05")


@pytest.mark.parametrize(
    ("text", "units"), [("100", 10000), ("100.5", 10050), ("100.50", 10050), ("100.500", 10050), ("0.01", 1)]
)
def test_exact_values_convert(text, units):
    assert to_units("price", text, TICK) == units


@pytest.mark.parametrize(
    ("text", "code"),
    [("1e3", -1100), ("-1", -1100), ("+1", -1100), (" 1", -1100), ("1.", -1100), (".5", -1100), ("NaN", -1100),
     ("1" * 21, -1100), ("100.001", -1111)],
)  # fmt: skip
def test_malformed_or_inexact_values_are_refused(text, code):
    with pytest.raises(ApiError) as raised:
        to_units("price", text, TICK)
    assert raised.value.code == code


def test_a_value_between_units_of_a_coarse_tick_gets_the_off_unit_code():
    with pytest.raises(ApiError) as raised:
        to_units("price", "1.02", FIVE_CENTS, -4014)
    assert raised.value.code == -4014


@given(st.integers(0, 10**15), st.sampled_from(["0.01", "0.001", "1", "0.000001"]))
def test_format_then_parse_is_the_identity(units, unit_text):
    unit = Decimal(unit_text)
    assert to_units("x", format_units(units, unit), unit) == units


def test_average_price_is_displayed_half_even():
    assert format_ratio(36_000_000, 200 * 10, TICK) == "180.000000"  # 36 USDC over 0.200 at 10 micro/tick-lot
    assert format_ratio(1, 3, Decimal("1"), 2) == "0.33"
    assert format_ratio(0, 0, TICK) == "0.000000"


def decimal_format(count: int, unit: Decimal) -> str:
    """The naive reference of format_units: Decimal arithmetic, quantized to the unit's decimals."""
    unit_places = max(0, -int(unit.normalize().as_tuple().exponent))
    return str((Decimal(count) * unit).quantize(Decimal(1).scaleb(-unit_places)))


@given(
    st.integers(-(10**18), 10**18),
    st.sampled_from(["0.01", "0.05", "0.001", "1", "10", "0.000001", "0.25", "0.10", "5"]),
)
def test_format_units_in_integers_matches_decimal_arithmetic(count, unit_text):
    assert format_units(count, Decimal(unit_text)) == decimal_format(count, Decimal(unit_text))
