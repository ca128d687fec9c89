"""MarginRisk's part of the engine snapshot: canonical (sorted) lists of integers and symbols.

Only what cannot be derived is stored: balances, leverage and margin-mode choices (with
isolated margin), positions (size, entry cost,
realized PnL, funding index), clearing balances and funding state. Open-order totals are rebuilt
from the restored books, holder sets from the positions, and the liquidation watch by indexing
every account again (MarginEngine.restore does both).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from margin.ledger import Ledger

if TYPE_CHECKING:
    from margin.risk import MarginRisk


def snapshot_ledger(risk: MarginRisk) -> object:
    accounts = []
    ledger = risk.ledger
    for account_id in sorted(ledger.accounts):
        account = ledger.accounts[account_id]
        positions = [
            [symbol, p.size_lots, p.cost_micro, p.realized_pnl_micro, p.funding_index if p.size_lots else 0]
            for symbol, p in sorted(account.positions.items())
            if p.size_lots or p.realized_pnl_micro
        ]
        leverage = sorted([symbol, lev] for symbol, lev in account.leverage.items())
        isolated = sorted([symbol, margin] for symbol, margin in account.isolated_micro.items())
        accounts.append([account_id, account.balance_micro, leverage, positions, isolated])
    return [
        accounts,
        sorted([s, v] for s, v in ledger.clearing_micro.items() if v),
        sorted([s, v] for s, v in risk.funding_index.items()),
        sorted([s, v] for s, v in risk.funding_time_ms.items()),
    ]


def restore_ledger(risk: MarginRisk, state: object) -> None:
    if not isinstance(state, list) or len(state) != 4 or not all(isinstance(part, list) for part in state):
        raise ValueError("this snapshot's risk state was not written by a MarginEngine")
    accounts, clearing, funding_index, funding_time = state
    ledger = risk.ledger = Ledger()
    risk.holders = {}
    for account_id, balance, leverage, positions, isolated in accounts:
        account = ledger.account(account_id)
        account.balance_micro = balance
        for symbol, lev in leverage:
            account.own_leverage()[symbol] = lev
        for symbol, margin in isolated:
            account.own_isolated()[symbol] = margin
        for symbol, size, cost, realized, index in positions:
            position = account.position(symbol)
            position.size_lots, position.cost_micro, position.realized_pnl_micro = size, cost, realized
            position.funding_index = index
            if size:
                risk.holders.setdefault(symbol, set()).add(account_id)
    ledger.clearing_micro = {s: v for s, v in clearing}
    risk.funding_index = {s: v for s, v in funding_index}
    risk.funding_time_ms = {s: v for s, v in funding_time}
