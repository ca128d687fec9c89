"""The funding rate of one interval from its premium samples:

    F = mean(P) + clamp(interest - mean(P), -clamp, +clamp),  then  x mean(multiplier),  then  capped

`interest` is 0.01% per 8 hours scaled to the interval's length; `clamp` is 0.05% whatever the
interval (as Binance applies it to its 1 h and 4 h contracts: the premium is a price distance, not a
per-hour quantity); the cap is +-4% per hour scaled to the interval. The mean runs over the samples
present only (missing ones carry no information); when fewer than `min_coverage_ppm` of the expected
samples are present the premium is treated as 0, so that an interval mostly unobserved pays the
interest rate rather than whatever a few samples said.

numpy sums the samples (exactly: int64, bounded below); the formula itself is then evaluated in exact
fractions and the result truncated toward zero, so the integer `rate_ppb` handed to the engine never
exceeds the formula's value in magnitude. `naive_rate.py` is the plain-Python twin.
"""

from fractions import Fraction

import msgspec
import numpy as np
import numpy.typing as npt

from funding.multiplier import ONE_PPM
from messages.funding_index import FundingRate

HOUR_MS = 3_600_000
EIGHT_HOURS_MS = 8 * HOUR_MS
MAX_ABS_PREMIUM_PPB = 10**12  # 1000x the index: far beyond any real book, keeps int64 sums exact


class RateParams(msgspec.Struct, frozen=True):
    interest_ppb_per_8h: int = 100_000  # 0.01%
    clamp_ppb: int = 500_000  # 0.05%
    cap_ppb_per_hour: int = 40_000_000  # 4%
    min_coverage_ppm: int = 500_000  # at least half the expected samples, or the premium counts as 0

    def interest_ppb(self, interval_ms: int) -> Fraction:
        return Fraction(self.interest_ppb_per_8h * interval_ms, EIGHT_HOURS_MS)

    def cap_ppb(self, interval_ms: int) -> Fraction:
        return Fraction(self.cap_ppb_per_hour * interval_ms, HOUR_MS)


def funding_rate(
    premium_ppb: npt.NDArray[np.int64],
    present: npt.NDArray[np.bool_],
    multiplier_ppm: npt.NDArray[np.int64],
    interval_ms: int,
    params: RateParams,
) -> FundingRate:
    """The rate of an interval whose expected sample slots are the arrays' positions; `present`
    marks the slots actually sampled (the other entries are ignored)."""
    expected = len(present)
    if not len(premium_ppb) == len(multiplier_ppm) == expected:
        raise ValueError("premium, present and multiplier arrays must have the same length")
    taken = premium_ppb[present]
    if taken.size and int(np.abs(taken).max()) > MAX_ABS_PREMIUM_PPB:
        raise ValueError("premium sample out of range")
    count = int(taken.size)
    premium_sum = int(taken.sum(dtype=np.int64))
    multiplier_sum = int(multiplier_ppm[present].sum(dtype=np.int64))
    return rate_from_sums(premium_sum, multiplier_sum, count, expected, interval_ms, params)


def rate_from_sums(
    premium_sum_ppb: int, multiplier_sum_ppm: int, count: int, expected: int, interval_ms: int, params: RateParams
) -> FundingRate:
    """The exact part of the formula, shared by the numpy path and the naive twin."""
    mean = Fraction(premium_sum_ppb, count) if count else Fraction(0)
    premium_used = count > 0 and count * ONE_PPM >= params.min_coverage_ppm * expected
    premium = mean if premium_used else Fraction(0)
    interest = params.interest_ppb(interval_ms)
    clamp = params.clamp_ppb
    rate = premium + min(max(interest - premium, -clamp), clamp)
    if count:
        rate *= Fraction(multiplier_sum_ppm, count * ONE_PPM)
    cap = params.cap_ppb(interval_ms)
    capped = abs(rate) > cap
    rate = min(max(rate, -cap), cap)
    return FundingRate(int(rate), int(mean), count, expected, premium_used, capped)
