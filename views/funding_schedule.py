"""Funding interval boundaries. Intervals are aligned to the epoch (a 1 h interval ends on every UTC
hour), so every process, restarted or not, agrees on them from the interval length alone; the clock
is always an argument. Pure, and here (below funding/) so that the views give the next funding time
by the same arithmetic the funding service settles by."""


def boundary_at_or_before(t_ms: int, interval_ms: int) -> int:
    """The last boundary not after `t_ms`."""
    _check(interval_ms)
    return t_ms - t_ms % interval_ms


def next_boundary_after(t_ms: int, interval_ms: int) -> int:
    """The first boundary strictly after `t_ms`: the next funding time."""
    return boundary_at_or_before(t_ms, interval_ms) + interval_ms


def boundaries_between(after_ms: int, up_to_ms: int, interval_ms: int) -> list[int]:
    """Boundaries in (after_ms, up_to_ms], oldest first."""
    first = next_boundary_after(after_ms, interval_ms)
    return list(range(first, up_to_ms + 1, interval_ms))


def interval_start_ms(funding_time_ms: int, interval_ms: int) -> int:
    """The interval settled at `funding_time_ms` covers [start, funding_time_ms)."""
    return funding_time_ms - interval_ms


def _check(interval_ms: int) -> None:
    if interval_ms <= 0:
        raise ValueError("interval must be positive")
