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
    """One sequence; from a random point on, a second view started from a snapshot follows too."""
    engine = new_engine()
    view = AccountsView(SPECS)
    generator = AccountCommands(seed)
    snapshot_at = random.Random(seed).randrange(commands)
    restarted: AccountsView | None = None
    restarted_handlers: dict = {}  # driven as ExchangeView drives a projection: its handlers only
    for step in range(commands):
        command = generator.next(engine)
        events = engine.apply(command)
        for event in events:
            seen[type(event).__name__] += 1
            view.apply(event)
            handler = restarted_handlers.get(type(event))
            if handler is not None:
                handler(event)
        engine.check_invariants()
        assert_agrees(view, engine)
        if step == snapshot_at:
            restarted = AccountsView.from_snapshot(engine.snapshot())
            assert restarted.last_seq == engine.next_seq - 1
            restarted_handlers = dict(restarted.handlers())
        if restarted is not None:
            assert_agrees(restarted, engine)


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
