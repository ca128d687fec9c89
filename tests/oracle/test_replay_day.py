"""A recorded day replayed through the service: Thanksgiving night to the Friday after (early close
at 13:00), minute by minute, three feeds in one CSV with a dropout and a wild print in them.

The recording is made here from the seeded simulator (this sandbox has no market data to ship), then
read back through the CSV replay adapter exactly as a real recording would be.
"""

import asyncio
import csv
from pathlib import Path

import numpy as np

from messages.commands import CashDividend, Command, PriceUpdate
from messages.enums import MarketSession as S
from messages.enums import PriceSource
from oracle.clock import SteppedClock
from oracle.corporate_actions import CorporateAction
from oracle.service import OracleService
from oracle.sessions import UsEquityCalendar
from oracle.sources.csv_replay import CsvReplaySource
from oracle.sources.simulator import SimulatedSource
from tests.oracle.conftest import ms
from tests.oracle.harness import NVDA, Exchange, oracle

START = ms("2026-11-26T19:00-05:00")  # Thanksgiving evening: closed
END = ms("2026-11-28T00:00-05:00")
MINUTE = 60_000
DROPOUT = (ms("2026-11-27T11:00-05:00"), ms("2026-11-27T11:30-05:00"))
WILD_AT = ms("2026-11-27T10:15-05:00")


async def record(path: Path, calendar: UsEquityCalendar) -> dict[int, tuple[float, float]]:
    """Write the CSV; return the honest prices per minute for checking."""
    sim = SimulatedSource(["NVDA"], 11, START, calendar)
    noise = np.random.default_rng(5)
    honest: dict[int, tuple[float, float]] = {}
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["ts_ms", "underlying", "price", "conf", "source"])
        for now in range(START, END, MINUTE):
            quote = (await sim.fetch(now)).quotes[0]
            if quote.publish_ms != now:
                continue  # the market is closed: nobody prints
            prices = {"pyth": quote.price, "feed2": quote.price * (1 + noise.normal(0, 2e-4)), "feed3": quote.price}
            if DROPOUT[0] <= now < DROPOUT[1]:
                del prices["feed2"]
            honest[now] = (min(prices.values()), max(prices.values()))
            if now == WILD_AT:
                prices["feed3"] = quote.price * 1.30  # a fat finger
            for source, price in prices.items():
                out.writerow([now, "NVDA", f"{price:.4f}", "0.05", source])
    return honest


async def replay(path: Path, calendar: UsEquityCalendar) -> tuple[list[Command], OracleService, Exchange]:
    exchange = Exchange()
    service = oracle(exchange, [CsvReplaySource(path)], calendar, poll_ms=MINUTE, cadence_ms=MINUTE)
    dividend = CorporateAction("NVDA-div", NVDA.symbol, ms("2026-11-27T09:30-05:00"), "cash_dividend", 0, 0, 10_000)
    service.corporate_actions.schedule(dividend)
    stop = asyncio.Event()

    class Clock(SteppedClock):
        async def sleep_until_ms(self, ts_ms: int) -> None:
            await super().sleep_until_ms(ts_ms)
            if self.ms >= END:
                stop.set()

    await service.run(Clock(START), stop)
    return exchange.published, service, exchange


async def test_a_recorded_day(tmp_path: Path, calendar: UsEquityCalendar) -> None:
    path = tmp_path / "nvda_2026-11-27.csv"
    honest = await record(path, calendar)
    published, service, exchange = await replay(path, calendar)
    updates = [c for c in published if isinstance(c, PriceUpdate)]

    # one update a minute, nothing skipped, nothing doubled
    assert [u.ts_ms for u in updates] == list(range(START, END, MINUTE))
    # the sessions of the day, in order, with their first minute
    changes = [(u.session, u.ts_ms) for i, u in enumerate(updates) if i == 0 or updates[i - 1].session != u.session]
    assert changes == [
        (S.CLOSED, START),
        (S.OVERNIGHT, ms("2026-11-26T20:00-05:00")),
        (S.PRE_MARKET, ms("2026-11-27T04:00-05:00")),
        (S.REGULAR, ms("2026-11-27T09:30-05:00")),
        (S.POST_MARKET, ms("2026-11-27T13:00-05:00")),
        (S.CLOSED, ms("2026-11-27T17:00-05:00")),
    ]
    for update in updates:
        if update.session is S.CLOSED:
            assert update.index_source is PriceSource.INTERNAL
            continue
        # trading: external, and always between the honest feeds (the fat finger never shows)
        assert update.index_source is PriceSource.EXTERNAL
        low, high = honest[update.ts_ms]
        assert round(low * 100) - 1 <= update.index_price_ticks <= round(high * 100) + 1
    # after the close the index holds the last external price: the empty book gives it nowhere to go
    last_external = next(u for u in reversed(updates) if u.index_source is PriceSource.EXTERNAL)
    assert {u.index_price_ticks for u in updates if u.ts_ms > last_external.ts_ms} == {last_external.index_price_ticks}
    # the dividend went out once, at its minute, before that minute's price
    dividends = [(i, c) for i, c in enumerate(published) if isinstance(c, CashDividend)]
    assert len(dividends) == 1
    i, dividend = dividends[0]
    assert dividend.ts_ms == ms("2026-11-27T09:30-05:00") and published[i + 1].ts_ms == dividend.ts_ms
    assert service.metrics.get("quote_rejected", "replay", "unparsable") == 0
    assert not [r for r in exchange.rejected() if r.command_type == "PriceUpdate"]

    # and the same recording replays to the same commands, bit for bit
    again, _, _ = await replay(path, calendar)
    assert again == published
