"""Premium samples: one per market per sample slot (every 5 s by default), kept until settled.

Slots are aligned to the epoch like the funding intervals (a slot is [slot_ms, slot_ms + step)), and
the first observation in a slot is the one kept, so that a late or repeated tick changes nothing. A
slot nobody sampled - the process was down, the market unknown or halted, no index price yet - is
missing, not zero: `interval_samples` reports it as absent and the rate formula decides what absence
means (rate.py: the mean runs over present samples, with a minimum coverage).
"""

from typing import Protocol

import msgspec
import numpy as np
import numpy.typing as npt

from funding.premium import premium_ppb
from matching.book import OrderBook
from messages.enums import MarketSession, PriceSource
from messages.market_spec import MarketSpec


class MarketObservation(msgspec.Struct, frozen=True):
    """What the sampler sees of one market at one moment. Impact prices are None on a thin side;
    `index_price_ticks` is 0 until the oracle's first price."""

    impact_bid_ticks: int | None
    impact_ask_ticks: int | None
    index_price_ticks: int
    session: MarketSession = MarketSession.REGULAR
    index_source: PriceSource = PriceSource.EXTERNAL


class BookSource(Protocol):
    """Anything that can show the sampler the listed markets and each one's book and index now
    (stream_source.StreamBookSource does, from the shared views)."""

    def market_specs(self) -> list[MarketSpec]:
        """The markets to sample, in symbol order."""
        ...

    def observe(self, market: str) -> MarketObservation | None:
        """The market now; None when it cannot be sampled."""
        ...


def observe_book(
    book: OrderBook,
    spec: MarketSpec,
    index_price_ticks: int,
    session: MarketSession = MarketSession.REGULAR,
    index_source: PriceSource = PriceSource.EXTERNAL,
) -> MarketObservation:
    """Impact prices of `spec.impact_notional_micro` on each side of a real book: the impact bid
    sells into the bids, the impact ask buys from the asks (rounded against the taker by the book)."""
    notional, per_tick_lot = spec.impact_notional_micro, spec.micro_per_tick_lot
    return MarketObservation(
        book.impact_price_ticks(False, notional, per_tick_lot),
        book.impact_price_ticks(True, notional, per_tick_lot),
        index_price_ticks,
        session,
        index_source,
    )


class Sample(msgspec.Struct, frozen=True, array_like=True):
    slot_ms: int
    premium_ppb: int
    multiplier_ppm: int


class IntervalSamples(msgspec.Struct, frozen=True):
    """The samples of [start_ms, end_ms) laid out slot by slot, ready for rate.funding_rate."""

    start_ms: int
    end_ms: int
    premium_ppb: npt.NDArray[np.int64]
    present: npt.NDArray[np.bool_]
    multiplier_ppm: npt.NDArray[np.int64]


class PremiumSampler:
    """Samples per market, keyed by slot."""

    def __init__(self, sample_interval_ms: int = 5_000) -> None:
        if sample_interval_ms <= 0:
            raise ValueError("sample interval must be positive")
        self.sample_interval_ms = sample_interval_ms
        self.samples: dict[str, dict[int, Sample]] = {}

    def slot_of(self, t_ms: int) -> int:
        return t_ms - t_ms % self.sample_interval_ms

    def record(
        self, market: str, now_ms: int, observation: MarketObservation | None, multiplier_ppm: int
    ) -> Sample | None:
        """Keep a sample of `observation` for the slot holding `now_ms`, unless that slot already has
        one or there is nothing to sample (no observation, no index price). Returns what was kept."""
        if observation is None or observation.index_price_ticks <= 0:
            return None
        slot_ms = self.slot_of(now_ms)
        by_slot = self.samples.setdefault(market, {})
        if slot_ms in by_slot:
            return None
        premium = premium_ppb(observation.impact_bid_ticks, observation.impact_ask_ticks, observation.index_price_ticks)
        sample = Sample(slot_ms, premium, multiplier_ppm)
        by_slot[slot_ms] = sample
        return sample

    def latest(self, market: str) -> Sample | None:
        by_slot = self.samples.get(market)
        if not by_slot:
            return None
        return by_slot[max(by_slot)]

    def interval_samples(self, market: str, start_ms: int, end_ms: int) -> IntervalSamples:
        """Every slot of [start_ms, end_ms), present or not. Both ends must lie on slot boundaries."""
        step = self.sample_interval_ms
        if start_ms % step or end_ms % step or end_ms < start_ms:
            raise ValueError("interval ends must be slot boundaries, in order")
        count = (end_ms - start_ms) // step
        premium = np.zeros(count, dtype=np.int64)
        present = np.zeros(count, dtype=np.bool_)
        multiplier = np.zeros(count, dtype=np.int64)
        by_slot = self.samples.get(market, {})
        for slot_ms in sorted(by_slot):
            if start_ms <= slot_ms < end_ms:
                i = (slot_ms - start_ms) // step
                sample = by_slot[slot_ms]
                premium[i], present[i], multiplier[i] = sample.premium_ppb, True, sample.multiplier_ppm
        return IntervalSamples(start_ms, end_ms, premium, present, multiplier)

    def forget_before(self, market: str, t_ms: int) -> None:
        """Drop samples of slots before `t_ms` (their interval is settled)."""
        by_slot = self.samples.get(market)
        if by_slot:
            for slot_ms in [s for s in by_slot if s < t_ms]:
                del by_slot[slot_ms]
