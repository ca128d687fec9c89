import pytest

from views.funding_schedule import boundaries_between, boundary_at_or_before, interval_start_ms, next_boundary_after

H = 3_600_000


def test_hourly_boundaries_fall_on_the_utc_hour():
    t = 1_764_000_000_000 + 17 * 60_000  # 2025-11-24 16:00 UTC + 17 min
    assert boundary_at_or_before(t, H) == 1_764_000_000_000
    assert next_boundary_after(t, H) == 1_764_000_000_000 + H


def test_a_boundary_is_its_own_floor_and_not_its_own_next():
    assert boundary_at_or_before(2 * H, H) == 2 * H
    assert next_boundary_after(2 * H, H) == 3 * H


def test_boundaries_between_is_half_open_on_the_left():
    assert boundaries_between(H, 4 * H, H) == [2 * H, 3 * H, 4 * H]
    assert boundaries_between(H, 2 * H - 1, H) == []
    assert boundaries_between(H + 1, 2 * H, H) == [2 * H]
    assert boundaries_between(0, 8 * H, 4 * H) == [4 * H, 8 * H]


def test_interval_start():
    assert interval_start_ms(5 * H, H) == 4 * H


def test_interval_must_be_positive():
    with pytest.raises(ValueError):
        boundary_at_or_before(5, 0)
