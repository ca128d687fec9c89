"""The service end to end in one process: sources -> aggregation -> index and mark -> PriceUpdate
applied by a real engine. NVDA ticks are 0.01 USD (18,000 ticks = 180.00)."""

import itertools
import math

import msgspec
import pytest

from messages.commands import CancelAll, ListMarket, PriceUpdate, Split
from messages.enums import MarketSession, PriceSource
from oracle.aggregation import AggregationParams
from oracle.corporate_actions import CorporateAction
from oracle.quote import FetchResult, SourceError
from oracle.sessions import UsEquityCalendar
from oracle.sources.push import PushSource
from oracle.sources.simulator import SimulatedSource
from tests.oracle.conftest import ms
from tests.oracle.harness import NVDA, Exchange, oracle

TUESDAY_10 = ms("2026-11-24T10:00-05:00")
SATURDAY_NOON = ms("2026-11-28T12:00-05:00")


def push_sources(*names: str) -> list[PushSource]:
    return [PushSource(name) for name in names]


def post_all(sources: list[PushSource], price: float, ts_ms: int) -> None:
    for source in sources:
        source.post("NVDA", price, ts_ms)


def updates(exchange: Exchange) -> list[PriceUpdate]:
    return [c for c in exchange.published if isinstance(c, PriceUpdate)]


async def test_regular_hours_publish_the_external_price_at_the_cadence(calendar: UsEquityCalendar) -> None:
    exchange, sources = Exchange(), push_sources("a", "b", "c")
    service = oracle(exchange, sources, calendar)
    for step in range(8):  # 2 s of 250 ms polls with a steady price
        now = TUESDAY_10 + step * 250
        post_all(sources, 180.0, now)
        await service.step(now)
    published = updates(exchange)
    assert [u.ts_ms - TUESDAY_10 for u in published] == [0, 1_000]
    first = published[0]
    assert (first.index_price_ticks, first.mark_price_ticks) == (18_000, 18_000)
    assert first.session is MarketSession.REGULAR and first.index_source is PriceSource.EXTERNAL
    assert first.command_id == f"oracle:px:NVDAUSDC:{TUESDAY_10}"
    assert exchange.engine.markets["NVDAUSDC"].index_price_ticks == 18_000
    assert exchange.rejected() == []


async def test_a_large_move_is_published_at_once(calendar: UsEquityCalendar) -> None:
    exchange, sources = Exchange(), push_sources("a", "b", "c")
    service = oracle(exchange, sources, calendar)
    post_all(sources, 180.0, TUESDAY_10)
    await service.step(TUESDAY_10)
    post_all(sources, 181.8, TUESDAY_10 + 250)  # +1%, above the 0.5% threshold
    await service.step(TUESDAY_10 + 250)
    assert [u.ts_ms - TUESDAY_10 for u in updates(exchange)] == [0, 250]
    assert updates(exchange)[-1].index_price_ticks == 18_180


async def test_one_wild_and_one_frozen_source_of_five_do_not_move_the_index(calendar: UsEquityCalendar) -> None:
    exchange, sources = Exchange(), push_sources("a", "b", "c", "frozen", "wild")
    service = oracle(exchange, sources, calendar, frozen_after_ms=60_000)
    for minute in range(5):
        now = TUESDAY_10 + minute * 60_000
        honest = 180.0 + minute * 0.10
        for source in sources[:3]:
            source.post("NVDA", honest, now)
        sources[3].post("NVDA", 180.0 if minute == 0 else 179.95, now)  # fresh time, price stuck
        sources[4].post("NVDA", 260.0 + minute, now)
        await service.step(now)
        assert updates(exchange)[-1].index_price_ticks == round(honest * 100)
    dropped = dict(service.view("NVDAUSDC").aggregate.dropped)  # type: ignore[union-attr]
    assert dropped == {"frozen": "frozen", "wild": "outlier"}


async def test_bad_input_is_counted_and_never_published(calendar: UsEquityCalendar) -> None:
    class Broken:
        name = "broken"

        async def fetch(self, now_ms: int) -> FetchResult:
            raise SourceError("http_502")

        async def aclose(self) -> None:
            return None

    class Raising(Broken):
        name = "raising"

        async def fetch(self, now_ms: int) -> FetchResult:
            raise RuntimeError("bug in an adapter")

    exchange, (good, bad) = Exchange(), push_sources("good", "bad")
    service = oracle(exchange, [good, bad, Broken(), Raising()], calendar)
    good.post("NVDA", 180.0, TUESDAY_10)
    for i, price in enumerate([0.0, -5.0, math.nan, math.inf]):
        bad.post("NVDA", price, TUESDAY_10 + i)
        await service.step(TUESDAY_10 + i * 1_000)
    bad.post("NVDA", 999.0, TUESDAY_10 + 3_600_000)  # an hour in the future
    await service.step(TUESDAY_10 + 4_000)
    assert {u.index_price_ticks for u in updates(exchange)} == {18_000}
    m = service.metrics
    assert m.get("quote_rejected", "bad", "price_not_positive") == 2
    assert m.get("quote_rejected", "bad", "price_not_finite") >= 2
    assert m.get("quote_rejected", "bad", "timestamp_in_future") == 1
    assert m.get("fetch_failed", "broken", "http_502") == 5
    assert m.get("fetch_failed", "raising", "RuntimeError") == 5


async def test_all_stale_flags_the_market_and_the_index_turns_internal_toward_the_book(
    calendar: UsEquityCalendar,
) -> None:
    exchange, sources = Exchange(), push_sources("a", "b", "c")
    service = oracle(exchange, sources, calendar, aggregation=AggregationParams(max_age_ms=10_000))
    post_all(sources, 180.0, TUESDAY_10)
    await service.step(TUESDAY_10)
    exchange.quote_book(18_890, 18_910)  # the perp's book sits 5% higher
    for minute in range(1, 400):  # the feed dies for six and a half hours
        await service.step(TUESDAY_10 + minute * 60_000)
    view = service.view("NVDAUSDC")
    assert view.stale and view.source is PriceSource.INTERNAL
    last = updates(exchange)[-1]
    assert last.index_source is PriceSource.INTERNAL
    # impact mid 18,900 is exactly the 20x band's edge (5% over 18,000): reached, never passed
    assert 18_850 <= last.index_price_ticks <= 18_900
    assert max(u.index_price_ticks for u in updates(exchange)) <= 18_900


async def test_closed_market_ignores_fresh_quotes_and_reanchors_on_reopen(calendar: UsEquityCalendar) -> None:
    exchange, sources = Exchange(), push_sources("a", "b", "c")
    service = oracle(exchange, sources, calendar)
    friday_post = ms("2026-11-27T16:59-05:00")
    post_all(sources, 180.0, friday_post)
    await service.step(friday_post)
    exchange.quote_book(17_000, 17_020)
    post_all(sources, 150.0, SATURDAY_NOON)  # a source printing on Saturday is not the market
    await service.step(SATURDAY_NOON)
    saturday = updates(exchange)[-1]
    assert saturday.session is MarketSession.CLOSED and saturday.index_source is PriceSource.INTERNAL
    assert saturday.index_price_ticks >= 18_000 * 0.95
    sunday_night = ms("2026-11-29T20:00-05:00")
    post_all(sources, 126.0, sunday_night)  # reopens 30% lower
    exchange.engine.apply(CancelAll("mm-out", sunday_night, 1, NVDA.symbol))
    exchange.quote_book(12_590, 12_610, ts_ms=sunday_night)  # and the maker follows
    await service.step(sunday_night)
    reopen = updates(exchange)[-1]
    assert reopen.session is MarketSession.OVERNIGHT and reopen.index_source is PriceSource.EXTERNAL
    assert reopen.index_price_ticks == 12_600
    # the mark walks to the new price in bounded steps (1% of the previous mark per update)
    assert reopen.mark_price_ticks == round(saturday.mark_price_ticks * 0.99)
    marks = [reopen.mark_price_ticks]
    for second in range(1, 60):
        post_all(sources, 126.0, sunday_night + second * 1_000)
        await service.step(sunday_night + second * 1_000)
        marks.append(updates(exchange)[-1].mark_price_ticks)
    assert all(b >= a * 0.99 - 1 for a, b in itertools.pairwise(marks))
    assert 30 <= sum(a != b for a, b in itertools.pairwise(marks)) <= 35  # about ln(17,000/12,600)/1%
    assert abs(marks[-1] - 12_600) <= 5


async def test_starting_while_closed_anchors_on_the_old_price_as_internal(calendar: UsEquityCalendar) -> None:
    exchange, sources = Exchange(), push_sources("a")
    sources[0].post("NVDA", 177.7, ms("2026-11-27T16:59-05:00"))
    service = oracle(exchange, sources, calendar)
    await service.step(SATURDAY_NOON)
    first = updates(exchange)[0]
    assert (first.index_price_ticks, first.index_source) == (17_770, PriceSource.INTERNAL)
    assert service.view("NVDAUSDC").stale


async def test_nothing_is_published_before_any_price_exists(calendar: UsEquityCalendar) -> None:
    exchange = Exchange()
    service = oracle(exchange, [], calendar)
    assert await service.step(TUESDAY_10) == []
    assert service.metrics.get("no_price", "NVDAUSDC") == 1


async def test_a_halted_underlying_is_closed_until_resumed(calendar: UsEquityCalendar) -> None:
    exchange, sources = Exchange(), push_sources("a", "b", "c")
    service = oracle(exchange, sources, calendar)
    post_all(sources, 180.0, TUESDAY_10)
    await service.step(TUESDAY_10)
    service.halt("NVDA")
    post_all(sources, 170.0, TUESDAY_10 + 1_000)
    await service.step(TUESDAY_10 + 1_000)
    halted = updates(exchange)[-1]
    assert (halted.session, halted.index_source, halted.index_price_ticks) == (
        MarketSession.CLOSED,
        PriceSource.INTERNAL,
        18_000,
    )
    service.resume("NVDA")
    await service.step(TUESDAY_10 + 2_000)
    assert updates(exchange)[-1].index_price_ticks == 17_000


async def test_a_split_is_published_once_before_the_prices_and_rescales_them(calendar: UsEquityCalendar) -> None:
    exchange, sources = Exchange(), push_sources("a", "b", "c")
    service = oracle(exchange, sources, calendar)
    effective = ms("2026-11-25T04:00-05:00")
    service.corporate_actions.schedule(CorporateAction("NVDA-10-1", NVDA.symbol, effective, "split", 10, 1))
    post_all(sources, 180.0, effective - 60_000)
    await service.step(effective - 60_000)
    post_all(sources, 18.0, effective + 500)
    published = await service.step(effective + 500)
    assert isinstance(published[0], Split) and published[0].command_id == "ca:NVDA-10-1"
    assert isinstance(published[1], PriceUpdate)
    assert (published[1].index_price_ticks, published[1].mark_price_ticks) == (1_800, 1_800)
    for second in range(1, 5):
        published = await service.step(effective + 500 + second * 1_000)
        assert not any(isinstance(c, Split) for c in published)
    assert sum(isinstance(c, Split) for c in exchange.published) == 1


@pytest.mark.parametrize("session_hour", ["2026-11-24T05:00-05:00", "2026-11-24T17:00-05:00", "2026-11-24T23:00-05:00"])
async def test_extended_sessions_use_external_prices(calendar: UsEquityCalendar, session_hour: str) -> None:
    exchange, sources = Exchange(), push_sources("a")
    service = oracle(exchange, sources, calendar)
    now = ms(session_hour)
    sources[0].post("NVDA", 181.23, now)
    await service.step(now)
    update = updates(exchange)[0]
    assert update.index_source is PriceSource.EXTERNAL and update.index_price_ticks == 18_123
    assert update.session in (MarketSession.PRE_MARKET, MarketSession.POST_MARKET, MarketSession.OVERNIGHT)


async def test_after_a_split_old_quotes_are_refused_and_the_simulator_splits_too(calendar: UsEquityCalendar) -> None:
    exchange = Exchange()
    late, sim = PushSource("late"), SimulatedSource(["NVDA"], 1, TUESDAY_10 - 60_000, calendar)
    service = oracle(exchange, [late, sim], calendar)
    effective = TUESDAY_10
    service.corporate_actions.schedule(CorporateAction("NVDA-4-1", NVDA.symbol, effective, "split", 4, 1))
    await service.step(effective - 1_000)
    before = updates(exchange)[-1].index_price_ticks
    late.post("NVDA", 180.0, effective - 500)  # a feed that has not caught up with the split
    await service.step(effective)
    assert service.metrics.get("quote_rejected", "late", "before_split") == 1
    after = updates(exchange)[-1]
    assert after.index_source is PriceSource.EXTERNAL  # the simulator's post-split price
    assert abs(after.index_price_ticks - before / 4) < before / 4 * 0.01


async def test_the_mark_bound_is_a_rate_not_a_per_poll_allowance(calendar: UsEquityCalendar) -> None:
    exchange, sources = Exchange(), push_sources("a", "b", "c")
    service = oracle(exchange, sources, calendar)
    post_all(sources, 180.0, TUESDAY_10)
    await service.step(TUESDAY_10)
    post_all(sources, 126.0, TUESDAY_10 + 250)  # a 30% drop: the index follows at once
    for poll in range(1, 9):  # two seconds of 250 ms polls
        await service.step(TUESDAY_10 + poll * 250)
    marks = [u.mark_price_ticks for u in updates(exchange)]
    assert updates(exchange)[-1].index_price_ticks == 12_600
    assert marks[-1] >= 18_000 * 0.99 * 0.99 - 2  # at most 1% a second, twice


async def test_the_bench_runs() -> None:
    from oracle.bench import bench

    assert "13 markets x 3 sources" in await bench(5)


async def test_a_market_listed_later_is_priced_too(calendar: UsEquityCalendar) -> None:
    exchange = Exchange()
    sim = SimulatedSource(["NVDA"], 2, TUESDAY_10, calendar)
    service = oracle(exchange, [sim], calendar)
    await service.step(TUESDAY_10)
    assert {u.market for u in updates(exchange)} == {"NVDAUSDC"}
    amd = msgspec.structs.replace(NVDA, symbol="AMDUSDC", underlying="AMD", name="AMD")
    exchange.engine.apply(ListMarket("list-amd", TUESDAY_10 + 500, amd))
    await service.step(TUESDAY_10 + 1_000)
    amd_update = next(u for u in updates(exchange) if u.market == "AMDUSDC")
    assert amd_update.index_source is PriceSource.EXTERNAL
    assert abs(amd_update.index_price_ticks - 10_000) < 100  # the simulator's default start: 100 USD
    assert exchange.engine.markets["AMDUSDC"].index_price_ticks == amd_update.index_price_ticks
