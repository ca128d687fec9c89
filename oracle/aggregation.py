"""One price per underlying from many sources: drop stale, frozen and outlying quotes, take the
weighted median of the rest, and require a quorum.

Why a median: with N sources of equal weight, up to (N-1)/2 of them can be down, frozen or wild and
the result still lies between honest quotes; a mean would follow a single liar. Dropping outliers
first decides which sources count (for the quorum, the confidence and the report), but it can drop
honest sources that disagree among themselves; so the final price is held within the lower and upper
weighted median of all fresh quotes, which keeps that guarantee whatever the outlier rule did.
Pure numpy, time passed in.
"""

from collections.abc import Iterable, Mapping, Sequence

import msgspec
import numpy as np

from oracle.quote import Quote

MAD_TO_SIGMA = 1.4826  # scales a median absolute deviation to a standard deviation for normal data


class AggregationParams(msgspec.Struct, frozen=True):
    max_age_ms: int = 10_000  # older quotes are stale
    mad_k: float = 5.0  # drop quotes more than k (scaled) median absolute deviations from the median ...
    mad_floor_bps: float = 10.0  # ... where the band is never narrower than this (sources agreeing to
    # the cent would otherwise make any honest difference an outlier)
    max_deviation_bps: float = 500.0  # and drop anything further than this from the median, whatever the MAD
    min_sources: int = 1  # quorum: fewer fresh, sane quotes than this and there is no external price


class Aggregate(msgspec.Struct, frozen=True):
    price: float | None  # None when the quorum is not met
    conf: float  # +/- USD: the larger of the sources' own confidence and their disagreement
    sources_used: tuple[str, ...]
    dropped: tuple[tuple[str, str], ...]  # (source, reason): "stale", "frozen", "outlier"

    @property
    def has_quorum(self) -> bool:
        return self.price is not None


def weighted_median_bounds(prices: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """The lower and upper weighted medians: equal unless half the weight ends exactly at a price.
    Both lie within the honest quotes' range whenever the dishonest weight is under half."""
    order = np.argsort(prices, kind="stable")
    sorted_prices, sorted_weights = prices[order], weights[order]
    cumulative = np.cumsum(sorted_weights)
    half = float(cumulative[-1]) / 2.0
    i = min(int(np.searchsorted(cumulative, half, side="left")), len(sorted_prices) - 1)
    if abs(float(cumulative[i]) - half) <= 1e-12 * half and i + 1 < len(sorted_prices):  # np.isclose is slow
        return float(sorted_prices[i]), float(sorted_prices[i + 1])
    return float(sorted_prices[i]), float(sorted_prices[i])


def weighted_median(prices: np.ndarray, weights: np.ndarray) -> float:
    """The price where half the weight lies on each side; the midpoint of the two weighted medians
    when they differ, so equal weights give the textbook median."""
    low, high = weighted_median_bounds(prices, weights)
    return (low + high) / 2.0


def aggregate(
    quotes: Sequence[Quote],
    now_ms: int,
    params: AggregationParams,
    weights: Mapping[str, float] | None = None,
    frozen_sources: Iterable[str] = (),
) -> Aggregate:
    """Aggregate one underlying's quotes (at most one per source) as seen at `now_ms`."""
    frozen = set(frozen_sources)
    dropped: list[tuple[str, str]] = []
    fresh: list[Quote] = []
    for quote in sorted(quotes, key=lambda q: q.source):
        if now_ms - quote.publish_ms > params.max_age_ms:
            dropped.append((quote.source, "stale"))
        elif quote.source in frozen:
            dropped.append((quote.source, "frozen"))
        else:
            fresh.append(quote)
    if not fresh:
        return Aggregate(None, 0.0, (), tuple(dropped))
    prices = np.array([q.price for q in fresh], dtype=np.float64)
    weight = np.array([(weights or {}).get(q.source, 1.0) for q in fresh], dtype=np.float64)
    median = weighted_median(prices, weight)
    deviation = np.abs(prices - median)
    mad_band = max(params.mad_k * MAD_TO_SIGMA * float(np.median(deviation)), median * params.mad_floor_bps / 1e4)
    keep = (deviation <= mad_band) & (deviation <= median * params.max_deviation_bps / 1e4)
    dropped.extend((q.source, "outlier") for q, kept in zip(fresh, keep, strict=True) if not kept)
    used = [q for q, kept in zip(fresh, keep, strict=True) if kept]
    if len(used) < params.min_sources or not used:
        return Aggregate(None, 0.0, tuple(q.source for q in used), tuple(dropped))
    low, high = weighted_median_bounds(prices, weight)
    price = min(max(weighted_median(prices[keep], weight[keep]), low), high)
    spread = MAD_TO_SIGMA * float(np.median(np.abs(prices[keep] - price)))
    own_conf = weighted_median(np.array([q.conf for q in used]), weight[keep])
    return Aggregate(price, max(spread, own_conf), tuple(q.source for q in used), tuple(dropped))
