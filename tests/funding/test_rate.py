from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funding.naive_rate import naive_funding_rate
from funding.rate import FundingRate, RateParams, funding_rate

H = 3_600_000
PARAMS = RateParams()  # interest 0.01%/8h, clamp 0.05%, cap 4%/h, coverage 50%


def rate_of(samples: list[tuple[int, int] | None], interval_ms: int = H, params: RateParams = PARAMS) -> FundingRate:
    premium = np.array([s[0] if s else 0 for s in samples], dtype=np.int64)
    present = np.array([s is not None for s in samples], dtype=np.bool_)
    multiplier = np.array([s[1] if s else 0 for s in samples], dtype=np.int64)
    return funding_rate(premium, present, multiplier, interval_ms, params)


FULL = 1_000_000

# Hourly interval: interest 0.01% / 8 = 12_500 ppb, clamp 500_000 ppb, cap 40_000_000 ppb.
HOURLY_TABLE = [
    # premium samples (ppb), rate ppb, why
    ([0, 0, 0, 0], 12_500, "no premium: the interest rate"),
    ([100_000, 100_000], 12_500, "premium within the clamp of the interest: the interest rate"),
    ([-400_000, -400_000], 12_500, "interest - P = 412_500, inside the clamp: still the interest rate"),
    ([600_000, 600_000], 100_000, "interest - P = -587_500 clamps to -500_000: P - 0.05%"),
    ([500_000, 700_000], 100_000, "the mean is what counts: 600_000"),
    ([-1_000_000], -500_000, "interest - P = 1_012_500 clamps to +500_000: P + 0.05%"),
    ([512_500], 12_500, "exactly at the clamp's edge"),
    ([512_501], 12_501, "one ppb past the edge"),
    ([50_000_000], 40_000_000, "5% premium: 4.95% capped at 4%/h"),
    ([-60_000_000], -40_000_000, "negative cap"),
    ([1, 2], 12_500, "mean 1.5 ppb: inside the clamp"),
]


@pytest.mark.parametrize(("premiums", "expected", "why"), HOURLY_TABLE)
def test_hourly_rate_table(premiums, expected, why):
    assert rate_of([(p, FULL) for p in premiums]).rate_ppb == expected, why


INTERVAL_TABLE = [
    # interval, premium, rate, why
    (8 * H, 0, 100_000, "8 h interval: the full 0.01% interest"),
    (4 * H, 0, 50_000, "4 h: half of it"),
    (H // 2, 0, 6_250, "30 min: 1/16"),
    (20 * 60_000, 0, 4_166, "20 min: 4166.67 rounded toward zero"),
    (H // 2, 30_000_000, 20_000_000, "30 min: the 4%/h cap is 2%"),
    (8 * H, 400_000_000, 320_000_000, "8 h: the cap is 32%"),
    (8 * H, 600_000, 100_000, "8 h: P = 0.06% - interest 0.01% = -0.05%, inside: the interest rate"),
    (8 * H, 700_000, 200_000, "8 h: 0.07% - 0.05%"),
]


@pytest.mark.parametrize(("interval_ms", "premium", "expected", "why"), INTERVAL_TABLE)
def test_interest_and_cap_scale_with_the_interval(interval_ms, premium, expected, why):
    assert rate_of([(premium, FULL)] * 4, interval_ms).rate_ppb == expected, why


def test_multiplier_damps_the_whole_rate():
    assert rate_of([(600_000, 500_000)] * 4).rate_ppb == 50_000
    assert rate_of([(0, 0)] * 4).rate_ppb == 0  # a zero multiplier switches funding off


def test_mixed_multipliers_average_over_the_samples_present():
    # half the interval with an internal index (x0.5), half external (x1): x0.75 of 100_000
    samples = [(600_000, 500_000), (600_000, 1_000_000), None, None]
    assert rate_of(samples).rate_ppb == 75_000


def test_negative_fractions_round_toward_zero():
    # -500_000 x 1/3 = -166_666.67 -> -166_666 (a payer never pays more than the formula)
    assert rate_of([(-1_000_000, 333_333)] * 3).rate_ppb == -166_666
    assert rate_of([(-1_000_000, 333_334)] * 3).rate_ppb == -166_667


def test_mean_over_an_interval_with_missing_samples():
    # 12 slots, 8 sampled: the mean is over the 8 present, missing slots are not zeros
    samples = [(900_000, FULL), None, (700_000, FULL), (800_000, FULL), None, None]
    samples += [(600_000, FULL), (800_000, FULL), (900_000, FULL), None, (700_000, FULL), (1_000_000, FULL)]
    result = rate_of(samples)
    assert (result.samples_present, result.samples_expected) == (8, 12)
    assert result.mean_premium_ppb == 800_000  # 6_400_000 / 8
    assert result.premium_used
    assert result.rate_ppb == 300_000  # 800_000 - 500_000; had missing counted as 0: 533_333 - 500_000


def test_too_few_samples_pay_the_interest_rate():
    # 5 of 12 slots (< 50%): the premium counts as 0 whatever those samples said
    samples = [(5_000_000, FULL)] * 5 + [None] * 7
    result = rate_of(samples)
    assert not result.premium_used
    assert result.mean_premium_ppb == 5_000_000
    assert result.rate_ppb == 12_500
    # 6 of 12 is enough
    assert rate_of([(5_000_000, FULL)] * 6 + [None] * 6).rate_ppb == 4_500_000


def test_no_samples_at_all_pay_the_interest_rate_at_full_strength():
    result = rate_of([None] * 720)
    assert result == FundingRate(12_500, 0, 0, 720, False, False)


def test_the_cap_is_reported():
    assert rate_of([(50_000_000, FULL)]).capped
    assert not rate_of([(5_000_000, FULL)]).capped


def test_arrays_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="same length"):
        funding_rate(np.zeros(3, np.int64), np.ones(2, np.bool_), np.zeros(3, np.int64), H, PARAMS)


def test_absurd_premiums_are_refused_rather_than_overflowing():
    with pytest.raises(ValueError, match="out of range"):
        rate_of([(10**13, FULL)])


# -- properties ----------------------------------------------------------------------------------

sample = st.one_of(
    st.none(),
    st.tuples(st.integers(-2_000_000_000, 2_000_000_000), st.integers(0, 1_000_000)),
)
samples_lists = st.lists(sample, min_size=1, max_size=60)
intervals = st.sampled_from([60_000, 20 * 60_000, H, 4 * H, 8 * H])
params_st = st.builds(
    RateParams,
    interest_ppb_per_8h=st.integers(-200_000, 200_000),
    clamp_ppb=st.integers(0, 2_000_000),
    cap_ppb_per_hour=st.integers(0, 100_000_000),
    min_coverage_ppm=st.integers(0, 1_000_000),
)


@settings(max_examples=300, deadline=None)
@given(samples_lists, intervals, params_st)
def test_numpy_rate_agrees_with_the_naive_twin(samples, interval_ms, params):
    assert rate_of(samples, interval_ms, params) == naive_funding_rate(samples, interval_ms, params)


@settings(max_examples=300, deadline=None)
@given(samples_lists, intervals, params_st)
def test_rate_never_exceeds_the_cap(samples, interval_ms, params):
    cap = Fraction(params.cap_ppb_per_hour * interval_ms, H)
    assert abs(rate_of(samples, interval_ms, params).rate_ppb) <= cap


@settings(max_examples=200, deadline=None)
@given(samples_lists, intervals, st.data())
def test_a_higher_premium_never_lowers_the_rate(samples, interval_ms, data):
    present = [i for i, s in enumerate(samples) if s is not None]
    if not present:
        return
    i = data.draw(st.sampled_from(present))
    raised = list(samples)
    premium, multiplier = samples[i]
    raised[i] = (premium + data.draw(st.integers(1, 10**9)), multiplier)
    assert rate_of(raised, interval_ms).rate_ppb >= rate_of(samples, interval_ms).rate_ppb


@settings(max_examples=200, deadline=None)
@given(st.integers(-487_500, 512_500), st.integers(1, 50))
def test_a_premium_within_the_clamp_of_interest_pays_exactly_interest(premium, count):
    assert rate_of([(premium, FULL)] * count).rate_ppb == 12_500
