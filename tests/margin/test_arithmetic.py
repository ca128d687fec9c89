"""The native-friendly integer helpers give exactly what plain Python arithmetic gives."""

from fractions import Fraction
from math import ceil

from hypothesis import given
from hypothesis import strategies as st

from margin.arithmetic import signed_times, wide_times
from margin.fees import fee_micro

big = st.integers(min_value=-(1 << 80), max_value=1 << 80)


@given(big, st.integers(min_value=0, max_value=1 << 80))
def test_signed_times_is_multiplication(signed: int, magnitude: int) -> None:
    assert signed_times(signed, magnitude) == signed * magnitude


@given(st.integers(min_value=0, max_value=1 << 70), st.integers(min_value=-1_000_000, max_value=1_000_000))
def test_fee_is_the_exact_quotient_rounded_up(notional_micro: int, rate_ppm: int) -> None:
    """A fee rounds up (the exchange never undercharges); a rebate is a negative fee rounded up,
    so it is never larger than the exact rebate."""
    assert fee_micro(notional_micro, rate_ppm) == ceil(Fraction(notional_micro * rate_ppm, 1_000_000))


def test_fee_examples() -> None:
    assert fee_micro(1_000_000, 450) == 450
    assert fee_micro(1, 450) == 1  # a fraction of a micro-USDC is charged in full
    assert fee_micro(1, -150) == 0  # and a fraction of a rebate is not paid
    assert fee_micro(10_000_000, -150) == -1_500


@given(big, st.integers(min_value=0, max_value=(1 << 30) - 1))
def test_wide_times_is_multiplication(value: int, factor: int) -> None:
    assert wide_times(value, factor) == value * factor


def test_wide_times_at_the_edges() -> None:
    for value in (0, 1, (1 << 30) - 1, 1 << 30, (1 << 60) - 1, 1 << 60, -(1 << 60) + 1, -(1 << 30)):
        for factor in (0, 1, 40, (1 << 30) - 1):
            assert wide_times(value, factor) == value * factor
