"""The sources that need no network: CSV replay, push, and the seeded simulator."""

from pathlib import Path

import numpy as np

from oracle.quote import FetchResult
from oracle.sessions import UsEquityCalendar
from oracle.sources.csv_replay import CsvReplaySource
from oracle.sources.push import PushSource
from oracle.sources.simulator import SimulatedSource
from oracle.sources.throttle import ThrottledSource
from tests.oracle.conftest import ms


async def test_csv_replay_returns_the_newest_row_at_or_before_now(tmp_path: Path) -> None:
    path = tmp_path / "day.csv"
    path.write_text(
        "ts_ms,underlying,price,conf,source\n"
        "1000,NVDA,180.0,0.1,pyth\n"
        "2000,NVDA,181.0,0.1,pyth\n"
        "1500,NVDA,180.5,,second\n"
        "2500,AAPL,oops,,pyth\n"
        "3000,NVDA,182.0,0.1,pyth\n"
    )
    replay = CsvReplaySource(path)
    before = await replay.fetch(999)
    assert before.quotes == []
    assert before.problems == ["line 5: unreadable row"]  # reported once, by the first fetch
    first = await replay.fetch(2_000)
    assert [(q.source, q.price) for q in first.quotes] == [("pyth", 181.0), ("second", 180.5)]
    assert first.problems == []
    later = await replay.fetch(10_000)
    assert [(q.source, q.price) for q in later.quotes] == [("pyth", 182.0), ("second", 180.5)]
    assert later.problems == []
    assert replay.last_ms == 3_000


async def test_push_keeps_the_newest_post() -> None:
    push = PushSource()
    push.post("NVDA", 180.0, 2_000)
    push.post("NVDA", 170.0, 1_000)  # older: ignored
    push.post("AAPL", 230.0, 1_500)
    assert [(q.underlying, q.price) for q in (await push.fetch(3_000)).quotes] == [("AAPL", 230.0), ("NVDA", 180.0)]


async def walk(source: SimulatedSource, start_ms: int, step_ms: int, steps: int) -> list[float]:
    return [(await source.fetch(start_ms + i * step_ms)).quotes[0].price for i in range(steps)]


async def test_simulator_is_seeded() -> None:
    t0 = ms("2026-11-24T10:00-05:00")
    a = await walk(SimulatedSource(["NVDA"], 7, t0, None), t0, 1_000, 200)
    b = await walk(SimulatedSource(["NVDA"], 7, t0, None), t0, 1_000, 200)
    c = await walk(SimulatedSource(["NVDA"], 8, t0, None), t0, 1_000, 200)
    assert a == b
    assert a != c
    assert len(set(a)) > 150  # it moves


async def test_simulator_volatility_is_about_what_was_asked() -> None:
    t0 = ms("2026-11-24T10:00-05:00")
    sim = SimulatedSource(["SPY"], 1, t0, None, vol_annual=0.30, jumps_per_year=0.0)
    prices = np.array(await walk(sim, t0, 60_000, 2_000))
    returns = np.diff(np.log(prices))
    annualised = returns.std() * np.sqrt(365.25 * 24 * 60)
    assert 0.27 < annualised < 0.33


async def test_simulator_is_silent_while_closed_and_gaps_at_the_reopen(calendar: UsEquityCalendar) -> None:
    friday_close = ms("2026-11-27T16:59-05:00")  # post-market of the early-close day
    sim = SimulatedSource(["NVDA"], 3, friday_close, calendar, gap_sigma=0.05)
    last_friday = (await sim.fetch(friday_close)).quotes[0]
    saturday = (await sim.fetch(ms("2026-11-28T12:00-05:00"))).quotes[0]
    assert saturday.price == last_friday.price
    assert saturday.publish_ms == last_friday.publish_ms  # an old publish time: stale downstream
    sunday_night = (await sim.fetch(ms("2026-11-29T20:00-05:00"))).quotes[0]
    assert sunday_night.publish_ms == ms("2026-11-29T20:00-05:00")
    assert sunday_night.price != last_friday.price


async def test_a_throttled_source_is_asked_once_per_interval() -> None:
    class Counting(PushSource):
        fetches = 0

        async def fetch(self, now_ms: int) -> FetchResult:
            self.fetches += 1
            return await super().fetch(now_ms)

    inner = Counting("vendor")
    inner.post("NVDA", 180.0, 1_000)
    throttled = ThrottledSource(inner, interval_ms=5_000)
    results = [await throttled.fetch(now) for now in range(1_000, 12_000, 250)]
    assert inner.fetches == 3  # at 1.0 s, 6.0 s and 11.0 s
    assert all(r.quotes[0].publish_ms == 1_000 for r in results)  # repeated quotes keep their age
    assert throttled.name == "vendor"
