"""mark = median(index + EMA(mid - index), median(bid, ask, last), index). Ticks of 0.01 USD."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oracle.mark import MarkParams, MarkTracker, bound_move

T0 = 1_764_000_000_000


def test_first_update_has_no_basis_yet() -> None:
    mark = MarkTracker()
    # book 18,050 / 18,070 and last 18,060 around an index of 18,000: the terms are
    # 18,000 + 0 (basis starts at 0), 18,060 (median of book), 18,000 -> median 18,000
    assert mark.update(T0, 18_000.0, 18_050, 18_070, 18_060) == 18_000.0


def test_basis_builds_with_time_constant() -> None:
    mark = MarkTracker(MarkParams(basis_tau_ms=150_000))
    mark.update(T0, 18_000.0, 18_050, 18_070, 18_060)
    value = mark.update(T0 + 150_000, 18_000.0, 18_050, 18_070, 18_060)
    basis = 60 * (1 - 0.36787944)  # one time constant toward a mid 60 above
    assert mark.basis_ticks == pytest.approx(basis)
    # terms: 18,000 + 37.9; 18,060; 18,000 -> the middle one
    assert value == pytest.approx(18_000 + basis)


def test_book_term_wins_when_it_is_in_the_middle() -> None:
    mark = MarkTracker()
    mark.basis_ticks = 100.0
    mark.last_ms = T0
    # terms: 18,100; median(18,040, 18,060, 18,200) = 18,060; 18,000 -> 18,060
    assert mark.update(T0, 18_000.0, 18_040, 18_060, 18_200) == 18_060.0


def test_one_manipulated_input_cannot_drag_the_mark() -> None:
    mark = MarkTracker()
    mark.update(T0, 18_000.0, 17_990, 18_010, 18_000)
    # a last trade printed at 25,000: the book term is median(17,990, 18,010, 25,000) = 18,010
    assert mark.update(T0 + 1_000, 18_000.0, 17_990, 18_010, 25_000) == pytest.approx(18_000.0, abs=10)


@pytest.mark.parametrize(
    ("bid", "ask", "last"),
    [(None, None, None), (18_500, None, None), (None, 17_500, 19_000), (None, None, 30_000)],
)
def test_empty_or_one_sided_book_falls_back_to_the_index(bid: int | None, ask: int | None, last: int | None) -> None:
    mark = MarkTracker()
    assert mark.update(T0, 18_000.0, bid, ask, last) == 18_000.0


def test_basis_decays_when_the_book_empties() -> None:
    mark = MarkTracker(MarkParams(basis_tau_ms=1_000))
    mark.basis_ticks, mark.last_ms = 50.0, T0
    mark.update(T0 + 10_000, 18_000.0, None, None, None)
    assert abs(mark.basis_ticks) < 0.01


def test_bound_move() -> None:
    assert bound_move(13_000.0, 18_000.0, 100.0) == 17_820.0  # at most 1% per update
    assert bound_move(18_100.0, 18_000.0, 100.0) == 18_100.0
    assert bound_move(25_000.0, None, 100.0) == 25_000.0


prices = st.integers(min_value=1, max_value=10**7)


@given(st.floats(1.0, 1e7), st.one_of(st.none(), prices), st.one_of(st.none(), prices), st.one_of(st.none(), prices))
def test_mark_lies_between_the_index_and_the_book(index: float, bid, ask, last) -> None:
    if bid is not None and ask is not None and bid > ask:
        bid, ask = ask, bid
    value = MarkTracker().update(T0, index, bid, ask, last)
    book = sorted(index if v is None else v for v in (bid, ask, last))[1]
    assert min(index, book) <= value <= max(index, book)
