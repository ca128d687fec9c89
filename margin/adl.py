"""Auto-deleveraging: who gives up a position when the insurance fund cannot take a bankrupt one.

Positions on the opposite side of the bankrupt one are ranked as the large exchanges rank them:
profitable ones by PnL ratio x effective leverage, losing ones by PnL ratio / effective leverage,
highest score first (ties by account id). Scores are exact fractions: no floats, no hash order.
The insurance fund itself, if it holds that side, comes last.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from margin.ledger import INSURANCE_ACCOUNT
from margin.requirements import cross_requirements, isolated_requirements, valuation_price_ticks

if TYPE_CHECKING:
    from margin.risk import MarginRisk


def adl_score(risk: MarginRisk, account_id: int, symbol: str) -> Fraction:
    account = risk.ledger.accounts[account_id]
    position = account.positions[symbol]
    market = risk.markets[symbol]
    u = market.micro_per_tick_lot
    price = valuation_price_ticks(market)
    pnl = position.unrealized_micro(price, u)
    cost = abs(position.cost_micro) or 1
    notional = abs(position.size_lots) * price * u or 1
    if symbol in account.isolated_micro:  # an isolated position's leverage is against its own margin
        equity = isolated_requirements(account, symbol, risk.markets, risk.tiers).equity_micro
    else:
        equity = cross_requirements(account, risk.markets, risk.tiers).equity_micro
    if equity <= 0:
        return Fraction(pnl, cost)
    if pnl > 0:
        return Fraction(pnl * notional, cost * equity)  # pnl ratio x leverage
    return Fraction(pnl * equity, cost * notional)  # pnl ratio / leverage


def adl_ranking(risk: MarginRisk, symbol: str, longs: bool, exclude: int = 0) -> list[int]:
    """Accounts holding `symbol` on the given side, first to be deleveraged first."""
    accounts = risk.ledger.accounts
    scored = []
    for account_id in sorted(risk.holders.get(symbol, ())):
        if account_id <= 0 or account_id == exclude:
            continue
        if (accounts[account_id].positions[symbol].size_lots > 0) == longs:
            scored.append((-adl_score(risk, account_id, symbol), account_id))
    ranking = [account_id for _, account_id in sorted(scored)]
    insurance = accounts[INSURANCE_ACCOUNT].positions.get(symbol)
    if insurance is not None and insurance.size_lots and (insurance.size_lots > 0) == longs:
        ranking.append(INSURANCE_ACCOUNT)
    return ranking


def adl_rank(risk: MarginRisk, account_id: int, symbol: str) -> tuple[int, int] | None:
    """(rank, of how many) of the account's position in its side's queue; 1 goes first. None when flat."""
    account = risk.ledger.accounts.get(account_id)
    position = account.positions.get(symbol) if account is not None else None
    if position is None or position.size_lots == 0:
        return None
    ranking = adl_ranking(risk, symbol, position.size_lots > 0)
    return ranking.index(account_id) + 1, len(ranking)
