"""Split and CashDividend.

A split of n new shares for o old ones keeps every integer in the engine (price ticks, size lots,
entry costs, order prices and sizes) and changes what a tick and a lot mean: the tick becomes
o/n of its size and the lot n/o of its size. Every position's size and entry price, every resting
order's price and size, and the market's tick and lot are so rescaled, and their product (micro
per tick lot) is unchanged, so no account's equity moves by a single micro-USDC. A ratio whose
new tick or lot would not be an exact decimal is refused.

A cash dividend pays longs and charges shorts amount x shares held: shorts pay the ceiling, longs
receive the floor, the dust goes to the fee account.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import msgspec

from messages.commands import CashDividend, Split
from messages.enums import RejectReason
from messages.events import DividendPaid, DividendSettled, SplitApplied
from messages.limits import MAX_PRICE_TICKS

if TYPE_CHECKING:
    from margin.engine import MarginEngine


def exact_decimal(value: Fraction) -> str | None:
    """`value` as a plain decimal string, or None if it has no finite decimal expansion."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return None
    text = format((Decimal(value.numerator) / Decimal(value.denominator)).normalize(), "f")
    return text


def split(engine: MarginEngine, cmd: Split) -> None:
    market = engine.markets.get(cmd.market)
    if market is None:
        engine.reject(cmd, RejectReason.UNKNOWN_MARKET)
        return
    if cmd.ratio_new <= 0 or cmd.ratio_old <= 0:
        engine.reject(cmd, RejectReason.INVALID_RATIO)
        return
    spec = market.spec
    ratio = Fraction(cmd.ratio_new, cmd.ratio_old)
    tick = exact_decimal(Fraction(Decimal(spec.tick_size)) / ratio)
    lot = exact_decimal(Fraction(Decimal(spec.lot_size)) * ratio)
    if tick is None or lot is None:
        engine.reject(cmd, RejectReason.INVALID_RATIO, "tick or lot would not be an exact decimal")
        return
    new_spec = msgspec.structs.replace(spec, tick_size=tick, lot_size=lot)
    if new_spec.validate() is not None or new_spec.micro_per_tick_lot != spec.micro_per_tick_lot:
        engine.reject(cmd, RejectReason.INVALID_RATIO, str(new_spec.validate()))
        return
    market.spec = new_spec
    engine.out.append(
        SplitApplied(
            engine.take_seq(), engine.command_id, engine.ts_ms, market.symbol, cmd.ratio_new, cmd.ratio_old, tick, lot
        )
    )


def cash_dividend(engine: MarginEngine, cmd: CashDividend) -> None:
    market = engine.markets.get(cmd.market)
    if market is None:
        engine.reject(cmd, RejectReason.UNKNOWN_MARKET)
        return
    if cmd.amount_micro_per_share <= 0:
        engine.reject(cmd, RejectReason.AMOUNT_NOT_POSITIVE)
        return
    risk = engine.margin
    symbol = market.symbol
    per_lot = Fraction(Decimal(market.spec.lot_size)) * cmd.amount_micro_per_share  # micro-USDC per lot
    if per_lot > market.micro_per_tick_lot * MAX_PRICE_TICKS:  # so a payment is bounded as a notional is
        engine.reject(cmd, RejectReason.AMOUNT_OUT_OF_RANGE, "more than a share at the highest price")
        return
    accounts = risk.ledger.accounts
    paid = received = 0
    for account_id in sorted(risk.holders.get(symbol, ())):
        account = accounts[account_id]
        size = account.positions[symbol].size_lots
        amount = math.floor(per_lot * size)  # a long receives the floor, a short pays the ceiling
        risk.credit(account, symbol, amount)
        if amount > 0:
            received += amount
        else:
            paid -= amount
        engine.out.append(
            DividendPaid(engine.take_seq(), engine.command_id, engine.ts_ms, account_id, symbol, size, amount)
        )
    engine.out.append(
        DividendSettled(
            engine.take_seq(),
            engine.command_id,
            engine.ts_ms,
            symbol,
            cmd.amount_micro_per_share,
            paid,
            received,
            paid - received,
        )
    )
