"""Trading fees: parts per million of notional, charged on every fill.

`fee_micro` rounds toward the exchange: a fee is rounded up and a rebate (negative rate) is
rounded down in size, so the fee account never pays out a fraction it did not collect.
"""


def fee_micro(notional_micro: int, rate_ppm: int) -> int:
    """ceil(notional x rate / 10^6); negative for a rebate. Both branches multiply non-negative
    numbers, which the compiled engine does natively (margin/arithmetic.py)."""
    if rate_ppm >= 0:
        return (notional_micro * rate_ppm + 999_999) // 1_000_000
    return -(notional_micro * -rate_ppm // 1_000_000)
