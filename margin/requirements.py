"""Equity and margin requirements of an account, at the markets' valuation prices.

Positions are valued at the mark price, or at the last trade before the oracle's first mark.
The initial margin of a market counts the worst case of the account's resting orders: all its
buys filling (at their prices) or all its sells filling, whichever needs more margin. So an order
on the side that reduces the position does not raise the requirement, and is always allowed.
"""

from typing import NamedTuple

from margin.accounts import Account, Position
from margin.tiers import Tiers
from matching.market import Market


class Requirements(NamedTuple):
    equity_micro: int
    initial_micro: int  # positions plus the worst case of open orders
    maintenance_micro: int  # positions only


def valuation_price_ticks(market: Market) -> int:
    return market.mark_price_ticks or market.last_trade_ticks


def market_initial_micro(position: Position, tiers: Tiers, leverage: int, value_micro: int) -> int:
    """Initial margin of one market: the position worth `value_micro` plus the worse side of its orders."""
    long_case = value_micro + position.buy_notional_micro
    short_case = value_micro - position.sell_notional_micro
    if long_case < 0:
        long_case = -long_case
    if short_case < 0:
        short_case = -short_case
    return tiers.initial_margin_micro(long_case if long_case > short_case else short_case, leverage)


def equity_and_initial_micro(account: Account, markets: dict[str, Market], tiers: dict[str, Tiers]) -> tuple[int, int]:
    """The pre-trade check's half of `account_requirements` (it needs no maintenance margin)."""
    equity = account.balance_micro
    initial = 0
    leverages = account.leverage
    for symbol, position in account.positions.items():
        market = markets[symbol]
        t = tiers[symbol]
        value = position.size_lots * (market.mark_price_ticks or market.last_trade_ticks) * market.micro_per_tick_lot
        equity += value - position.cost_micro
        initial += market_initial_micro(position, t, leverages.get(symbol, t.leverages[0]), value)
    return equity, initial


def equity_below_maintenance(account: Account, markets: dict[str, Market], tiers: dict[str, Tiers]) -> bool:
    """The post-trade check's half: is equity below maintenance (with some position open)?"""
    equity = account.balance_micro
    maintenance = 0
    for symbol, position in account.positions.items():
        size = position.size_lots
        if size:
            market = markets[symbol]
            value = size * (market.mark_price_ticks or market.last_trade_ticks) * market.micro_per_tick_lot
            equity += value - position.cost_micro
            maintenance += tiers[symbol].maintenance_margin_micro(value if value > 0 else -value)
    return maintenance > 0 and equity < maintenance


def account_requirements(account: Account, markets: dict[str, Market], tiers: dict[str, Tiers]) -> Requirements:
    equity = account.balance_micro
    initial = maintenance = 0
    leverages = account.leverage
    for symbol, position in account.positions.items():
        market = markets[symbol]
        t = tiers[symbol]
        value = position.size_lots * valuation_price_ticks(market) * market.micro_per_tick_lot
        equity += value - position.cost_micro
        initial += market_initial_micro(position, t, leverages.get(symbol, t.leverages[0]), value)
        if value:
            maintenance += t.maintenance_margin_micro(value if value > 0 else -value)
    return Requirements(equity, initial, maintenance)
