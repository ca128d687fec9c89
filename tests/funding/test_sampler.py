import numpy as np
import pytest

from funding.rate import RateParams, funding_rate
from funding.sampler import MarketObservation, PremiumSampler, Sample
from messages.enums import Side
from tests.funding.replay import Replay

FULL = 1_000_000


def deep_book() -> Replay:
    """AAPL (tick 0.01, lot 0.001, impact notional 10_000 USDC): asks 50 shares at 100.00 and 100 at
    100.10; bids 200 shares at 99.90."""
    replay = Replay()
    replay.place(1, 1, "AAPLUSDC", Side.SELL, 50_000, 10_000)
    replay.place(2, 1, "AAPLUSDC", Side.SELL, 100_000, 10_010)
    replay.place(3, 2, "AAPLUSDC", Side.BUY, 200_000, 9_990)
    return replay


def test_impact_prices_of_a_replayed_book():
    replay = deep_book()
    replay.price(4, "AAPLUSDC", 10_020)
    observation = replay.feed.observe("AAPLUSDC")
    # buying 10_000 USDC: 5_000 at 100.00 (50 shares) + 5_000 at 100.10 (49.95 shares) = 100.04998 -> up
    # selling 10_000 USDC into 99.90: exactly 99.90
    assert observation == MarketObservation(9_990, 10_005, 10_020)


def test_samples_of_a_replayed_book_follow_it():
    replay = deep_book()
    sampler = PremiumSampler()
    replay.price(4, "AAPLUSDC", 10_020)
    # the impact ask 100.05 is 15 ticks under the index 100.20: -15/10020 = -1_497_005.99 ppb -> toward zero
    assert sampler.record("AAPLUSDC", 5_000, replay.feed.observe("AAPLUSDC"), FULL) == Sample(5_000, -1_497_005, FULL)
    # bids pulled: a thin bid side exerts no pressure; the asks still do
    replay.cancel_all(6_000, 2, "AAPLUSDC")
    assert replay.feed.observe("AAPLUSDC").impact_bid_ticks is None
    assert sampler.record("AAPLUSDC", 10_000, replay.feed.observe("AAPLUSDC"), FULL).premium_ppb == -1_497_005
    # a buyer lifts the 100.00 asks: 100 shares at 100.10 still cover the notional; impact ask 100.10
    replay.place(11_000, 3, "AAPLUSDC", Side.BUY, 50_000, 10_000)
    assert sampler.record("AAPLUSDC", 15_000, replay.feed.observe("AAPLUSDC"), FULL).premium_ppb == -998_003
    # and then the asks too thin: no pressure from either side
    replay.place(16_000, 3, "AAPLUSDC", Side.BUY, 60_000, 10_010)
    assert replay.feed.observe("AAPLUSDC") == MarketObservation(None, None, 10_020)
    assert sampler.record("AAPLUSDC", 20_000, replay.feed.observe("AAPLUSDC"), FULL).premium_ppb == 0
    assert [s.slot_ms for s in sampler.samples["AAPLUSDC"].values()] == [5_000, 10_000, 15_000, 20_000]


def test_one_sample_per_slot_the_first_one_kept():
    sampler = PremiumSampler(5_000)
    first = MarketObservation(10_010, 10_020, 10_000)
    assert sampler.record("AAPLUSDC", 5_001, first, FULL) == Sample(5_000, 1_000_000, FULL)
    assert sampler.record("AAPLUSDC", 9_999, MarketObservation(9_000, 9_100, 10_000), FULL) is None
    assert sampler.latest("AAPLUSDC") == Sample(5_000, 1_000_000, FULL)
    assert sampler.record("AAPLUSDC", 10_000, first, 500_000) == Sample(10_000, 1_000_000, 500_000)


def test_nothing_to_sample_leaves_the_slot_missing():
    sampler = PremiumSampler(5_000)
    assert sampler.record("AAPLUSDC", 0, None, FULL) is None  # unknown or halted market
    assert sampler.record("AAPLUSDC", 5_000, MarketObservation(10_010, 10_020, 0), FULL) is None  # no index yet
    assert sampler.latest("AAPLUSDC") is None
    window = sampler.interval_samples("AAPLUSDC", 0, 10_000)
    assert not window.present.any()


def test_an_interval_lays_out_every_slot_present_or_not():
    sampler = PremiumSampler(5_000)
    for t_ms, bid in [(0, 10_010), (10_000, 10_020), (25_000, 10_030), (30_000, 10_040), (-5_000, 10_050)]:
        sampler.record("AAPLUSDC", t_ms, MarketObservation(bid, bid + 10, 10_000), FULL)
    window = sampler.interval_samples("AAPLUSDC", 0, 30_000)  # [0, 30 s): 6 slots; -5 s and 30 s are outside
    assert window.present.tolist() == [True, False, True, False, False, True]
    assert window.premium_ppb.tolist() == [1_000_000, 0, 2_000_000, 0, 0, 3_000_000]
    assert window.multiplier_ppm.tolist() == [FULL, 0, FULL, 0, 0, FULL]
    with pytest.raises(ValueError):
        sampler.interval_samples("AAPLUSDC", 1, 30_000)


def test_mean_over_an_interval_with_missing_samples_from_a_replayed_book():
    """A one-minute interval of 12 slots: the book moves, the sampler misses 4 slots (process
    paused); the rate is the mean of the 8 samples present, not of 12 with zeros."""
    replay = deep_book()
    replay.price(1_000, "AAPLUSDC", 10_020)  # premium -1_497_005 (see above)
    sampler = PremiumSampler(5_000)
    for t_ms in (0, 5_000, 10_000, 15_000):
        sampler.record("AAPLUSDC", t_ms, replay.feed.observe("AAPLUSDC"), FULL)
    replay.price(20_000, "AAPLUSDC", 9_970)  # impact bid 99.90 is 20 ticks over: +20/9970 = +2_006_018
    for t_ms in (20_000, 25_000, 45_000, 50_000):  # 30, 35, 40 and 55 s missed
        sampler.record("AAPLUSDC", t_ms, replay.feed.observe("AAPLUSDC"), FULL)
    window = sampler.interval_samples("AAPLUSDC", 0, 60_000)
    assert int(window.present.sum()) == 8
    result = funding_rate(window.premium_ppb, window.present, window.multiplier_ppm, 60_000, RateParams())
    mean = (4 * -1_497_005 + 4 * 2_006_018) / 8  # 254_506.5
    assert result.mean_premium_ppb == int(mean) == 254_506
    # interest for one minute: 100_000 / 480 = 208.33; interest - P inside the clamp: the interest rate
    assert result.rate_ppb == 208
    as_zeros = np.where(window.present, window.premium_ppb, 0).sum() // 12
    assert as_zeros != result.mean_premium_ppb


def test_forget_before_drops_settled_slots():
    sampler = PremiumSampler(5_000)
    for t_ms in range(0, 30_000, 5_000):
        sampler.record("AAPLUSDC", t_ms, MarketObservation(10_010, 10_020, 10_000), FULL)
    sampler.forget_before("AAPLUSDC", 15_000)
    assert sorted(sampler.samples["AAPLUSDC"]) == [15_000, 20_000, 25_000]
