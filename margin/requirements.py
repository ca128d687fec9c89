"""Equity and margin requirements of an account, at the markets' valuation prices.

Positions are valued at the mark price, or at the last trade before the oracle's first mark.
An account has a cross bucket (the balance not set aside, and its cross positions) and one
bucket per isolated market (its isolated margin and position); each is liquidated on its own.
The cross bucket also needs what each isolated market's initial margin exceeds its own equity
(orders there are funded from cross when they fill).
The initial margin of a market counts the worst case of the account's resting orders: all its
buys filling (at their prices) or all its sells filling, whichever needs more margin. So an order
on the side that reduces the position does not raise the requirement, and is always allowed.
"""

from typing import Final, NamedTuple

from margin.accounts import Account, Position
from margin.arithmetic import signed_times
from margin.tiers import Tiers
from matching.market import Market


class Requirements(NamedTuple):
    equity_micro: int
    initial_micro: int  # positions plus the worst case of open orders
    maintenance_micro: int  # positions only


def valuation_price_ticks(market: Market) -> int:
    return market.mark_price_ticks or market.last_trade_ticks


def market_initial_micro(
    position: Position, tiers: Tiers, leverage: int, value_micro: int, price_micro_per_lot: int
) -> int:
    """Initial margin of one market: the position worth `value_micro` plus the worse side of its
    orders, each side with its open loss (buys above the mark, sells below it would fill at a loss
    against it; summed per side, before any price exists there is none)."""
    long_case = value_micro + position.buy_notional_micro
    short_case = value_micro - position.sell_notional_micro
    if long_case < 0:
        long_case = -long_case
    if short_case < 0:
        short_case = -short_case
    long_margin = tiers.initial_margin_micro(long_case, leverage)
    short_margin = tiers.initial_margin_micro(short_case, leverage)
    if price_micro_per_lot:
        long_loss = position.buy_notional_micro - position.buy_lots * price_micro_per_lot
        if long_loss > 0:
            long_margin += long_loss
        short_loss = position.sell_lots * price_micro_per_lot - position.sell_notional_micro
        if short_loss > 0:
            short_margin += short_loss
    return long_margin if long_margin > short_margin else short_margin


def equity_and_initial_micro(account: Account, markets: dict[str, Market], tiers: dict[str, Tiers]) -> tuple[int, int]:
    """The pre-trade check's half of `cross_requirements` (it needs no maintenance margin)."""
    if account.isolated_micro:
        needed = cross_requirements(account, markets, tiers)
        return needed.equity_micro, needed.initial_micro
    equity = account.balance_micro
    initial = 0
    leverages = account.leverage
    for symbol, position in account.positions.items():
        market = markets[symbol]
        t = tiers[symbol]
        per_lot = valuation_price_ticks(market) * market.micro_per_tick_lot
        value = signed_times(position.size_lots, per_lot)
        equity += value - position.cost_micro
        initial += market_initial_micro(position, t, leverages.get(symbol, t.leverages[0]), value, per_lot)
    return equity, initial


def equity_below_maintenance(account: Account, markets: dict[str, Market], tiers: dict[str, Tiers]) -> bool:
    """The post-trade check's half: is some bucket below maintenance (with a position open)?"""
    if account.isolated_micro:
        return bool(buckets_below_maintenance(account, markets, tiers))
    equity = account.balance_micro
    maintenance = 0
    for symbol, position in account.positions.items():
        size = position.size_lots
        if size:
            market = markets[symbol]
            value = signed_times(size, valuation_price_ticks(market) * market.micro_per_tick_lot)
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
        per_lot = valuation_price_ticks(market) * market.micro_per_tick_lot
        value = signed_times(position.size_lots, per_lot)
        equity += value - position.cost_micro
        initial += market_initial_micro(position, t, leverages.get(symbol, t.leverages[0]), value, per_lot)
        if value:
            maintenance += t.maintenance_margin_micro(value if value > 0 else -value)
    return Requirements(equity, initial, maintenance)


def isolated_requirements(
    account: Account, symbol: str, markets: dict[str, Market], tiers: dict[str, Tiers]
) -> Requirements:
    """The isolated bucket of `symbol`: its margin plus the position's unrealized PnL."""
    position = account.positions.get(symbol)
    margin = account.isolated_micro[symbol]
    if position is None:
        return Requirements(margin, 0, 0)
    market = markets[symbol]
    t = tiers[symbol]
    per_lot = valuation_price_ticks(market) * market.micro_per_tick_lot
    value = signed_times(position.size_lots, per_lot)
    initial = market_initial_micro(position, t, account.leverage.get(symbol, t.leverages[0]), value, per_lot)
    return Requirements(margin + value - position.cost_micro, initial, t.maintenance_margin_micro(abs(value)))


def cross_requirements(account: Account, markets: dict[str, Market], tiers: dict[str, Tiers]) -> Requirements:
    """The cross bucket: the balance not set aside, cross positions, isolated shortfalls."""
    isolated = account.isolated_micro
    equity = account.balance_micro - sum(isolated.values())
    initial = maintenance = 0
    for symbol, position in account.positions.items():
        if symbol in isolated:
            bucket = isolated_requirements(account, symbol, markets, tiers)
            if bucket.initial_micro > bucket.equity_micro:
                initial += bucket.initial_micro - bucket.equity_micro
            continue
        market = markets[symbol]
        t = tiers[symbol]
        per_lot = valuation_price_ticks(market) * market.micro_per_tick_lot
        value = signed_times(position.size_lots, per_lot)
        equity += value - position.cost_micro
        initial += market_initial_micro(position, t, account.leverage.get(symbol, t.leverages[0]), value, per_lot)
        if value:
            maintenance += t.maintenance_margin_micro(value if value > 0 else -value)
    return Requirements(equity, initial, maintenance)


CROSS: Final = ""  # the bucket name of the cross positions; isolated buckets are named by their market


def buckets_below_maintenance(account: Account, markets: dict[str, Market], tiers: dict[str, Tiers]) -> list[str]:
    """The buckets to liquidate: CROSS first if it is below, then isolated markets in symbol order."""
    below = []
    cross = cross_requirements(account, markets, tiers)
    if cross.maintenance_micro > 0 and cross.equity_micro < cross.maintenance_micro:
        below.append(CROSS)
    for symbol in sorted(account.isolated_micro):
        position = account.positions.get(symbol)
        if position is not None and position.size_lots:
            bucket = isolated_requirements(account, symbol, markets, tiers)
            if bucket.equity_micro < bucket.maintenance_micro:
                below.append(symbol)
    return below


def bucket_requirements(
    account: Account, bucket: str, markets: dict[str, Market], tiers: dict[str, Tiers]
) -> Requirements:
    if bucket == CROSS:
        return cross_requirements(account, markets, tiers)
    return isolated_requirements(account, bucket, markets, tiers)
