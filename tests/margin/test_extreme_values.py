"""Hostile values fed straight to `Engine.apply` and `MarginEngine.apply`: each command is answered
with a Rejected event or leaves a valid state, never an exception; the invariants hold after every
step, every event can be written, and the state can always be snapshot and restored.

Text is always valid Unicode here: invalid UTF-8 cannot reach the engine as a str (the decoder
refuses it; tests/engine_service/test_poison_entries.py sends it over the wire), and a lone surrogate
cannot be written to the command stream at all.

Also the issue's own cases (issue 11), one by one.
"""

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from margin.engine import MarginEngine
from matching.engine import Engine
from matching.markets import load_markets
from messages.codec import encode
from messages.commands import (
    CancelAll,
    CashDividend,
    Command,
    Deposit,
    FundingSettle,
    PlaceOrder,
    PriceUpdate,
    Split,
)
from messages.enums import RejectReason, Side
from messages.events import Event, Rejected
from messages.limits import (
    MAX_BALANCE_MICRO,
    MAX_COMMAND_ID_LEN,
    MAX_POSITION_VALUE_PER_TICK_MICRO,
    MAX_TOTAL_COLLATERAL_MICRO,
)
from tests.messages.extreme_values import commands

EXAMPLES = int(os.environ.get("EXTREME_EXAMPLES", 120))


def funded_margin_engine() -> MarginEngine:
    engine = MarginEngine(load_markets())
    for account_id in (1, 2, 3):
        engine.apply(Deposit(f"d{account_id}", 0, account_id, 10**12))
    engine.apply(PriceUpdate("p", 0, "AAPLUSDC", 20_000, 20_000))
    engine.apply(PlaceOrder("rest", 0, 3, "AAPLUSDC", Side.SELL, 1_000, 20_100))
    engine.apply(PlaceOrder("take", 0, 1, "AAPLUSDC", Side.BUY, 500, 20_100))  # account 1 long, 3 short
    return engine


def encodable(command: Command) -> bool:
    try:
        encode(command)
    except OverflowError:  # an integer msgpack cannot carry: such a command never arrives by the wire
        return False
    return True


def check_step(engine: Engine, command: Command, events: list[Event]) -> None:
    engine.check_invariants()
    if encodable(command):  # what the wire could have delivered: its events must go back out
        encode(events)
    rejected = [e for e in events if isinstance(e, Rejected) and e.command_id == command.command_id]
    assert len(rejected) <= 1


def check_snapshot(engine: Engine) -> None:
    restored = type(engine).restore(engine.snapshot())
    assert restored.state_hash() == engine.state_hash()
    restored.check_invariants()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(commands(), min_size=1, max_size=25))
def test_margin_engine_answers_every_hostile_command(sequence: list[Command]) -> None:
    engine = funded_margin_engine()
    for command in sequence:
        check_step(engine, command, engine.apply(command))
    check_snapshot(engine)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(commands(), min_size=1, max_size=25))
def test_matching_engine_answers_every_hostile_command(sequence: list[Command]) -> None:
    engine = Engine(load_markets())
    engine.apply(PlaceOrder("rest", 0, 3, "AAPLUSDC", Side.SELL, 1_000, 20_100))
    for command in sequence:
        check_step(engine, command, engine.apply(command))
    check_snapshot(engine)


def rejected_for(engine: Engine, command: Command) -> RejectReason:
    hash_before = engine.state_hash()
    events = engine.apply(command)
    assert [type(e) for e in events] == [Rejected], events
    engine.check_invariants()
    encode(events)
    # nothing changed but the seq counter and the idempotence window: a repeat gets nothing (an
    # id too long to remember is answered again)
    repeat = engine.apply(command)
    assert repeat == [] if len(command.command_id) <= MAX_COMMAND_ID_LEN else [type(e) for e in repeat] == [Rejected]
    assert hash_before != engine.state_hash()  # (the seq moved)
    return events[0].reason


def test_the_issues_cases_are_rejected_with_a_reason():
    engine = funded_margin_engine()
    cases = [
        (Deposit("a", 0, 1, 2**64 - 1), RejectReason.AMOUNT_OUT_OF_RANGE),
        (Deposit("b", 0, 1, 2**63), RejectReason.AMOUNT_OUT_OF_RANGE),
        (PriceUpdate("c", 0, "AAPLUSDC", 2**62, 2**62), RejectReason.PRICE_OUT_OF_RANGE),
        (FundingSettle("d", 0, "AAPLUSDC", 3_600_000, 2**63 - 1), RejectReason.RATE_OUT_OF_RANGE),
        (FundingSettle("e", 0, "AAPLUSDC", 2**63 - 1, 100), RejectReason.TIME_OUT_OF_WINDOW),
        (CashDividend("f", 0, "AAPLUSDC", 2**64 - 1), RejectReason.AMOUNT_OUT_OF_RANGE),
        (Split("g", 0, "AAPLUSDC", 2**63, 1), RejectReason.INVALID_RATIO),
        (CancelAll("h", 0, 99), RejectReason.UNKNOWN_ACCOUNT),
        (CancelAll("i", 0, 99, "AAPLUSDC"), RejectReason.UNKNOWN_ACCOUNT),
        (PlaceOrder("j", 0, 1, "AAPLUSDC", Side.BUY, 1, 2**31), RejectReason.PRICE_OUT_OF_RANGE),
        (PlaceOrder("k" * 200, 0, 1, "AAPLUSDC", Side.BUY, 1, 20_000), RejectReason.TEXT_TOO_LONG),
        (PlaceOrder("l", 2**63, 1, "AAPLUSDC", Side.BUY, 1, 20_000), RejectReason.TIME_OUT_OF_WINDOW),
    ]
    for command, reason in cases:
        assert rejected_for(engine, command) is reason, command
    # the market still settles funding afterwards: the far-future time blocked nothing
    events = engine.apply(FundingSettle("ok", 0, "AAPLUSDC", 3_600_000, 100))
    assert not any(isinstance(e, Rejected) for e in events)


def test_a_cancel_all_of_a_known_account_still_works():
    engine = funded_margin_engine()
    events = engine.apply(CancelAll("x", 0, 3))
    assert [type(e).__name__ for e in events] == ["OrderCanceled"]


def test_deposits_stop_at_the_account_and_exchange_caps():
    engine = MarginEngine(load_markets())
    step = 2**50
    deposits = 0
    while True:
        events = engine.apply(Deposit(f"d{deposits}", 0, 1, step))
        if isinstance(events[0], Rejected):
            assert events[0].reason is RejectReason.BALANCE_LIMIT
            break
        deposits += 1
    assert deposits * step <= MAX_BALANCE_MICRO < (deposits + 1) * step
    n = 0
    while True:  # many accounts: the exchange's total is capped too
        n += 1
        events = engine.apply(Deposit(f"e{n}", 0, 2 + n // 8, step))
        if isinstance(events[0], Rejected):
            assert events[0].reason is RejectReason.BALANCE_LIMIT
            break
    total = -engine.margin.ledger.accounts[-1].balance_micro
    assert total <= MAX_TOTAL_COLLATERAL_MICRO
    engine.check_invariants()
    check_snapshot(engine)


def test_a_position_stops_at_its_cap_whatever_the_margin():
    engine = MarginEngine(load_markets())
    for account_id in (1, 2):
        engine.apply(Deposit(f"d{account_id}", 0, account_id, 2**50))
    u = engine.markets["AAPLUSDC"].micro_per_tick_lot
    cap_lots = MAX_POSITION_VALUE_PER_TICK_MICRO // u
    max_order = engine.markets["AAPLUSDC"].max_order_lots
    placed = 0
    reason = None
    while reason is None:  # 1-tick orders: almost no margin needed, so only the cap stops them
        lots = min(max_order, cap_lots + 1 - placed)
        events = engine.apply(PlaceOrder(f"b{placed}", 0, 1, "AAPLUSDC", Side.BUY, lots, 1))
        if isinstance(events[0], Rejected):
            reason = events[0].reason
        else:
            placed += lots
    assert reason is RejectReason.POSITION_LIMIT
    assert placed * u <= MAX_POSITION_VALUE_PER_TICK_MICRO
    engine.check_invariants()
