"""How Binance's list endpoints pick their rows: a bounded `limit`, then from an id up, or within a
time window (inclusive at both ends): the earliest rows when `startTime` is given (the list starts
there), else the latest. One place for the rule of historicalTrades, aggTrades, allOrders,
userTrades and fundingRate."""

from collections.abc import Callable, Sequence
from typing import TypeVar

from api.errors import ApiError

Row = TypeVar("Row")


def bounded(name: str, value: int | None, default: int, maximum: int) -> int:
    """A `limit`-like parameter: its default when not sent, -1130 outside 1..maximum."""
    if value is None:
        return default
    if not 1 <= value <= maximum:
        raise ApiError(-1130, f"Data sent for parameter '{name}' is not valid.")
    return value


def pick(
    rows: Sequence[Row],
    id_of: Callable[[Row], int],
    time_of: Callable[[Row], int],
    from_id: int | None,
    start_ms: int | None,
    end_ms: int | None,
    limit: int,
) -> list[Row]:
    """`rows` (oldest first) as Binance picks them: from `from_id` up, else within the window."""
    if from_id is not None:
        return [row for row in rows if id_of(row) >= from_id][:limit]
    chosen = [
        row
        for row in rows
        if (start_ms is None or time_of(row) >= start_ms) and (end_ms is None or time_of(row) <= end_ms)
    ]
    return chosen[:limit] if start_ms is not None else chosen[-limit:]
