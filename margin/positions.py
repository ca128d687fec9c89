"""How a fill changes a position: the closing part realizes PnL, the opening part adds entry cost.

The entry cost taken off a partly closed position is its proportional share rounded toward
zero; the rounding stays in the position's own cost (it is realized when the rest closes), so no
micro-USDC is created or lost.
"""

from margin.accounts import Account, Position
from margin.arithmetic import magnitude, signed_times
from margin.ledger import Ledger


def apply_trade(
    ledger: Ledger,
    account: Account,
    position: Position,
    signed_lots: int,
    price_ticks: int,
    micro_per_tick_lot: int,
    funding_index: int,
) -> int:
    """Add `signed_lots` (positive buys) at `price_ticks` to the position; return realized PnL."""
    size = position.size_lots
    realized = 0
    if size and (size > 0) != (signed_lots > 0):
        held = magnitude(size)
        trading = magnitude(signed_lots)
        closed = held if held < trading else trading
        cost = position.cost_micro
        closed_cost = magnitude(cost) * closed // held  # toward zero
        if cost < 0:
            closed_cost = -closed_cost
        position.cost_micro = cost - closed_cost
        realized = signed_times(closed if size > 0 else -closed, price_ticks * micro_per_tick_lot) - closed_cost
        size += closed if signed_lots > 0 else -closed
        signed_lots += -closed if signed_lots > 0 else closed
        position.realized_pnl_micro += realized
        ledger.realize(account, position.market, realized)
    if signed_lots:
        if size == 0:
            position.funding_index = funding_index
        size += signed_lots
        position.cost_micro += signed_times(signed_lots, price_ticks * micro_per_tick_lot)
    position.size_lots = size
    return realized
