"""api.windows.pick against the rule spelled out row by row."""

from hypothesis import given
from hypothesis import strategies as st

from api.windows import bounded, pick

Rows = st.lists(st.integers(0, 50), max_size=30).map(lambda times: [(i, t) for i, t in enumerate(sorted(times))])
Bound = st.none() | st.integers(-5, 55)


@given(Rows, Bound, Bound, Bound, st.integers(1, 10))
def test_pick_is_binances_rule(rows, from_id, start, end, limit):  # type: ignore[no-untyped-def]
    got = pick(rows, lambda r: r[0], lambda r: r[1], from_id, start, end, limit)
    if from_id is not None:
        expected = [r for r in rows if r[0] >= from_id][:limit]
    else:
        inside = [r for r in rows if (start is None or r[1] >= start) and (end is None or r[1] <= end)]
        expected = (
            inside[:limit] if start is not None else inside[len(inside) - limit :] if len(inside) > limit else inside
        )
    assert got == expected
    assert len(got) <= limit and got == sorted(got)


def test_bounded():  # type: ignore[no-untyped-def]
    assert bounded("limit", None, 500, 1000) == 500
    assert bounded("limit", 1000, 500, 1000) == 1000
    for bad in (0, -1, 1001):
        try:
            bounded("limit", bad, 500, 1000)
        except Exception as error:
            assert getattr(error, "code", None) == -1130
        else:
            raise AssertionError(f"{bad} accepted")
