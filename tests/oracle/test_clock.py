"""The oracle's clock seam: the wall clock, or the wall clock shifted (`perpx up --oracle-open-in`)."""

from oracle.clock import OffsetClock, WallClock


def test_an_offset_clock_runs_a_fixed_distance_from_the_wall_clock() -> None:
    wall, shifted = WallClock(), OffsetClock(3_600_000)
    assert abs(shifted.now_ms() - wall.now_ms() - 3_600_000) < 1_000
