"""Obviously-right twins of margin/'s fast paths, for differential tests.

`naive_check_order` prices the order the slow way: it copies the account field by field, adds the order to the
copy's open-order totals (removing the order an amend replaces), and compares the copy's cross
requirements with the original's from scratch, over every market and bucket.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from margin.accounts import Account, Position
from margin.requirements import cross_requirements
from matching.market import Market
from matching.order import Order
from messages.enums import RejectReason

if TYPE_CHECKING:
    from margin.risk import MarginRisk


def naive_check_order(risk: MarginRisk, market: Market, order: Order) -> RejectReason | None:
    if order.account_id in risk.liquidating:
        return None
    account = risk.ledger.accounts.get(order.account_id)
    if account is None or order.account_id <= 0:
        return RejectReason.UNKNOWN_ACCOUNT
    after = Account(account.account_id, account.balance_micro)
    after.leverage = dict(account.leverage)
    after.isolated_micro = dict(account.isolated_micro)
    for symbol, original_position in account.positions.items():
        twin = after.positions[symbol] = Position(symbol, after)
        twin.size_lots, twin.cost_micro = original_position.size_lots, original_position.cost_micro
        twin.buy_lots, twin.buy_notional_micro = original_position.buy_lots, original_position.buy_notional_micro
        twin.sell_lots, twin.sell_notional_micro = original_position.sell_lots, original_position.sell_notional_micro
    position = after.position(market.symbol)
    u = market.micro_per_tick_lot
    original = market.book.get(order.order_id)
    if original is not None and original is not order:
        notional = original.remaining_lots * original.price_ticks * u
        if original.is_buy:
            position.buy_lots -= original.remaining_lots
            position.buy_notional_micro -= notional
        else:
            position.sell_lots -= original.remaining_lots
            position.sell_notional_micro -= notional
    price = order.price_ticks or market.reference_price_ticks(order.is_buy)
    if order.is_buy:
        position.buy_lots += order.remaining_lots
        position.buy_notional_micro += order.remaining_lots * price * u
    else:
        position.sell_lots += order.remaining_lots
        position.sell_notional_micro += order.remaining_lots * price * u
    needed_before = cross_requirements(account, risk.markets, risk.tiers)
    needed_after = cross_requirements(after, risk.markets, risk.tiers)
    if needed_after.initial_micro <= needed_before.initial_micro:
        return None
    return RejectReason.INSUFFICIENT_MARGIN if needed_after.equity_micro < needed_after.initial_micro else None
