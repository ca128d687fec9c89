"""Which FundingSettle commands to append, each (market, boundary) exactly once.

Three things make it exactly once, whoever runs and however often it restarts:
- the command is a pure function of (market, boundary, rate): `command_id` is
  "funding:{market}:{funding_time_ms}" and `ts_ms` is the boundary itself, so two instances that
  agree on the rate produce the same bytes, and the engine's idempotence drops a repeat;
- a `SettlementLedger` appends it only if the market's settled high-water mark is below the boundary,
  and raises the mark in the same atomic step (redis_ledger.py does both in one Lua script), so two
  instances racing for a boundary append once between them, even if their rates differ;
- the mark is set when a market is first watched and comes back from the ledger after a restart,
  never from memory.
What is due is decided here from the clock passed in; nothing in this module reads a clock.
"""

from typing import Protocol

import msgspec

from messages.commands import FundingSettle
from views.funding_schedule import boundaries_between


class SettledFunding(msgspec.Struct, frozen=True, array_like=True):
    funding_time_ms: int
    rate_ppb: int


class SettlementLedger(Protocol):
    """Where settlement commands go, with the memory of which boundaries are settled."""

    def last_settled_ms(self, market: str) -> int | None:
        """The market's high-water mark: its latest boundary settled (or passed over, see
        `open_market`); None if no service ever watched it."""
        ...

    def open_market(self, market: str, from_ms: int) -> int:
        """Set the mark to `from_ms` unless the market has one (atomically); return the mark. A
        service calls it when it first sees a market, with the boundary before that moment, so that
        an interval nobody watched is not charged, and a restart does not forget that it was."""
        ...

    def append_once(self, command: FundingSettle) -> bool:
        """Append `command` unless its boundary is at or below the market's high-water mark; raise
        the mark in the same atomic step. True if this call appended it."""
        ...

    def pass_over(self, market: str, funding_time_ms: int) -> bool:
        """Raise the mark to `funding_time_ms` without appending anything (an interval with nothing
        to settle); True if it moved."""
        ...

    def history(self, market: str, limit: int) -> list[SettledFunding]:
        """The latest `limit` settlements of `market`, newest first."""
        ...


def settlement_command_id(market: str, funding_time_ms: int) -> str:
    return f"funding:{market}:{funding_time_ms}"


def settle_command(market: str, funding_time_ms: int, rate_ppb: int) -> FundingSettle:
    """The command for a boundary; its clock is the boundary, so it is the same from any instance."""
    command_id = settlement_command_id(market, funding_time_ms)
    return FundingSettle(command_id, funding_time_ms, market, funding_time_ms, rate_ppb)


def due_boundaries(now_ms: int, interval_ms: int, last_settled_ms: int, max_catch_up: int) -> list[int]:
    """Boundaries to settle now, oldest first: those after the high-water mark up to `now_ms`.

    After an outage at most `max_catch_up` boundaries are settled, the most recent ones; older ones
    are passed over, since a long outage is for operators to decide on, not a pile of interest-only
    payments to spring on traders.
    """
    due = boundaries_between(last_settled_ms, now_ms, interval_ms)
    return due[-max_catch_up:] if max_catch_up > 0 else []


class Sink(Protocol):
    def __call__(self, command: FundingSettle, /) -> object: ...


class MemoryLedger:
    """A ledger for one process: appends to `sink` (e.g. a real Engine's apply in a simulation or a
    test) and keeps the high-water marks in memory. Share one instance between services to model
    one shared store; redis_ledger.RedisLedger is the durable one."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.last_ms: dict[str, int] = {}
        self.settled: dict[str, list[SettledFunding]] = {}

    def last_settled_ms(self, market: str) -> int | None:
        return self.last_ms.get(market)

    def open_market(self, market: str, from_ms: int) -> int:
        return self.last_ms.setdefault(market, from_ms)

    def append_once(self, command: FundingSettle) -> bool:
        last = self.last_ms.get(command.market)
        if last is not None and command.funding_time_ms <= last:
            return False
        self.last_ms[command.market] = command.funding_time_ms
        self.settled.setdefault(command.market, []).append(SettledFunding(command.funding_time_ms, command.rate_ppb))
        self.sink(command)
        return True

    def pass_over(self, market: str, funding_time_ms: int) -> bool:
        last = self.last_ms.get(market)
        if last is not None and funding_time_ms <= last:
            return False
        self.last_ms[market] = funding_time_ms
        return True

    def history(self, market: str, limit: int) -> list[SettledFunding]:
        return self.settled.get(market, [])[::-1][:limit]
