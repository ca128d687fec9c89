"""The mark price of one market, from the index and the book:

    mark = median(index + EMA(book mid - index), median(best bid, best ask, last trade), index)

Why three terms: the index alone ignores where the perp trades (funding then does all the work);
the book alone can be pushed by one large order. The median takes the middle one, so a single
manipulated input cannot move the mark past the other two.

Empty-book fallback: a missing bid, ask or last trade stands in as the index, and the basis EMA
decays toward zero while there is no mid; an empty book therefore gives mark = index at once.
Moves are bounded (`bound_move`, applied by the service as a rate per cadence interval) so a
reopening gap reaches the mark in steps rather than liquidating everyone in one print.
Pure: time is passed in. Prices are fractional ticks.
"""

import math
import statistics

import msgspec


class MarkParams(msgspec.Struct, frozen=True):
    basis_tau_ms: int = 150_000  # the EMA time constant of (book mid - index)
    max_move_bps: float = 100.0  # a published mark moves at most this far per cadence interval (1 s)


class MarkTracker:
    def __init__(self, params: MarkParams | None = None) -> None:
        self.params = params or MarkParams()
        self.basis_ticks = 0.0  # EMA of (book mid - index); starts at 0 so a first book cannot jump the mark
        self.last_ms: int | None = None

    def update(
        self,
        now_ms: int,
        index_ticks: float,
        best_bid_ticks: int | None,
        best_ask_ticks: int | None,
        last_trade_ticks: int | None,
    ) -> float:
        """The unbounded mark at `now_ms`."""
        if best_bid_ticks is not None and best_ask_ticks is not None:
            sample = (best_bid_ticks + best_ask_ticks) / 2.0 - index_ticks
        else:
            sample = 0.0
        if self.last_ms is not None and now_ms > self.last_ms:
            alpha = 1.0 - math.exp(-(now_ms - self.last_ms) / self.params.basis_tau_ms)
            self.basis_ticks += alpha * (sample - self.basis_ticks)
        self.last_ms = now_ms
        book_ticks = statistics.median(
            index_ticks if value is None else float(value)
            for value in (best_bid_ticks, best_ask_ticks, last_trade_ticks)
        )
        return statistics.median((index_ticks + self.basis_ticks, book_ticks, index_ticks))

    def rescale(self, factor: float) -> None:
        self.basis_ticks *= factor


def bound_move(new_ticks: float, previous_ticks: float | None, max_move_bps: float) -> float:
    """`new_ticks`, held within max_move_bps of the previously published value."""
    if previous_ticks is None:
        return new_ticks
    step = previous_ticks * max_move_bps / 1e4
    return min(max(new_ticks, previous_ticks - step), previous_ticks + step)
