"""Splits and dividends from a file or an admin call become commands once, at their time."""

from pathlib import Path

import pytest

from messages.commands import CashDividend, Split
from oracle.corporate_actions import (
    CorporateAction,
    CorporateActionCalendar,
    CorporateActionError,
    load_actions,
    parse_effective_ms,
)
from tests.oracle.conftest import ms

FILE = """
[[split]]
id = "NVDA-2026-12-01"
market = "NVDAUSDC"
effective = "2026-12-01T04:00:00-05:00"
ratio = "10:1"

[[cash_dividend]]
id = "AAPL-2026-11-30"
market = "AAPLUSDC"
effective = "2026-11-30"
amount = "0.26"
"""


def test_file_is_parsed_exactly(tmp_path: Path) -> None:
    path = tmp_path / "actions.toml"
    path.write_text(FILE)
    split, dividend = load_actions(path)
    assert split == CorporateAction("NVDA-2026-12-01", "NVDAUSDC", ms("2026-12-01T04:00-05:00"), "split", 10, 1)
    assert dividend.amount_micro_per_share == 260_000
    assert dividend.effective_ms == ms("2026-11-30T00:00-05:00")  # a bare date: midnight in New York


def test_due_actions_become_commands_once_in_time_order(tmp_path: Path) -> None:
    path = tmp_path / "actions.toml"
    path.write_text(FILE)
    calendar = CorporateActionCalendar()
    for action in load_actions(path):
        assert calendar.schedule(action)
    assert calendar.take_due(ms("2026-11-29T23:59-05:00")) == []
    due = calendar.take_due(ms("2026-12-02T00:00-05:00"))
    commands = [a.to_command(1) for a in due]
    assert commands == [
        CashDividend("ca:AAPL-2026-11-30", 1, "AAPLUSDC", 260_000),
        Split("ca:NVDA-2026-12-01", 1, "NVDAUSDC", 10, 1),
    ]
    assert calendar.take_due(ms("2026-12-03T00:00-05:00")) == []
    # scheduling the same action again (the file re-read, an admin retry) does nothing
    assert not calendar.schedule(due[0])
    assert calendar.take_due(ms("2026-12-03T00:00-05:00")) == []


def test_a_restart_is_told_what_was_already_emitted() -> None:
    calendar = CorporateActionCalendar()
    action = CorporateAction("X", "NVDAUSDC", 1_000, "split", 2, 1)
    calendar.mark_emitted(["X"])
    assert not calendar.schedule(action)
    assert calendar.take_due(2_000) == []


@pytest.mark.parametrize(
    ("action", "why"),
    [
        (CorporateAction("s", "NVDAUSDC", 1, "split", 1, 1), "a 1:1 split changes nothing"),
        (CorporateAction("s", "NVDAUSDC", 1, "split", 0, 1), "a zero ratio"),
        (CorporateAction("d", "NVDAUSDC", 1, "cash_dividend", amount_micro_per_share=0), "a zero dividend"),
        (CorporateAction("", "NVDAUSDC", 1, "split", 2, 1), "no id"),
    ],
)
def test_invalid_actions_are_refused(action: CorporateAction, why: str) -> None:
    with pytest.raises(CorporateActionError):
        CorporateActionCalendar().schedule(action)


def test_an_id_reused_for_a_different_action_is_refused() -> None:
    calendar = CorporateActionCalendar()
    calendar.schedule(CorporateAction("s", "NVDAUSDC", 1, "split", 2, 1))
    with pytest.raises(CorporateActionError):
        calendar.schedule(CorporateAction("s", "NVDAUSDC", 1, "split", 3, 1))


@pytest.mark.parametrize("text", ["2026-13-01", "2026-12-01T04:00:00", "tomorrow"])
def test_bad_times_are_refused(text: str) -> None:
    with pytest.raises(CorporateActionError):
        parse_effective_ms(text)


@pytest.mark.parametrize("amount", ["0.0000001", "abc"])
def test_inexact_dividend_is_refused(tmp_path: Path, amount: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        f'[[cash_dividend]]\nid = "d"\nmarket = "AAPLUSDC"\neffective = "2026-11-30"\namount = "{amount}"\n'
    )
    with pytest.raises(CorporateActionError):
        load_actions(path)
