import pytest

from funding.settlement import MemoryLedger, SettledFunding, due_boundaries, settle_command, settlement_command_id
from matching.engine import Engine
from messages.commands import FundingSettle
from tests.funding.replay import AAPL

H = 3_600_000

DUE_TABLE = [
    # now, high-water mark, max catch-up, due, why
    (10 * H + 1, 9 * H, 24, [10 * H], "the next boundary has passed"),
    (10 * H - 1, 9 * H, 24, [], "not yet"),
    (10 * H, 9 * H, 24, [10 * H], "exactly at the boundary"),
    (10 * H, 10 * H, 24, [], "already settled"),
    (13 * H + 5, 9 * H, 24, [10 * H, 11 * H, 12 * H, 13 * H], "after an outage: every missed one, oldest first"),
    (13 * H + 5, 9 * H, 2, [12 * H, 13 * H], "a long outage: only the latest max_catch_up"),
    (13 * H, 9 * H, 0, [], "catch-up 0 settles nothing"),
]


@pytest.mark.parametrize(("now", "last", "catch_up", "due", "why"), DUE_TABLE)
def test_due_boundaries_table(now, last, catch_up, due, why):
    assert due_boundaries(now, H, last, catch_up) == due, why


def test_a_market_is_opened_once_at_the_boundary_before_it_was_first_watched():
    ledger = MemoryLedger(Engine([AAPL]).apply)
    assert ledger.open_market("AAPLUSDC", 9 * H) == 9 * H
    assert ledger.open_market("AAPLUSDC", 12 * H) == 9 * H, "a restart keeps the first mark"
    assert ledger.last_settled_ms("AAPLUSDC") == 9 * H


def test_the_command_is_a_pure_function_of_market_boundary_and_rate():
    command = settle_command("AAPLUSDC", 10 * H, 12_500)
    assert command == FundingSettle("funding:AAPLUSDC:36000000", 10 * H, "AAPLUSDC", 10 * H, 12_500)
    assert command == settle_command("AAPLUSDC", 10 * H, 12_500)
    assert settlement_command_id("AAPLUSDC", 10 * H) == command.command_id


def test_memory_ledger_appends_each_boundary_once_and_in_order():
    engine = Engine([AAPL])
    ledger = MemoryLedger(engine.apply)
    assert ledger.last_settled_ms("AAPLUSDC") is None
    assert ledger.append_once(settle_command("AAPLUSDC", 10 * H, 12_500))
    assert not ledger.append_once(settle_command("AAPLUSDC", 10 * H, 99_999)), "a rival's different rate"
    assert not ledger.append_once(settle_command("AAPLUSDC", 9 * H, 12_500)), "older than the high-water mark"
    assert ledger.append_once(settle_command("AAPLUSDC", 11 * H, -7))
    assert ledger.last_settled_ms("AAPLUSDC") == 11 * H
    assert ledger.history("AAPLUSDC", 10) == [SettledFunding(11 * H, -7), SettledFunding(10 * H, 12_500)]
    assert ledger.history("AAPLUSDC", 1) == [SettledFunding(11 * H, -7)]
    assert ledger.history("NVDAUSDC", 10) == []
    assert engine.result_range("funding:AAPLUSDC:36000000") is not None
    assert engine.result_range("funding:AAPLUSDC:39600000") is not None


def test_the_engine_drops_a_repeated_settlement_command():
    """The second line of defence: even if a command were appended twice, the engine applies its id once."""
    engine = Engine([AAPL])
    command = settle_command("AAPLUSDC", 10 * H, 12_500)
    engine.apply(command)
    seq_after_first = engine.next_seq
    assert engine.apply(command) == []
    assert engine.next_seq == seq_after_first


def test_passing_over_raises_the_mark_without_appending():
    sent = []
    ledger = MemoryLedger(sent.append)
    ledger.open_market("AAPLUSDC", 9 * H)
    assert ledger.pass_over("AAPLUSDC", 10 * H)
    assert not ledger.pass_over("AAPLUSDC", 10 * H)
    assert not ledger.append_once(settle_command("AAPLUSDC", 10 * H, 12_500))
    assert ledger.last_settled_ms("AAPLUSDC") == 10 * H
    assert sent == [] and ledger.history("AAPLUSDC", 5) == []
