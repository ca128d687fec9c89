"""Funding through the cumulative index: exact, zero-sum, dust to the fee account, once per interval."""

from funding.payments import funding_payments
from messages.events import AccountUpdated, FundingPaid, FundingSettled
from tests.margin.exchange import Exchange, rejected, spec, usdc


def three_traders(shorts: tuple[int, int] = (70, 30)) -> Exchange:
    """1 long 100, 2 short 70, 3 short 30 (by default), all at 100.00; mark and index 100.00."""
    ex = Exchange(spec())
    for account in (1, 2, 3):
        ex.deposit(account, "100000")
    ex.mark("100")
    ex.order(2, "sell", shorts[0], "100")
    ex.order(3, "sell", shorts[1], "100")
    ex.order(1, "buy", 100, "100")
    return ex


def test_longs_pay_shorts_size_times_index_price_times_rate() -> None:
    """Rate 0.01% (100,000 ppb) on 100 x 100.00: the long pays 1.00, shorts get 0.70 and 0.30."""
    ex = three_traders()
    events = ex.funding(100_000, 3_600_000)
    paid = {e.account_id: e.amount_micro for e in events if isinstance(e, FundingPaid)}
    assert paid == {1: -usdc("1"), 2: usdc("0.7"), 3: usdc("0.3")}
    settled = events[-4]
    assert isinstance(settled, FundingSettled) and settled.dust_micro == 0
    updates = events[-3:]
    assert [(e.account_id, e.balance_micro, e.positions) for e in updates if isinstance(e, AccountUpdated)] == [
        (1, ex.balance(1), ()),
        (2, ex.balance(2), ()),
        (3, ex.balance(3), ()),
    ]
    assert ex.balance(1) == usdc("99999")


def test_rounding_dust_goes_to_the_fee_account_and_matches_the_reference_split() -> None:
    """Rate 3 ppb on 100.00 is 0.3 micro a share: the long pays 30, shorts of 71 and 29 receive 21.3 and
    8.7, rounded down to 21 and 8; the 1 micro left is the fee account's. funding/payments.py agrees."""
    ex = three_traders((71, 29))
    events = ex.funding(3, 3_600_000)
    paid = {e.account_id: e.amount_micro for e in events if isinstance(e, FundingPaid)}
    assert paid == {1: -30, 2: 21, 3: 8}
    assert paid == funding_payments({1: 100, 2: -71, 3: -29}, 10_000, 10_000, 3).payments_micro
    assert ex.fees == 1


def test_negative_rate_shorts_pay_longs() -> None:
    ex = three_traders()
    ex.funding(-200_000, 3_600_000)
    assert ex.balance(1) == usdc("100002")
    assert ex.balance(2) == usdc("100000") - usdc("1.4")


def test_each_interval_settles_once_and_needs_a_price() -> None:
    ex = three_traders()
    ex.funding(100_000, 3_600_000)
    before = ex.risk.snapshot_state()
    assert rejected(ex.funding(100_000, 3_600_000)) == "FUNDING_ALREADY_SETTLED"
    assert rejected(ex.funding(100_000, 0)) == "FUNDING_ALREADY_SETTLED"
    assert rejected(ex.funding(100_000, 7_200_000, market="NOPEUSDC")) == "UNKNOWN_MARKET"
    assert ex.risk.snapshot_state() == before
    fresh = Exchange()
    assert rejected(fresh.funding(1, 3_600_000)) == "NO_PRICE"


def test_funding_can_liquidate_a_thin_account() -> None:
    """Trader 4 holds 1,000 long at 20x with 5,000 (maintenance 2,500); a 30% rate costs 3,000."""
    ex = three_traders()
    ex.deposit(4, "5000")
    ex.deposit(5, "1000000")
    ex.order(5, "sell", 1000, "100")
    ex.order(4, "buy", 1000, "100")
    ex.deposit(6, "1000000")
    ex.order(6, "buy", 2000, "99")
    ex.funding(300_000_000, 3_600_000)
    assert ex.size(4) == 0
