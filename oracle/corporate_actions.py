"""The corporate-actions calendar: splits and cash dividends scheduled ahead (from a TOML file or an
admin call) and turned into Split / CashDividend commands once their effective time has come.

Exactly once: each action has an id, its command id is derived from it ("ca:<id>", so the engine's
idempotence window catches a resend), and the calendar remembers what it emitted; a restarted
service is told what the command stream already holds with `mark_emitted`.

File format (times ISO-8601 with an offset; a bare date means 00:00 New York time that day):

    [[split]]
    id = "NVDA-2024-06-10"
    market = "NVDAUSDC"
    effective = "2024-06-10T04:00:00-04:00"
    ratio = "10:1"                 # new shares : old shares

    [[cash_dividend]]
    id = "AAPL-2024-08-12"
    market = "AAPLUSDC"
    effective = "2024-08-12"
    amount = "0.25"                # USDC per share, exact to the micro
"""

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any, Literal

import msgspec

from matching.units import usdc_to_micro
from messages.commands import CashDividend, Command, Split
from oracle.sessions import NEW_YORK


class CorporateActionError(ValueError):
    """An action that cannot be scheduled: malformed, or an id reused for a different action."""


class CorporateAction(msgspec.Struct, frozen=True):
    action_id: str
    market: str
    effective_ms: int
    kind: Literal["split", "cash_dividend"]
    ratio_new: int = 0
    ratio_old: int = 0
    amount_micro_per_share: int = 0

    @property
    def command_id(self) -> str:
        return f"ca:{self.action_id}"

    def to_command(self, ts_ms: int) -> Command:
        if self.kind == "split":
            return Split(self.command_id, ts_ms, self.market, self.ratio_new, self.ratio_old)
        return CashDividend(self.command_id, ts_ms, self.market, self.amount_micro_per_share)

    def problem(self) -> str | None:
        if not self.action_id or not self.market:
            return "id and market are required"
        if self.kind == "split" and (self.ratio_new <= 0 or self.ratio_old <= 0 or self.ratio_new == self.ratio_old):
            return "a split needs two different positive ratio terms"
        if self.kind == "cash_dividend" and self.amount_micro_per_share <= 0:
            return "a dividend must be positive"
        return None


class CorporateActionCalendar:
    def __init__(self) -> None:
        self._pending: dict[str, CorporateAction] = {}
        self._emitted: set[str] = set()

    def schedule(self, action: CorporateAction) -> bool:
        """Add an action; False when this exact action is already known (scheduling is idempotent)."""
        problem = action.problem()
        if problem is not None:
            raise CorporateActionError(f"{action.action_id}: {problem}")
        known = self._pending.get(action.action_id)
        if known is not None and known != action:
            raise CorporateActionError(f"{action.action_id}: id already used for a different action")
        if known is not None or action.action_id in self._emitted:
            return False
        self._pending[action.action_id] = action
        return True

    def mark_emitted(self, action_ids: list[str]) -> None:
        for action_id in action_ids:
            self._emitted.add(action_id)
            self._pending.pop(action_id, None)

    def take_due(self, now_ms: int) -> list[CorporateAction]:
        """Actions whose time has come, oldest first; each is returned once, ever."""
        due = sorted(
            (a for a in self._pending.values() if a.effective_ms <= now_ms), key=lambda a: (a.effective_ms, a.action_id)
        )
        self.mark_emitted([a.action_id for a in due])
        return due

    def pending(self) -> list[CorporateAction]:
        return sorted(self._pending.values(), key=lambda a: (a.effective_ms, a.action_id))


def parse_effective_ms(text: str) -> int:
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return int(dt.datetime.combine(day, dt.time(0, 0), tzinfo=NEW_YORK).timestamp() * 1000)
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise CorporateActionError(f"{text!r} is not an ISO date or time") from exc
    if moment.tzinfo is None:
        raise CorporateActionError(f"{text!r} needs a UTC offset")
    return int(moment.timestamp() * 1000)


def action_from_entry(kind: str, entry: dict[str, Any]) -> CorporateAction:
    try:
        action_id, market, effective = str(entry["id"]), str(entry["market"]), str(entry["effective"])
        if kind == "split":
            new_text, old_text = str(entry["ratio"]).split(":")
            return CorporateAction(
                action_id, market, parse_effective_ms(effective), "split", int(new_text), int(old_text)
            )
        amount_micro = usdc_to_micro(str(entry["amount"]))
        if amount_micro is None:
            raise CorporateActionError(f"{action_id}: amount {entry['amount']!r} is not exact to the micro-USDC")
        return CorporateAction(action_id, market, parse_effective_ms(effective), "cash_dividend", 0, 0, amount_micro)
    except (KeyError, ValueError) as exc:
        if isinstance(exc, CorporateActionError):
            raise
        raise CorporateActionError(f"{kind} {entry.get('id', '?')}: {exc!r}") from exc


def load_actions(path: Path) -> list[CorporateAction]:
    data = tomllib.loads(path.read_text())
    actions = [action_from_entry("split", e) for e in data.get("split", [])]
    actions += [action_from_entry("cash_dividend", e) for e in data.get("cash_dividend", [])]
    return actions
