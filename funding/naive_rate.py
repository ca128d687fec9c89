"""The funding rate in plain Python, sample by sample and case by case: the obviously right twin of
rate.py (numpy sums, min/max clamps), for differential tests. Shares nothing with it but RateParams."""

from fractions import Fraction

from funding.rate import RateParams
from messages.funding_index import FundingRate


def naive_funding_rate(samples: list[tuple[int, int] | None], interval_ms: int, params: RateParams) -> FundingRate:
    """`samples` holds one entry per expected slot: (premium_ppb, multiplier_ppm), or None if missing."""
    present = [sample for sample in samples if sample is not None]
    count = len(present)
    mean = Fraction(sum(p for p, _ in present), count) if count else Fraction(0)
    coverage = Fraction(count, len(samples)) if samples else Fraction(0)
    premium_used = count > 0 and coverage >= Fraction(params.min_coverage_ppm, 1_000_000)
    premium = mean if premium_used else Fraction(0)
    interest = Fraction(params.interest_ppb_per_8h) * Fraction(interval_ms, 8 * 3600 * 1000)
    gap = interest - premium
    if gap > params.clamp_ppb:
        rate = premium + params.clamp_ppb
    elif gap < -params.clamp_ppb:
        rate = premium - params.clamp_ppb
    else:
        rate = interest
    if count:
        rate = rate * sum(m for _, m in present) / count / 1_000_000
    cap = Fraction(params.cap_ppb_per_hour) * Fraction(interval_ms, 3600 * 1000)
    capped = False
    if rate > cap:
        rate, capped = cap, True
    elif rate < -cap:
        rate, capped = -cap, True
    whole = rate.numerator // rate.denominator if rate >= 0 else -((-rate).numerator // rate.denominator)
    mean_whole = mean.numerator // mean.denominator if mean >= 0 else -((-mean).numerator // mean.denominator)
    return FundingRate(whole, mean_whole, count, len(samples), premium_used, capped)
