"""AccountUpdated: at the end of every command, each changed trader account's balance and changed
positions, in ascending account id (the contract in messages/events.py).

MarginRisk marks what changes as it happens (`note_changed`, `note_balance_changed`); this turns
the marks into events once the command, cascades included, is done, and clears them (the lists of
marks keep their storage: counts say how much of them is this command's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from margin.accounts import Account, sort_by_id
from messages.events import AccountUpdated, PositionState

if TYPE_CHECKING:
    from margin.engine import MarginEngine
    from margin.risk import MarginRisk

_AccountUpdated: Final = AccountUpdated
_PositionState: Final = PositionState
_NO_POSITIONS: Final[tuple[PositionState, ...]] = ()


def position_state(risk: MarginRisk, account: Account, symbol: str) -> PositionState:
    """The account's position in `symbol` in full, as readers see it (zeros if it never had one)."""
    sole = account.sole_position
    position = sole if sole is not None and sole.market == symbol else account.positions.get(symbol)
    tiers = risk.tiers_of(risk.markets[symbol])
    leverage = account.leverage.get(symbol, tiers.leverages[0]) if account.leverage else tiers.leverages[0]
    isolated = False
    isolated_margin = 0
    if account.isolated_micro:
        margin = account.isolated_micro.get(symbol)
        if margin is not None:
            isolated = True
            isolated_margin = margin
    if position is None:
        return _PositionState(symbol, 0, 0, 0, leverage, isolated, isolated_margin)
    return _PositionState(
        symbol,
        position.size_lots,
        position.cost_micro,
        position.realized_pnl_micro,
        leverage,
        isolated,
        isolated_margin,
    )


def emit_account_updates(engine: MarginEngine) -> None:
    """One AccountUpdated per account the command changed, in ascending id, then the marks cleared."""
    risk = engine.margin
    out = engine.out
    command_id = engine.command_id
    ts_ms = engine.ts_key
    changed = risk.changed
    count = risk.changed_count
    if count > 1:
        sort_by_id(changed, count)
    for i in range(count):
        account = changed[i]
        account.changed = False
        symbols = account.changed_markets
        n = account.changed_count
        account.changed_count = 0
        if n == 0:
            positions = _NO_POSITIONS
        elif n == 1:
            positions = (position_state(risk, account, symbols[0]),)
        else:
            positions = tuple(position_state(risk, account, symbol) for symbol in sorted(symbols[:n]))
        seq = engine.next_seq
        engine.next_seq = seq + 1
        out.append(_AccountUpdated(seq, command_id, ts_ms, account.id_key, account.balance_micro, positions))
    risk.changed_count = 0
