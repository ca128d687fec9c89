"""The off-hours index: follows the book's impact mid, clamped to 1/max-leverage of the last
external price, re-anchored when an external price returns. Prices in ticks (0.01 USD)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from messages.enums import PriceSource
from oracle.index import IndexParams, IndexTracker

T0 = 1_764_000_000_000
MIN = 60_000


def test_external_price_is_the_index() -> None:
    tracker = IndexTracker(max_leverage=20)
    assert tracker.update(T0, 18_000.0, 25_000.0) == 18_000.0
    assert tracker.source is PriceSource.EXTERNAL


def test_no_price_before_any_external_or_seed() -> None:
    tracker = IndexTracker(max_leverage=20)
    assert tracker.update(T0, None, 18_000.0) is None
    assert tracker.source is PriceSource.INTERNAL


def test_follows_the_book_with_time_constant_tau() -> None:
    tracker = IndexTracker(max_leverage=20, params=IndexParams(tau_ms=10 * MIN, max_step_share=1.0))
    tracker.update(T0, 18_000.0, None)
    # one step of 10 minutes toward a mid 100 ticks above closes 1 - 1/e of the gap
    assert tracker.update(T0 + 10 * MIN, None, 18_100.0) == pytest.approx(18_000 + 100 * (1 - 0.36787944))
    assert tracker.source is PriceSource.INTERNAL


def test_each_step_closes_at_most_a_bounded_share_of_the_gap() -> None:
    tracker = IndexTracker(max_leverage=20, params=IndexParams(tau_ms=10 * MIN, max_step_share=0.05))
    tracker.update(T0, 18_000.0, None)
    # a whole day of silence then a book at +100: the step is 5% of the gap, not all of it
    assert tracker.update(T0 + 24 * 60 * MIN, None, 18_100.0) == pytest.approx(18_005.0)


def test_held_when_the_book_cannot_absorb_the_impact_notional() -> None:
    tracker = IndexTracker(max_leverage=20)
    tracker.update(T0, 18_000.0, None)
    assert tracker.update(T0 + 60 * MIN, None, None) == 18_000.0


@pytest.mark.parametrize(
    ("max_leverage", "book_ticks", "floor_or_cap"),
    [
        (20, 30_000.0, 18_900.0),  # 20x: within 5% of the 18,000 close
        (20, 1.0, 17_100.0),
        (5, 30_000.0, 21_600.0),  # 5x: within 20%
        (5, 1.0, 14_400.0),
    ],
)
def test_clamped_within_one_over_max_leverage_of_the_last_external_price(
    max_leverage: int, book_ticks: float, floor_or_cap: float
) -> None:
    tracker = IndexTracker(max_leverage, IndexParams(tau_ms=MIN, max_step_share=1.0))
    tracker.update(T0, 18_000.0, None)
    for step in range(1, 200):  # a weekend of a book pinned far away
        index = tracker.update(T0 + step * 15 * MIN, None, book_ticks)
    assert index == pytest.approx(floor_or_cap)


def test_reanchors_on_reopen() -> None:
    tracker = IndexTracker(max_leverage=20, params=IndexParams(tau_ms=MIN, max_step_share=1.0))
    tracker.update(T0, 18_000.0, None)  # Friday close
    for step in range(1, 100):
        tracker.update(T0 + step * 30 * MIN, None, 18_500.0)  # the weekend book drifts up
    assert tracker.index_ticks == pytest.approx(18_500.0)
    # Monday opens with a 30% gap down: the index takes the external price at once
    assert tracker.update(T0 + 3 * 24 * 60 * MIN, 12_600.0, 18_500.0) == 12_600.0
    assert tracker.source is PriceSource.EXTERNAL
    # and the new clamp is around the new external price
    assert tracker.update(T0 + 3 * 24 * 60 * MIN + MIN, None, 18_500.0) == pytest.approx(12_600.0 * 1.05)


def test_seed_starts_internal_at_an_old_price() -> None:
    tracker = IndexTracker(max_leverage=10)
    tracker.seed(20_000.0, T0)
    assert tracker.update(T0 + 1_000, None, None) == 20_000.0
    assert tracker.source is PriceSource.INTERNAL


def test_rescale_by_a_split() -> None:
    tracker = IndexTracker(max_leverage=10)
    tracker.update(T0, 100_000.0, None)
    tracker.rescale(1 / 10)
    assert tracker.update(T0 + 1, None, None) == pytest.approx(10_000.0)


@given(
    st.integers(min_value=1, max_value=100),
    st.floats(min_value=1.0, max_value=1e7),
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=10**8), st.one_of(st.none(), st.floats(0.0, 1e9))), max_size=30
    ),
)
def test_internal_index_never_leaves_the_band(max_leverage: int, close: float, steps: list) -> None:
    tracker = IndexTracker(max_leverage)
    tracker.update(T0, close, None)
    now = T0
    for dt_ms, mid in steps:
        now += dt_ms
        index = tracker.update(now, None, mid)
        assert index is not None
        assert close * (1 - 1 / max_leverage) * (1 - 1e-12) <= index <= close * (1 + 1 / max_leverage) * (1 + 1e-12)
