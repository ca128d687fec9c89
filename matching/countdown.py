"""CountdownCancelAll, the dead-man switch, run on the engine's clock (never an api timer).

An account arms a countdown per market; each new command pushes the deadline on (a heartbeat) or,
with 0, stops it. When a command moves the engine's clock to or past a deadline, before that
command is applied, the account's open orders in that market are cancelled (CANCEL_ALL) and the
countdown ends. Deadlines fire in (account, market) order, so replay is deterministic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from messages.commands import CountdownCancelAll
from messages.enums import CancelReason, RejectReason
from messages.events import CountdownSet

if TYPE_CHECKING:
    from matching.engine import Engine


def countdown_cancel_all(engine: Engine, cmd: CountdownCancelAll) -> None:
    if cmd.market not in engine.markets:
        engine.reject(cmd, RejectReason.UNKNOWN_MARKET)
        return
    if cmd.countdown_ms < 0:
        engine.reject(cmd, RejectReason.EXPIRY_IN_PAST, "countdown must not be negative")
        return
    key = (cmd.account_id, cmd.market)
    if cmd.countdown_ms == 0:
        engine.countdowns.pop(key, None)
        deadline_ms = 0
    else:
        deadline_ms = engine.clock_ms + cmd.countdown_ms
        engine.countdowns[key] = deadline_ms
    engine.next_countdown_ms = next_deadline(engine)
    engine.out.append(
        CountdownSet(
            engine.take_seq(),
            engine.command_id,
            engine.ts_ms,
            cmd.account_id,
            cmd.market,
            cmd.countdown_ms,
            deadline_ms,
        )
    )


def fire_countdowns(engine: Engine) -> None:
    """Cancel for every countdown whose deadline the clock has reached."""
    now = engine.clock_ms
    due = sorted(key for key, deadline in engine.countdowns.items() if deadline <= now)
    for key in due:
        del engine.countdowns[key]
        account_id, symbol = key
        market = engine.markets[symbol]
        for order in engine.orders_of(account_id):
            if order.market == symbol:
                engine.cancel_resting(market, order, CancelReason.CANCEL_ALL)
    engine.next_countdown_ms = next_deadline(engine)


def next_deadline(engine: Engine) -> int:
    return min(engine.countdowns.values(), default=0)
