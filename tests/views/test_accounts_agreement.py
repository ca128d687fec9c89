"""Agreement, exactly: random command sequences through a MarginEngine, every event folded into
an AccountsView, and after every command every account in the view equals the engine's own state
(tests/views/account_agreement.py says what is compared). The same for a view started from a
snapshot taken at a random point. VIEWS_SEQUENCES and VIEWS_COMMANDS run a longer search.
"""

import os
import random
from collections import Counter

from margin.engine import MarginEngine
from messages.events import (
    AccountUpdated,
    DividendPaid,
    FundingPaid,
    IsolatedMarginChanged,
    LeverageSet,
    MarginModeSet,
    MarketListed,
    OrderAmended,
    PositionDeleveraged,
    PositionLiquidated,
    SplitApplied,
    Trade,
)
from tests.views.account_agreement import assert_agrees
from tests.views.account_commands import SPECS, AccountCommands, new_engine
from views.accounts import AccountsView

SEQUENCES = int(os.environ.get("VIEWS_SEQUENCES", 8))
COMMANDS = int(os.environ.get("VIEWS_COMMANDS", 300))


def run_sequence(seed: int, commands: int, seen: Counter) -> None:
    """One sequence, followed by two views: one folding from the start; one driven as ExchangeView
    drives a projection (its handlers only) that, at a random point, is seeded afresh from a
    snapshot (as the follower does after a gap), and from a second random point a third view
    started from another snapshot."""
    engine = new_engine()
    view = AccountsView(SPECS)
    resynced = AccountsView(SPECS)
    handlers = dict(resynced.handlers())  # taken once: a seed must not make them stale
    generator = AccountCommands(seed)
    resync_at, start_at = random.Random(seed).choices(range(commands), k=2)
    started: AccountsView | None = None
    for step in range(commands):
        events = engine.apply(generator.next(engine))
        for event in events:
            seen[type(event).__name__] += 1
            view.apply(event)
            handler = handlers.get(type(event))
            if handler is not None:
                handler(event)
            if started is not None:
                started.apply(event)
        engine.check_invariants()
        assert_agrees(view, engine)
        if step == resync_at:
            resynced.seed(MarginEngine.restore(engine.snapshot()), engine.next_seq - 1)
        if step >= resync_at:
            assert_agrees(resynced, engine)
        if step == start_at:
            started = AccountsView.from_snapshot(engine.snapshot())
            assert started.last_seq == engine.next_seq - 1
        if started is not None:
            assert_agrees(started, engine)


def test_the_view_agrees_with_the_engine_after_every_command_of_random_sequences() -> None:
    seen: Counter = Counter()
    for seed in range(SEQUENCES):
        run_sequence(seed, COMMANDS, seen)
    # the sequences reached what they are meant to exercise (a generator that stopped reaching
    # liquidations or splits would otherwise pass silently)
    for kind in (
        AccountUpdated,
        Trade,
        OrderAmended,
        PositionLiquidated,
        PositionDeleveraged,
        FundingPaid,
        DividendPaid,
        SplitApplied,
        LeverageSet,
        MarginModeSet,
        IsolatedMarginChanged,
        MarketListed,
    ):
        assert seen[kind.__name__], f"no {kind.__name__} in {SEQUENCES} sequences"


def test_a_view_from_a_snapshot_of_an_engine_that_never_had_margin_state_is_empty_but_listed() -> None:
    engine = MarginEngine(SPECS)
    view = AccountsView.from_snapshot(engine.snapshot())
    assert sorted(view.markets) == sorted(spec.symbol for spec in SPECS)
    assert view.account_summary(1) is None
    assert_agrees(view, engine)
