"""Whatever the sources, the book and the admin do, what the service publishes keeps its promises:
positive prices, an internal index within 1/max-leverage of the last external one, a mark that
moves at most 1% a second, and nothing the engine rejects."""

import itertools

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from messages.commands import CancelAll, PriceUpdate
from messages.enums import PriceSource
from oracle.sessions import UsEquityCalendar
from oracle.sources.push import PushSource
from tests.oracle.conftest import ms
from tests.oracle.harness import NVDA, Exchange, oracle

START = ms("2026-11-27T11:00-05:00")  # the early-close Friday: regular, post, closed within hours

actions = st.lists(
    st.one_of(
        st.tuples(st.just("post"), st.sampled_from(["a", "b", "c"]), st.floats(0.5, 2.0)),  # x the walk
        st.tuples(
            st.just("wild"), st.sampled_from(["a", "b", "c"]), st.one_of(st.floats(-1.0, 1e6), st.just(float("nan")))
        ),
        st.tuples(st.just("book"), st.floats(0.5, 1.5), st.integers(1, 500)),  # mid x the walk, spread ticks
        st.tuples(st.just("clear"), st.none(), st.none()),
        st.tuples(st.just("halt"), st.booleans(), st.none()),
        st.tuples(st.just("wait"), st.integers(250, 4 * 3_600_000), st.none()),
        st.tuples(st.just("walk"), st.floats(0.7, 1.4), st.none()),
    ),
    max_size=30,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions)
async def test_published_prices_keep_their_promises(calendar: UsEquityCalendar, steps: list) -> None:
    exchange, sources = Exchange(), [PushSource(name) for name in ("a", "b", "c")]
    service = oracle(exchange, sources, calendar)
    band = 1 / NVDA.max_leverage
    now, walk_usd, order_ids = START, 180.0, itertools.count(1)
    for kind, first, second in steps:
        if kind == "post":
            sources[["a", "b", "c"].index(first)].post("NVDA", walk_usd * (1 + (second - 1) * 0.001), now)
        elif kind == "wild":
            sources[["a", "b", "c"].index(first)].post("NVDA", second, now + 1)
        elif kind == "book":
            mid_ticks = round(walk_usd * 100 * first)
            exchange.quote_book(mid_ticks - second, mid_ticks + second, ts_ms=now)
        elif kind == "clear":
            exchange.engine.apply(CancelAll(f"clear{next(order_ids)}", now, 1, NVDA.symbol))
        elif kind == "halt":
            (service.halt if first else service.resume)("NVDA")
        elif kind == "wait":
            now += first
        else:
            walk_usd *= first
        await service.step(now)
        now += 250

    updates = [c for c in exchange.published if isinstance(c, PriceUpdate)]
    assert not [r for r in exchange.rejected() if r.command_type == "PriceUpdate"]
    last_external = None
    previous = None
    for update in updates:
        assert update.index_price_ticks > 0 and update.mark_price_ticks > 0
        if update.index_source is PriceSource.EXTERNAL:
            last_external = update.index_price_ticks
        elif last_external is not None:
            event("an internal index after an external one")
            assert last_external * (1 - band) - 1 <= update.index_price_ticks <= last_external * (1 + band) + 1
        if previous is not None:
            elapsed_share = min(1.0, (update.ts_ms - previous.ts_ms) / 1_000)
            allowed = previous.mark_price_ticks * 0.01 * elapsed_share + 1
            assert abs(update.mark_price_ticks - previous.mark_price_ticks) <= allowed
            if abs(update.mark_price_ticks - previous.mark_price_ticks) >= allowed - 2:
                event("the mark bound held a move back")
        previous = update
