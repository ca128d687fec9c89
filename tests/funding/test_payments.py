from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funding.payments import PaymentSplit, dividend_payments, funding_payments

MICRO_PER_TICK_LOT = 10  # tick 0.01 x lot 0.001 x 1e6


def test_longs_pay_shorts_when_the_rate_is_positive():
    # 1 share long (1_000 lots) at index 100.00, rate 0.01% = 100_000 ppb: notional 100 USDC pays 0.01 USDC
    split = funding_payments({1: 1_000, 2: -1_000}, 10_000, MICRO_PER_TICK_LOT, 100_000)
    assert split == PaymentSplit({1: -10_000, 2: 10_000}, 0)


def test_shorts_pay_longs_when_the_rate_is_negative():
    split = funding_payments({1: 3_000, 2: -1_000, 3: -2_000}, 10_000, MICRO_PER_TICK_LOT, -997_005)
    # notional 300 / 100 / 200 USDC x 0.0997005%: 299_101.5, 99_700.5, 199_401 micro
    assert split == PaymentSplit({1: 299_101, 2: -99_701, 3: -199_401}, 1)


def test_rounding_dust_goes_to_the_fee_account_never_to_nobody():
    # three 1-lot shorts and a 3-lot long at 1 tick, rate 1/3 of a micro each: every account rounds down
    split = funding_payments({1: 3, 2: -1, 3: -1, 4: -1}, 1, 1, 333_333_333)
    assert split.payments_micro == {1: -1, 2: 0, 3: 0, 4: 0}
    assert split.dust_micro == 1
    assert sum(split.payments_micro.values()) + split.dust_micro == 0


def test_a_dividend_is_paid_by_shorts_to_longs():
    # 0.24 USDC per share; lot 0.001 share: 2.5 shares long, 1.5 + 1 short
    split = dividend_payments({1: 2_500, 2: -1_500, 3: -1_000}, 240_000, "0.001")
    assert split == PaymentSplit({1: 600_000, 2: -360_000, 3: -240_000}, 0)


def test_flat_accounts_are_left_out():
    assert funding_payments({1: 0, 2: 5, 3: -5}, 100, 10, 1_000_000).payments_micro.keys() == {2, 3}


def test_positions_must_sum_to_zero():
    with pytest.raises(ValueError, match="sum to zero"):
        funding_payments({1: 5, 2: -4}, 100, 10, 1_000)


positions = st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=40).map(
    lambda sizes: {i + 1: size for i, size in enumerate(sizes)} | {0: -sum(sizes)}
)


@settings(max_examples=300, deadline=None)
@given(positions, st.integers(1, 10**7), st.sampled_from([1, 10, 100, 1_000]), st.integers(-40_000_000, 40_000_000))
def test_funding_is_zero_sum_and_each_payment_within_a_micro_of_exact(book, price, per_tick_lot, rate_ppb):
    split = funding_payments(book, price, per_tick_lot, rate_ppb)
    assert sum(split.payments_micro.values()) + split.dust_micro == 0
    payers = sum(1 for lots in book.values() if lots)
    assert 0 <= split.dust_micro < max(payers, 1)
    for account, paid in split.payments_micro.items():
        exact = Fraction(-book[account] * price * per_tick_lot * rate_ppb, 10**9)
        assert exact - 1 < paid <= exact, "rounded down, by less than a micro"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(positions, st.integers(-40_000_000, 40_000_000)), min_size=1, max_size=30))
def test_many_settlements_with_random_positions_stay_zero_sum(settlements):
    """Every account plus the fee account, summed over a run of settlements whose positions change
    between them: exactly zero, with the fee account only ever receiving."""
    balances: dict[int, int] = {}
    fee_account = 0
    for book, rate_ppb in settlements:
        split = funding_payments(book, 12_345, 10, rate_ppb)
        for account, paid in split.payments_micro.items():
            balances[account] = balances.get(account, 0) + paid
        assert split.dust_micro >= 0
        fee_account += split.dust_micro
    assert sum(balances.values()) + fee_account == 0


@settings(max_examples=200, deadline=None)
@given(positions, st.integers(0, 10**8), st.sampled_from(["1", "0.1", "0.001", "0.0001"]))
def test_dividends_are_zero_sum(book, amount, lot_size):
    split = dividend_payments(book, amount, lot_size)
    assert sum(split.payments_micro.values()) + split.dust_micro == 0
    assert all(paid >= 0 for account, paid in split.payments_micro.items() if book[account] > 0)
