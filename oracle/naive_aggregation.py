"""The obviously right twin of aggregation.py: plain Python, no numpy, one loop per rule.

Slow and simple on purpose: tests run both on generated quotes and require the same answer.
"""

import statistics
from collections.abc import Mapping, Sequence

from oracle.aggregation import MAD_TO_SIGMA, Aggregate, AggregationParams
from oracle.quote import Quote


def naive_weighted_median_bounds(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    """Walk the (price, weight) pairs upward until half the weight is behind."""
    pairs = sorted(pairs, key=lambda pair: pair[0])
    total = sum(weight for _, weight in pairs)
    behind = 0.0
    for i, (price, weight) in enumerate(pairs):
        behind += weight
        if abs(behind - total / 2) <= 1e-12 * (total / 2) and i + 1 < len(pairs):
            return price, pairs[i + 1][0]
        if behind > total / 2:
            return price, price
    return pairs[-1][0], pairs[-1][0]


def naive_aggregate(
    quotes: Sequence[Quote],
    now_ms: int,
    params: AggregationParams,
    weights: Mapping[str, float] | None = None,
    frozen_sources: Sequence[str] = (),
) -> Aggregate:
    weight_of = dict(weights or {})
    dropped: list[tuple[str, str]] = []
    fresh = []
    for quote in sorted(quotes, key=lambda q: q.source):
        if now_ms - quote.publish_ms > params.max_age_ms:
            dropped.append((quote.source, "stale"))
        elif quote.source in frozen_sources:
            dropped.append((quote.source, "frozen"))
        else:
            fresh.append(quote)
    if not fresh:
        return Aggregate(None, 0.0, (), tuple(dropped))
    pairs = [(q.price, weight_of.get(q.source, 1.0)) for q in fresh]
    median = sum(naive_weighted_median_bounds(pairs)) / 2
    mad = statistics.median(abs(q.price - median) for q in fresh)
    band = max(params.mad_k * MAD_TO_SIGMA * mad, median * params.mad_floor_bps / 1e4)
    limit = median * params.max_deviation_bps / 1e4
    used = []
    for quote in fresh:
        deviation = abs(quote.price - median)
        if deviation <= band and deviation <= limit:
            used.append(quote)
        else:
            dropped.append((quote.source, "outlier"))
    if len(used) < params.min_sources or not used:
        return Aggregate(None, 0.0, tuple(q.source for q in used), tuple(dropped))
    low, high = naive_weighted_median_bounds(pairs)
    kept = sum(naive_weighted_median_bounds([(q.price, weight_of.get(q.source, 1.0)) for q in used])) / 2
    price = min(max(kept, low), high)
    spread = MAD_TO_SIGMA * statistics.median(abs(q.price - price) for q in used)
    conf_pairs = [(q.conf, weight_of.get(q.source, 1.0)) for q in used]
    own_conf = sum(naive_weighted_median_bounds(conf_pairs)) / 2
    return Aggregate(price, max(spread, own_conf), tuple(q.source for q in used), tuple(dropped))
