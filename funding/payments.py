"""Who pays whom when a FundingSettle or a CashDividend is applied: the split the engine must book
(margin/ applies it; this is the reference it can be checked against).

Funding: an account holding `size_lots` (signed, long positive) receives
    -size_lots x index_price_ticks x micro_per_tick_lot x rate_ppb / 1e9   micro-USDC,
so with a positive rate longs pay shorts. A dividend: it receives size_lots x shares_per_lot x amount
per share, so shorts pay longs. Positions sum to zero, so the exact amounts do too; each account's
amount is rounded down (a payer pays the fraction, a receiver forgoes it), which leaves a surplus of
less than one micro-USDC per account, booked to the fee account: every micro is accounted for.
"""

from decimal import Decimal
from fractions import Fraction

import msgspec

from funding.premium import PPB


class PaymentSplit(msgspec.Struct, frozen=True):
    """Micro-USDC each account receives (negative: pays), and the rounding surplus for the fee
    account; `sum(payments_micro.values()) + dust_micro == 0` always."""

    payments_micro: dict[int, int]
    dust_micro: int


def funding_payments(
    positions_lots: dict[int, int], index_price_ticks: int, micro_per_tick_lot: int, rate_ppb: int
) -> PaymentSplit:
    per_lot_micro = Fraction(-index_price_ticks * micro_per_tick_lot * rate_ppb, PPB)
    return _split(positions_lots, per_lot_micro)


def dividend_payments(positions_lots: dict[int, int], amount_micro_per_share: int, lot_size: str) -> PaymentSplit:
    per_lot_micro = Fraction(Decimal(lot_size)) * amount_micro_per_share
    return _split(positions_lots, per_lot_micro)


def _split(positions_lots: dict[int, int], per_lot_micro: Fraction) -> PaymentSplit:
    if sum(positions_lots.values()) != 0:
        raise ValueError("positions in a market must sum to zero")
    payments = {account: _floor(lots * per_lot_micro) for account, lots in sorted(positions_lots.items()) if lots}
    return PaymentSplit(payments, -sum(payments.values()))


def _floor(value: Fraction) -> int:
    return value.numerator // value.denominator
