"""Differential: what margin/ books for FundingSettle and CashDividend agrees, account by account and
micro by micro, with funding/payments.py, over many settlements with random positions; and the sum
over every account, the fee account included, stays zero."""

import random

import pytest

from funding.payments import dividend_payments, funding_payments
from margin.engine import MarginEngine
from margin.ledger import FEE_ACCOUNT
from messages.commands import CashDividend, Deposit, FundingSettle, PlaceOrder, PriceUpdate
from messages.enums import SelfTradePrevention, Side
from messages.events import DividendPaid, FundingPaid, Rejected
from tests.funding.replay import AAPL

ACCOUNTS = range(1, 9)


class Margin:
    def __init__(self) -> None:
        self.engine = MarginEngine([AAPL])
        self.n = 0

    def apply(self, command_type: type, *args: object, **kwargs: object) -> list:
        self.n += 1
        if command_type is FundingSettle:  # settled once the interval has passed: the clock is at least there
            self.n = max(self.n, args[1])
        events = self.engine.apply(command_type(f"c{self.n}", self.n, *args, **kwargs))
        self.engine.check_invariants()
        assert not any(isinstance(e, Rejected) for e in events), events
        return events

    def positions(self) -> dict[int, int]:
        return {a: self.engine.risk.position_lots(a, "AAPLUSDC") for a in ACCOUNTS}

    def balances(self) -> int:
        accounts = self.engine.risk.ledger.accounts
        return sum(accounts[a].balance_micro for a in ACCOUNTS) + accounts[FEE_ACCOUNT].balance_micro


def trade(margin: Margin, rng: random.Random, price_ticks: int) -> None:
    seller, buyer = rng.sample(list(ACCOUNTS), 2)
    lots = rng.randint(100, 40_000)
    stp = SelfTradePrevention.NONE
    margin.apply(PlaceOrder, seller, "AAPLUSDC", Side.SELL, lots, price_ticks, self_trade_prevention=stp)
    margin.apply(PlaceOrder, buyer, "AAPLUSDC", Side.BUY, lots, price_ticks, self_trade_prevention=stp)


@pytest.mark.parametrize("seed", range(4))
def test_margin_books_funding_and_dividends_as_the_reference_splits_them(seed):
    rng = random.Random(seed)
    margin = Margin()
    for account in ACCOUNTS:
        margin.apply(Deposit, account, 10**12)
    funding_time_ms = 0
    for _ in range(25):
        index_ticks = rng.randint(9_000, 11_000)
        margin.apply(PriceUpdate, "AAPLUSDC", index_ticks, index_ticks)
        for _ in range(rng.randint(0, 4)):
            trade(margin, rng, index_ticks)
        positions = margin.positions()
        total_before = margin.balances()
        if rng.random() < 0.8:
            rate_ppb = rng.randint(-40_000_000, 40_000_000)
            funding_time_ms += 3_600_000
            events = margin.apply(FundingSettle, "AAPLUSDC", funding_time_ms, rate_ppb)
            expected = funding_payments(positions, index_ticks, AAPL.micro_per_tick_lot, rate_ppb)
            booked = {e.account_id: e.amount_micro for e in events if isinstance(e, FundingPaid)}
        else:
            amount = rng.randint(1, 2_000_000)
            events = margin.apply(CashDividend, "AAPLUSDC", amount)
            expected = dividend_payments(positions, amount, AAPL.lot_size)
            booked = {e.account_id: e.amount_micro for e in events if isinstance(e, DividendPaid)}
        assert {a: v for a, v in booked.items() if v or positions[a]} == expected.payments_micro
        assert margin.balances() == total_before, "funding and dividends move money, never create it"
