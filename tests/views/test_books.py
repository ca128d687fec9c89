"""Agreement, exactly: after random command sequences through the engine, every book view equals the
engine's book level by level (price, size, order count), queue by queue, with the engine's book
update id; its naive twin agrees; and the same from a snapshot taken at a random point.
VIEWS_SEEDS=100 VIEWS_EXAMPLES=2000 search longer than the suite's default."""

import os
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import Engine, EngineConfig
from messages.events import Event
from tests.margin.test_properties import MARKETS, TRADERS, new_exchange, ops, run
from tests.matching.random_commands import SPECS, CommandGenerator
from tests.views.agreement import assert_books_agree
from views.engine_state import restore_engine
from views.exchange import ExchangeView
from views.naive_books import NaiveBookView


def seeded(engine: Engine) -> tuple[ExchangeView, NaiveBookView]:
    view = ExchangeView()
    naive = NaiveBookView(view.markets)
    view.seed(engine, engine.next_seq - 1)
    naive.seed(engine, engine.next_seq - 1)
    return view, naive


def feed(view: ExchangeView, naive: NaiveBookView, events: list[Event]) -> None:
    handlers = naive.handlers()
    for event in events:
        view.apply(event)
        handler = handlers.get(type(event))
        if handler is not None:
            handler(event)
    assert view.metrics.unusable.collect()[0].samples == []  # nothing skipped


def test_matching_engine_random_sequences_agree_after_every_command() -> None:
    for seed in range(int(os.environ.get("VIEWS_SEEDS", 6))):
        engine = Engine(SPECS, config=EngineConfig(command_window=50, client_id_window=8))
        view, naive = seeded(engine)
        generator = CommandGenerator(seed)
        snapshot_at = random.Random(seed).randrange(100, 900)
        late: tuple[ExchangeView, NaiveBookView] | None = None
        for i in range(1_000):
            events = engine.apply(generator.next(engine))
            feed(view, naive, events)
            if late is not None:
                feed(*late, events)
            if i == snapshot_at:  # a reader that starts from a snapshot taken here
                late = seeded(restore_engine(engine.snapshot()))
            assert_books_agree(view, engine, naive)
        assert late is not None
        assert_books_agree(late[0], engine, late[1])


@settings(max_examples=int(os.environ.get("VIEWS_EXAMPLES", 60)))
@given(
    st.lists(st.tuples(st.sampled_from(TRADERS), st.integers(100, 20_000)), min_size=1, max_size=5),
    st.lists(ops, max_size=60),
    st.integers(0, 60),
)
def test_margin_engine_sequences_with_liquidations_funding_splits_agree(
    deposits: list[tuple[int, int]], sequence: list[tuple], snapshot_at: int
) -> None:
    ex = new_exchange()
    view, naive = seeded(ex.engine)
    for account, amount in deposits:
        ex.deposit(account, str(amount))
    feed(view, naive, ex.events)
    late: tuple[ExchangeView, NaiveBookView] | None = None
    for i, op in enumerate(sequence):
        if i == snapshot_at:
            late = seeded(restore_engine(ex.engine.snapshot()))
        before = len(ex.events)
        run(ex, op)
        feed(view, naive, ex.events[before:])
        if late is not None:
            feed(*late, ex.events[before:])
        assert_books_agree(view, ex.engine, naive)
    for market in MARKETS:  # a gap down through the book: liquidations, the insurance fund, ADL
        before = len(ex.events)
        run(ex, ("mark", market, -3_500))
        run(ex, ("liquidity", market, 500, 200))
        run(ex, ("mark", market, 2_500))
        feed(view, naive, ex.events[before:])
    assert_books_agree(view, ex.engine, naive)
    if late is not None:
        feed(*late, [e for e in ex.events if e.seq > late[0].last_seq])
        assert_books_agree(late[0], ex.engine, late[1])
