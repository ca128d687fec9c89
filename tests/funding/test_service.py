"""The service over simulated hours: a replayed book, a real Engine receiving the settlements, the
clock passed to `step`. Restarts are new service objects over the same ledger and feed."""

import random

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funding.config import FundingConfig
from funding.service import FundingService
from funding.settlement import MemoryLedger, SettledFunding, settlement_command_id
from messages.commands import Command, FundingSettle, ListMarket
from messages.enums import MarketSession, PriceSource, Side
from tests.funding.replay import SPECS, Replay

H = 3_600_000
T0 = 490_000 * H  # 2025-11-24 16:00 UTC, on an hour
STEP = 5_000


class Exchange:
    """Engine + book feed, with a ledger whose appends go to the engine like the command stream."""

    def __init__(self) -> None:
        self.replay = Replay()
        self.sent: list[FundingSettle] = []
        self.ledger = MemoryLedger(self.send)
        # AAPL: asks 50 @ 100.00 and 100 @ 100.10, bids 200 @ 99.90; index 100.20: premium -1_497_005
        self.replay.place(T0 - 10, 1, "AAPLUSDC", Side.SELL, 50_000, 10_000)
        self.replay.place(T0 - 9, 1, "AAPLUSDC", Side.SELL, 100_000, 10_010)
        self.replay.place(T0 - 8, 2, "AAPLUSDC", Side.BUY, 200_000, 9_990)
        self.replay.price(T0 - 7, "AAPLUSDC", 10_020)
        # NVDA: a tight deep book around its index 200.00: premium 0
        self.replay.place(T0 - 6, 1, "NVDAUSDC", Side.SELL, 1_000_000, 20_001)
        self.replay.place(T0 - 5, 2, "NVDAUSDC", Side.BUY, 1_000_000, 19_999)
        self.replay.price(T0 - 4, "NVDAUSDC", 20_000)

    def send(self, command: Command) -> None:
        assert isinstance(command, FundingSettle)
        self.sent.append(command)
        self.replay.apply(command)

    def service(self) -> FundingService:
        return FundingService(self.replay.feed, self.ledger, FundingConfig())

    def sent_ids(self) -> list[str]:
        return [c.command_id for c in self.sent]


def run(service: FundingService, start_ms: int, end_ms: int, offset_ms: int = 0) -> list[FundingSettle]:
    appended = []
    for t in range(start_ms + offset_ms, end_ms, STEP):
        appended += service.step(t)
    return appended


def expected_ids(*hours: int) -> list[str]:
    return [settlement_command_id(m, T0 + h * H) for h in hours for m in ("AAPLUSDC", "NVDAUSDC")]


def test_hourly_settlement_end_to_end():
    exchange = Exchange()
    service = exchange.service()
    run(service, T0, T0 + H + STEP)
    # AAPL: F = P + clamp(interest - P) = -1_497_005 + 500_000; NVDA: premium 0, the interest 12_500
    assert exchange.sent == [
        FundingSettle(settlement_command_id("AAPLUSDC", T0 + H), T0 + H, "AAPLUSDC", T0 + H, -997_005),
        FundingSettle(settlement_command_id("NVDAUSDC", T0 + H), T0 + H, "NVDAUSDC", T0 + H, 12_500),
    ]
    # second hour: the underlying closes and AAPL's index turns internal at the half hour (x0.5 there)
    for t in range(T0 + H + STEP, T0 + 2 * H + STEP, STEP):
        if t == T0 + H + 30 * 60_000:
            exchange.replay.price(
                t, "AAPLUSDC", 10_020, session=MarketSession.CLOSED, index_source=PriceSource.INTERNAL
            )
        service.step(t)
    # half the samples at x1, half at x0.5: x0.75 of -997_005 = -747_753.75, toward zero
    assert exchange.sent[-2].rate_ppb == -747_753
    assert exchange.ledger.history("AAPLUSDC", 5) == [
        SettledFunding(T0 + 2 * H, -747_753),
        SettledFunding(T0 + H, -997_005),
    ]
    assert exchange.sent_ids() == expected_ids(1, 2)
    assert service.last_rates["AAPLUSDC"].samples_present == 720


@pytest.mark.parametrize(
    "crash_ms",
    [T0 + H - STEP, T0 + H, T0 + H + STEP, T0 + 90 * 60_000, T0 + 2 * H - 1, T0 + 2 * H, T0 + 2 * H + 1],
)
def test_exactly_once_across_a_restart(crash_ms):
    """The service dies at `crash_ms` (the step there ran or not, both ways around a boundary);
    a new one, with nothing in memory, takes over at once. Each boundary is appended once."""
    exchange = Exchange()
    first = exchange.service()
    before = run(first, T0, crash_ms)
    if crash_ms % STEP == 0:
        before += first.step(crash_ms)  # the step at the crash ran and the process died after it
    after = run(exchange.service(), crash_ms, T0 + 3 * H + STEP)
    ids = exchange.sent_ids()
    assert sorted(ids) == sorted(expected_ids(1, 2, 3))
    assert len(before) + len(after) == len(ids)


def test_a_restart_before_the_first_boundary_still_settles_it():
    """The mark set when the market was first watched survives the restart: the interval the dead
    instance watched is charged, from the samples the new one has (here: few, so the interest)."""
    exchange = Exchange()
    run(exchange.service(), T0, T0 + H - 10 * STEP)
    run(exchange.service(), T0 + H, T0 + H + STEP)
    assert exchange.sent_ids() == expected_ids(1)
    assert [c.rate_ppb for c in exchange.sent] == [12_500, 12_500]


def test_a_fresh_start_charges_from_the_first_interval_it_watched():
    """Started at 16:30: the 17:00 boundary settles (half its interval watched: coverage is met),
    16:00 and before do not, nobody having watched them."""
    exchange = Exchange()
    run(exchange.service(), T0 + 30 * 60_000, T0 + 2 * H + STEP)
    assert exchange.sent_ids() == expected_ids(1, 2)
    assert [c.rate_ppb for c in exchange.sent if c.market == "AAPLUSDC"] == [-997_005, -997_005]


def test_restart_after_missing_most_of_an_interval_pays_the_interest_rate():
    exchange = Exchange()
    run(exchange.service(), T0, T0 + H + 55 * 60_000)  # dies 5 minutes before 2 h
    late = exchange.service()
    late.step(T0 + 2 * H + 3_000)  # back 3 s after the boundary: the interval has no samples in memory
    aapl = [c for c in exchange.sent if c.market == "AAPLUSDC"]
    assert [(c.funding_time_ms, c.rate_ppb) for c in aapl] == [(T0 + H, -997_005), (T0 + 2 * H, 12_500)]
    assert not late.last_rates["AAPLUSDC"].premium_used


def test_restart_with_half_an_interval_still_uses_the_premium():
    exchange = Exchange()
    run(exchange.service(), T0, T0 + H + 10 * 60_000)
    run(exchange.service(), T0 + H + 30 * 60_000, T0 + 2 * H + STEP)
    assert [c.rate_ppb for c in exchange.sent if c.market == "AAPLUSDC"] == [-997_005, -997_005]


def test_two_instances_racing_append_each_boundary_once():
    exchange = Exchange()
    first, second = exchange.service(), exchange.service()
    rng = random.Random(7)
    won = {id(first): 0, id(second): 0}
    for t in range(T0, T0 + 4 * H + STEP, STEP):
        pair = [(first, t), (second, t + rng.randint(0, 4_000))]
        rng.shuffle(pair)
        for service, now in pair:
            won[id(service)] += len(service.step(now))
    assert exchange.sent_ids() == expected_ids(1, 2, 3, 4)
    assert won[id(first)] > 0 and won[id(second)] > 0, "both instances won some boundaries"
    assert won[id(first)] + won[id(second)] == 8


def test_a_late_second_instance_settles_nothing_twice():
    exchange = Exchange()
    first = exchange.service()
    run(first, T0, T0 + H + 20 * 60_000)
    second = exchange.service()
    for t in range(T0 + H + 20 * 60_000, T0 + 3 * H + STEP, STEP):
        first.step(t)
        second.step(t + 1)
    assert exchange.sent_ids() == expected_ids(1, 2, 3)


def test_the_loop_reads_time_only_through_the_seam_and_wakes_each_slot():
    """A simulated clock that moves only when the loop sleeps (plus 300 ms of work per step): the
    loop wakes at every slot, and crossing the boundary settles it."""
    exchange = Exchange()
    service = exchange.service()
    clock = {"ms": T0 + H - 2 * STEP + 700}
    woke: list[int] = []
    slept: list[float] = []

    def now() -> int:
        return clock["ms"]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock["ms"] += round(seconds * 1000)

    def work() -> None:
        woke.append(clock["ms"])
        clock["ms"] += 300

    service.run(now, sleep, lambda: len(woke) >= 5, before_step=work)
    assert woke == [T0 + H - 2 * STEP + 700, T0 + H - STEP, T0 + H, T0 + H + STEP, T0 + H + 2 * STEP]
    assert slept == [4.0, 4.7, 4.7, 4.7, 4.7]
    assert exchange.sent_ids() == expected_ids(1)


def test_a_market_without_an_index_is_passed_over_until_priced():
    """No index, no samples: nothing to charge interest on, so 17:00 is passed over; priced at 17:30,
    the market settles 18:00 from the half interval it was sampled."""
    exchange = Exchange()
    exchange.replay.apply(ListMarket("list-tsla", T0 - 3, next(s for s in SPECS if s.symbol == "TSLAUSDC")))
    service = exchange.service()
    run(service, T0, T0 + H + 30 * 60_000)
    exchange.replay.price(T0 + H + 30 * 60_000, "TSLAUSDC", 40_000)
    run(service, T0 + H + 30 * 60_000, T0 + 2 * H + STEP)
    tsla = [(c.funding_time_ms, c.rate_ppb) for c in exchange.sent if c.market == "TSLAUSDC"]
    assert tsla == [(T0 + 2 * H, 12_500)]
    assert exchange.ledger.last_settled_ms("TSLAUSDC") == T0 + 2 * H


def test_an_instance_that_always_loses_the_race_keeps_no_stale_samples():
    exchange = Exchange()
    winner, loser = exchange.service(), exchange.service()
    for t in range(T0, T0 + 5 * H + STEP, STEP):
        winner.step(t)
        assert loser.step(t) == []
    assert exchange.sent_ids() == expected_ids(1, 2, 3, 4, 5)
    for market in ("AAPLUSDC", "NVDAUSDC"):
        assert min(loser.sampler.samples[market]) == T0 + 5 * H, "only the running interval's samples are kept"


def test_a_market_the_configuration_cannot_fund_is_set_aside_not_fatal():
    """A listing whose interval is not a whole number of sample slots (3601 s against 5 s) is
    reported and skipped; every other market keeps its funding."""
    exchange = Exchange()
    odd = msgspec.structs.replace(
        next(s for s in SPECS if s.symbol == "TSLAUSDC"), symbol="ODDUSDC", funding_interval_s=3_601
    )
    exchange.replay.apply(ListMarket("list-odd", T0 - 3, odd))
    service = exchange.service()
    run(service, T0, T0 + H + STEP)
    assert exchange.sent_ids() == expected_ids(1)
    assert service.unusable == {
        "ODDUSDC": "ODDUSDC: funding interval must be a positive multiple of the sample interval"
    }


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 3), st.randoms(use_true_random=False), st.floats(0.0, 0.1), st.floats(0.3, 1.0))
def test_any_schedule_of_steps_crashes_and_rivals_settles_each_boundary_once(instances, rng, crash_p, step_p):
    """Up to three instances over six hours, each minute each one stepping at a random second, idle,
    or dying and coming back empty: every boundary is appended exactly once, none skipped."""
    exchange = Exchange()
    services = [exchange.service() for _ in range(instances)]
    for service in services:
        service.step(T0)
    for minute in range(1, 6 * 60):
        for i in range(instances):
            roll = rng.random()
            if roll < crash_p:
                services[i] = exchange.service()  # a crash: nothing in memory survives
            elif roll < crash_p + step_p:
                services[i].step(T0 + minute * 60_000 + rng.randrange(60_000))
    for service in services:
        service.step(T0 + 6 * H + 60_000)
    assert sorted(exchange.sent_ids()) == sorted(expected_ids(1, 2, 3, 4, 5, 6))
