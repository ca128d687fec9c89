"""Read-only views for the API: account summary, positions with liquidation prices, ADL rank.

Each is a function of margin's state (a MarginRisk: its ledger, markets and tiers), so that the
engine answers from its own and views/ from the one it folds from the events, with the same code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from margin.adl import adl_rank
from margin.collateral import free_collateral_micro
from margin.requirements import cross_requirements, valuation_price_ticks
from margin.tiers import Tiers

if TYPE_CHECKING:
    from margin.engine import MarginEngine
    from margin.risk import MarginRisk


class PositionView(msgspec.Struct, frozen=True):
    market: str
    size_lots: int
    entry_price_ticks: int  # average, to the nearest tick
    mark_price_ticks: int
    notional_micro: int
    unrealized_pnl_micro: int
    realized_pnl_micro: int
    leverage: int  # chosen
    isolated: bool
    isolated_margin_micro: int  # 0 for a cross position
    liquidation_price_ticks: int  # long: at or below; short: at or above; 0: never (other markets' marks fixed)
    adl_rank: int  # 1 is deleveraged first on its side
    adl_of: int


class AccountSummary(msgspec.Struct, frozen=True):
    account_id: int
    balance_micro: int
    equity_micro: int
    unrealized_pnl_micro: int
    initial_margin_micro: int
    maintenance_margin_micro: int
    available_micro: int  # what a withdrawal may take: cross cash above cross initial margin
    margin_ratio_ppm: int  # maintenance / equity, rounded up; 1,000,000 or more is liquidation
    positions: list[PositionView]


def account_summary(engine: MarginEngine, account_id: int) -> AccountSummary | None:
    return summarize_account(engine.margin, account_id)


def summarize_account(risk: MarginRisk, account_id: int) -> AccountSummary | None:
    account = risk.ledger.accounts.get(account_id)
    if account is None:
        return None
    needed = risk.requirements(account)
    cross = cross_requirements(account, risk.markets, risk.tiers)
    views = []
    for symbol in sorted(account.positions):
        position = account.positions[symbol]
        if not position.size_lots:
            continue
        market = risk.markets[symbol]
        u = market.micro_per_tick_lot
        price = valuation_price_ticks(market)
        value = position.size_lots * price * u
        tiers = risk.tiers_of(market)
        isolated = symbol in account.isolated_micro
        # the bucket's equity without this position's mark value
        rest = account.isolated_micro[symbol] - position.cost_micro if isolated else cross.equity_micro - value
        rank = adl_rank(risk, account_id, symbol) or (0, 0)
        views.append(
            PositionView(
                symbol,
                position.size_lots,
                position.entry_price_ticks(u),
                price,
                abs(value),
                position.unrealized_micro(price, u),
                position.realized_pnl_micro,
                account.leverage.get(symbol, tiers.max_leverage),
                isolated,
                account.isolated_micro.get(symbol, 0),
                tiers.liquidation_price_ticks(position.size_lots, rest, u),
                rank[0],
                rank[1],
            )
        )
    equity = needed.equity_micro
    ratio = -(-needed.maintenance_micro * 1_000_000 // equity) if equity > 0 else (1_000_000 if views else 0)
    return AccountSummary(
        account_id,
        account.balance_micro,
        equity,
        equity - account.balance_micro,
        needed.initial_micro,
        needed.maintenance_micro,
        free_collateral_micro(account, risk.markets, risk.tiers),
        ratio,
        views,
    )


def positions(engine: MarginEngine, account_id: int) -> list[PositionView]:
    summary = account_summary(engine, account_id)
    return summary.positions if summary is not None else []


class LeverageBracket(msgspec.Struct, frozen=True):
    """One margin tier as Binance's leverageBracket shows it: maintenance = notional x rate - amount."""

    bracket: int  # 1-based
    max_leverage: int
    notional_floor_micro: int
    notional_cap_micro: int  # 0: no cap (the last tier)
    maintenance_rate_ppm: int  # 1 / (2 x max leverage), rounded to the nearest ppm (a view: the engine is exact)
    maintenance_amount_micro: int  # the deduction that keeps maintenance continuous, rounded down


def leverage_brackets(engine: MarginEngine, symbol: str) -> list[LeverageBracket] | None:
    market = engine.markets.get(symbol)
    if market is None:
        return None
    return brackets_of(engine.margin.tiers_of(market))


def brackets_of(tiers: Tiers) -> list[LeverageBracket]:
    brackets = []
    for i, (floor, leverage) in enumerate(zip(tiers.floors, tiers.leverages, strict=True)):
        cap = tiers.floors[i + 1] if i + 1 < len(tiers.floors) else 0
        rate_ppm = (1_000_000 + leverage) // (2 * leverage)  # nearest: (10^6 / 2L) rounded half up
        brackets.append(LeverageBracket(i + 1, leverage, floor, cap, rate_ppm, tiers.c[i] // tiers.denominator))
    return brackets
