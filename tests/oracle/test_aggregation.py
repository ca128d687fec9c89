"""Aggregation: stale, frozen, wild and missing sources must not move the price."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from oracle.aggregation import AggregationParams, aggregate, weighted_median
from oracle.naive_aggregation import naive_aggregate
from oracle.quote import Quote

NOW_MS = 1_764_000_000_000
PARAMS = AggregationParams(max_age_ms=10_000, mad_k=5.0, mad_floor_bps=10.0, max_deviation_bps=500.0, min_sources=3)


def q(source: str, price: float, age_ms: int = 0, conf: float = 0.0) -> Quote:
    return Quote(source, "NVDA", price, NOW_MS - age_ms, conf)


HONEST = [q("a", 180.00), q("b", 180.02), q("c", 180.04), q("d", 180.06), q("e", 180.08)]


def test_all_honest_gives_the_median() -> None:
    result = aggregate(HONEST, NOW_MS, PARAMS)
    assert result.price == pytest.approx(180.04)
    assert result.sources_used == ("a", "b", "c", "d", "e")
    assert result.dropped == ()


@pytest.mark.parametrize(
    ("bad", "expected", "why"),
    [
        ([q("d", 180.06, age_ms=60_000), q("e", 180.08, age_ms=3_600_000)], 180.02, "two stale: median of the rest"),
        ([q("d", 1.0), q("e", 9_999.0)], 180.02, "two wild on either side cancel out"),
        ([q("d", 250.0), q("e", 250.0)], 180.04, "two wild agreeing: held at the median of all five"),
        ([q("d", 195.0)], 180.02, "one down (absent), one 8% off"),
    ],
)
def test_bad_minority_is_dropped_and_the_price_stays_among_the_honest(
    bad: list[Quote], expected: float, why: str
) -> None:
    quotes = [*HONEST[:3], *bad]
    result = aggregate(quotes, NOW_MS, PARAMS)
    assert result.price == pytest.approx(expected), why
    assert result.sources_used == ("a", "b", "c")
    assert {s for s, _ in result.dropped} == {b.source for b in bad}


def test_a_frozen_source_is_dropped_by_name() -> None:
    result = aggregate([*HONEST[:4], q("e", 170.0)], NOW_MS, PARAMS, frozen_sources=["e"])
    assert ("e", "frozen") in result.dropped
    assert result.price == pytest.approx(180.03)


def test_all_stale_has_no_price() -> None:
    result = aggregate([q(h.source, h.price, age_ms=11_000) for h in HONEST], NOW_MS, PARAMS)
    assert result.price is None
    assert not result.has_quorum
    assert {reason for _, reason in result.dropped} == {"stale"}


def test_quorum_not_met() -> None:
    result = aggregate(HONEST[:2], NOW_MS, PARAMS)
    assert result.price is None
    assert result.sources_used == ("a", "b")


def test_two_sources_far_apart_cannot_be_told_apart() -> None:
    params = AggregationParams(min_sources=1)
    result = aggregate([q("a", 100.0), q("b", 120.0)], NOW_MS, params)
    assert result.price is None
    assert {s for s, _ in result.dropped} == {"a", "b"}


def test_confidence_is_the_larger_of_disagreement_and_own_conf() -> None:
    tight = aggregate([q("a", 100.0, conf=0.5), q("b", 100.0, conf=0.5), q("c", 100.0, conf=0.5)], NOW_MS, PARAMS)
    assert tight.conf == pytest.approx(0.5)
    spread = aggregate([q("a", 99.9), q("b", 100.0), q("c", 100.1)], NOW_MS, PARAMS)
    assert spread.conf == pytest.approx(1.4826 * 0.1)


def test_weights() -> None:
    quotes = [q("pyth", 100.0), q("b", 100.1), q("c", 100.2)]
    assert aggregate(quotes, NOW_MS, PARAMS).price == pytest.approx(100.1)
    assert aggregate(quotes, NOW_MS, PARAMS, weights={"pyth": 3.0}).price == pytest.approx(100.0)


def test_weighted_median_with_equal_weights_is_the_median() -> None:
    assert weighted_median(np.array([3.0, 1.0, 2.0, 4.0]), np.ones(4)) == 2.5
    assert weighted_median(np.array([3.0, 1.0, 2.0]), np.ones(3)) == 2.0


honest_prices = st.lists(st.floats(min_value=99.0, max_value=101.0), min_size=3, max_size=9)
bad_prices = st.lists(
    st.one_of(st.floats(min_value=0.01, max_value=1e6), st.just(99.0), st.just(101.0)), min_size=0, max_size=8
)


@given(honest_prices, bad_prices, st.data())
def test_a_bad_minority_never_moves_the_price_outside_the_honest_range(
    honest: list[float], bad: list[float], data: st.DataObject
) -> None:
    bad = bad[: len(honest) - 1]  # B <= H - 1 is B <= (N - 1) / 2 of N = H + B
    stale = data.draw(st.lists(st.booleans(), min_size=len(bad), max_size=len(bad)))
    quotes = [Quote(f"h{i}", "X", p, NOW_MS) for i, p in enumerate(honest)]
    quotes += [
        Quote(f"x{i}", "X", p, NOW_MS - (60_000 if s else 0)) for i, (p, s) in enumerate(zip(bad, stale, strict=True))
    ]
    result = aggregate(quotes, NOW_MS, AggregationParams(min_sources=1))
    if result.price is not None:
        assert min(honest) - 1e-9 <= result.price <= max(honest) + 1e-9


@given(st.floats(min_value=1.0, max_value=1e5), st.integers(min_value=1, max_value=6), bad_prices)
def test_identical_honest_sources_win_exactly(honest: float, honest_count: int, bad: list[float]) -> None:
    bad = bad[: honest_count - 1]
    quotes = [Quote(f"h{i}", "X", honest, NOW_MS) for i in range(honest_count)]
    quotes += [Quote(f"x{i}", "X", p, NOW_MS) for i, p in enumerate(bad)]
    assert aggregate(quotes, NOW_MS, AggregationParams(min_sources=1)).price == honest


def test_outlier_rule_cannot_push_the_price_out_of_the_honest_range() -> None:
    # honest sources 1% apart, two liars close to one of them: the MAD rule drops the two honest 100s,
    # and the median of what is left (99.0) would be a liar's price; the bound keeps 99.0625
    quotes = [q("h1", 100.0), q("h2", 100.0), q("h3", 99.0625), q("x1", 99.0), q("x2", 99.0)]
    result = aggregate(quotes, NOW_MS, AggregationParams(min_sources=1))
    assert result.price == 99.0625


quote_sets = st.lists(
    st.tuples(
        st.floats(min_value=50.0, max_value=150.0),
        st.integers(min_value=0, max_value=20_000),
        st.sampled_from([1.0, 2.0, 0.5]),
        st.floats(min_value=0.0, max_value=1.0),
    ),
    min_size=1,
    max_size=9,
)


@given(quote_sets, st.integers(min_value=1, max_value=4))
def test_numpy_aggregation_agrees_with_its_naive_twin(rows: list, min_sources: int) -> None:
    quotes = [Quote(f"s{i}", "X", price, NOW_MS - age, conf) for i, (price, age, _, conf) in enumerate(rows)]
    weights = {f"s{i}": weight for i, (_, _, weight, _) in enumerate(rows)}
    params = AggregationParams(min_sources=min_sources, max_deviation_bps=2_000.0)
    fast = aggregate(quotes, NOW_MS, params, weights, frozen_sources=["s3"])
    naive = naive_aggregate(quotes, NOW_MS, params, weights, frozen_sources=["s3"])
    assert fast.sources_used == naive.sources_used
    assert sorted(fast.dropped) == sorted(naive.dropped)
    if naive.price is None:
        assert fast.price is None
    else:
        assert fast.price == pytest.approx(naive.price, rel=1e-12)
        assert fast.conf == pytest.approx(naive.conf, rel=1e-9, abs=1e-12)
