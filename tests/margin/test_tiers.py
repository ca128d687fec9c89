"""Margin tiers: initial by tier, maintenance half of it and continuous, liquidation price exact."""

from hypothesis import given
from hypothesis import strategies as st

from margin.tiers import Tiers
from messages.market_spec import MarginTier

M = 1_000_000
AAPL = Tiers(
    (MarginTier(0, 20), MarginTier(1_000_000 * M, 10), MarginTier(5_000_000 * M, 5), MarginTier(20_000_000 * M, 2))
)


def test_initial_margin_is_notional_over_the_lower_of_chosen_and_tier_leverage() -> None:
    assert AAPL.initial_margin_micro(100_000 * M, 20) == 5_000 * M
    assert AAPL.initial_margin_micro(100_000 * M, 10) == 10_000 * M
    assert AAPL.initial_margin_micro(2_000_000 * M, 20) == 200_000 * M  # tier 2 caps at 10x
    assert AAPL.initial_margin_micro(7, 20) == 1  # rounded up


def test_maintenance_is_half_the_initial_rate_with_binance_style_deduction() -> None:
    # tier 1: 2.5%; tier 2: 5% - 25,000 (= 1M x (5% - 2.5%)); tier 3: 10% - 275,000
    assert AAPL.maintenance_margin_micro(400_000 * M) == 10_000 * M
    assert AAPL.maintenance_margin_micro(2_000_000 * M) == (100_000 - 25_000) * M
    assert AAPL.maintenance_margin_micro(10_000_000 * M) == (1_000_000 - 275_000) * M


def test_maintenance_is_continuous_at_every_tier_floor() -> None:
    for floor in AAPL.floors[1:]:
        assert AAPL.maintenance_margin_micro(floor) - AAPL.maintenance_margin_micro(floor - 1) <= 1


@given(st.integers(0, 10**14), st.integers(1, 10**6))
def test_maintenance_never_falls_as_notional_grows(notional: int, more: int) -> None:
    assert AAPL.maintenance_margin_micro(notional + more) >= AAPL.maintenance_margin_micro(notional)


def liquidatable(tiers: Tiers, size: int, rest: int, price: int, u: int) -> bool:
    return rest + size * price * u < tiers.maintenance_margin_micro(abs(size) * price * u)


@given(st.integers(-5_000, 5_000).filter(bool), st.integers(-(10**10), 10**10), st.sampled_from([1, 10, 10_000]))
def test_liquidation_price_is_the_exact_boundary(size: int, rest: int, u: int) -> None:
    price = AAPL.liquidation_price_ticks(size, rest, u)
    if size > 0:
        assert price == 0 or liquidatable(AAPL, size, rest, price, u)
        assert not liquidatable(AAPL, size, rest, price + 1, u)
    else:
        assert price >= 1 and liquidatable(AAPL, size, rest, price, u)
        assert price == 1 or not liquidatable(AAPL, size, rest, price - 1, u)
