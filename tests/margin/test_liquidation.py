"""Liquidation scenarios a trader can check by hand.

Market: prices in cents, 1 share per lot, no trading fees, tiers 20x below 1M USDC (maintenance
2.5%). Trader 1 deposits 1,000 USDC, sets 10x and buys 100 shares at 100.00 (notional 10,000,
initial margin 1,000). Equity at mark P: 1,000 + 100 x (P - 100); maintenance 100 x P x 2.5%.
Equity falls below maintenance when 97.5 P < 9,000: at 92.30 and below (92.31 is safe).
"""

import pytest

from margin.adl import adl_rank
from margin.ledger import INSURANCE_ACCOUNT
from margin.queries import account_summary
from messages.commands import SetMarketStatus
from messages.enums import CancelReason, LiquidationStep, MarketStatus
from messages.events import LiquidationTriggered, OrderCanceled, PositionDeleveraged, PositionLiquidated, Trade
from tests.margin.exchange import Exchange, ticks, usdc


def ten_x_long(short_accounts: tuple[tuple[int, str, int], ...] = ((2, "100000", 100),)) -> Exchange:
    ex = Exchange()
    ex.deposit(1, "1000")
    assert ex.leverage(1, 10)
    for account, deposit, lots in short_accounts:
        ex.deposit(account, deposit)
        ex.order(account, "sell", lots, "100")
    ex.mark("100")
    ex.order(1, "buy", 100, "100")
    assert ex.size(1) == 100
    return ex


def test_before_the_first_mark_a_trade_between_others_liquidates_a_holder() -> None:
    """No oracle mark yet: positions are valued at the last trade. Trader 1, 10x long 100 at
    100.00, is liquidated by a trade at 92.30 between two other accounts, in that same command."""
    ex = Exchange()
    ex.deposit(1, "1000")
    assert ex.leverage(1, 10)
    for account in (2, 3, 4):
        ex.deposit(account, "100000")
    ex.order(2, "sell", 100, "100")
    ex.order(1, "buy", 100, "100")
    ex.order(3, "buy", 1000, "80")  # deep bid far below, so the liquidation finds the book
    ex.order(4, "sell", 1, "92.31")
    ex.order(3, "buy", 1, "92.31")  # last trade 92.31: still safe
    assert ex.size(1) == 100
    ex.order(4, "sell", 1, "92.30")
    events = ex.order(3, "buy", 1, "92.30")  # last trade 92.30: below maintenance
    assert any(isinstance(e, LiquidationTriggered) and e.account_id == 1 for e in events)
    assert ex.size(1) == 0


@pytest.mark.parametrize(
    ("mark", "liquidated"),
    [("97", False), ("94", False), ("92.31", False), ("92.30", True)],
)
def test_ten_x_long_is_liquidated_at_92_30_not_before(mark: str, liquidated: bool) -> None:
    ex = ten_x_long()
    ex.deposit(3, "100000")
    ex.order(3, "buy", 1000, "80")  # deep bid far below, so a liquidation finds the book
    events = ex.mark(mark)
    assert any(isinstance(e, LiquidationTriggered) for e in events) is liquidated
    assert (ex.size(1) == 0) is liquidated


def test_liquidation_price_query_matches_the_hand_computation() -> None:
    ex = ten_x_long()
    summary = account_summary(ex.engine, 1)
    assert summary.positions[0].liquidation_price_ticks == ticks("92.30")
    assert summary.equity_micro == usdc("1000")
    assert summary.initial_margin_micro == usdc("1000")
    assert summary.maintenance_margin_micro == usdc("250")


def test_twelve_percent_gap_closes_into_the_book_within_the_bankruptcy_price() -> None:
    """Mark 100 -> 88 at once: equity -200, bankruptcy price 90.00. Bids: 50 @ 91, 30 @ 90, 100 @ 89.

    | step                     | sold             | balance of 1           | equity at 88       | bankruptcy |
    | IOC sell 100 limit 90.00 | 50 @ 91, 30 @ 90 | 1000 - 450 - 300 = 250 | 250 - 20 x 12 = 10 | 87.50      |
    | IOC sell 20 limit 87.50  | 20 @ 89          | 250 - 220 = 30         | 30 (flat)          |            |
    liquidation fee 0.5% x 8,800 = 44, capped at the 30 left, to insurance: trader 1 ends at 0.
    """
    ex = ten_x_long()
    ex.deposit(3, "100000")
    ex.order(3, "buy", 50, "91")
    ex.order(3, "buy", 30, "90")
    ex.order(3, "buy", 100, "89")
    events = ex.mark("88")
    trades = [(e.size_lots, e.price_ticks) for e in events if isinstance(e, Trade)]
    assert trades == [(50, ticks("91")), (30, ticks("90")), (20, ticks("89"))]
    liquidated = [e for e in events if isinstance(e, PositionLiquidated)]
    assert [(e.step, e.size_lots) for e in liquidated] == [(LiquidationStep.BOOK, -100)]
    assert ex.size(1) == 0
    assert ex.balance(1) == 0
    assert ex.insurance == usdc("30")
    assert ex.size(3) == 100


def test_insurance_fund_takes_what_the_book_cannot_at_the_bankruptcy_price() -> None:
    """Gap to 88 with no bids: the fund (5,000 USDC) buys 100 @ 90.00, a loss of 200 against the mark."""
    ex = ten_x_long()
    ex.seed_insurance("5000")
    events = ex.mark("88")
    liquidated = [e for e in events if isinstance(e, PositionLiquidated)]
    assert [(e.step, e.size_lots, e.price_ticks) for e in liquidated] == [
        (LiquidationStep.INSURANCE, -100, ticks("90"))
    ]
    assert ex.size(INSURANCE_ACCOUNT) == 100
    assert ex.equity(INSURANCE_ACCOUNT) == usdc("4800")
    assert ex.balance(1) == 0


def test_forty_percent_gap_with_empty_insurance_ends_in_auto_deleveraging() -> None:
    """Shorts: 2 sold 60 with 2,000 USDC, 3 sold 40 with 10,000. Mark 100 -> 60: trader 1's equity is
    -3,000, bankruptcy price 60 + 3,000/100 = 90.00; no bids, an empty fund, so shorts are deleveraged
    at 90, most profitable-and-leveraged first:

    | account | pnl at 60 | pnl ratio | equity | leverage       | score  | closes       | balance after     |
    | 2       | 2,400     | 0.4       | 4,400  | 3,600 / 4,400  | 0.327  | 60 @ 90 (1st) | 2,000 + 600 = 2,600 |
    | 3       | 1,600     | 0.4       | 11,600 | 2,400 / 11,600 | 0.083  | 40 @ 90 (2nd) | 10,000 + 400 = 10,400 |
    """
    ex = ten_x_long(((2, "2000", 60), (3, "10000", 40)))
    events = ex.mark("60")
    deleveraged = [(e.account_id, e.size_lots, e.price_ticks) for e in events if isinstance(e, PositionDeleveraged)]
    assert deleveraged == [(2, 60, ticks("90")), (3, 40, ticks("90"))]
    liquidated = [(e.step, e.size_lots) for e in events if isinstance(e, PositionLiquidated)]
    assert liquidated == [(LiquidationStep.ADL, -100)]
    assert (ex.balance(1), ex.balance(2), ex.balance(3)) == (0, usdc("2600"), usdc("10400"))
    assert (ex.size(1), ex.size(2), ex.size(3)) == (0, 0, 0)
    assert ex.insurance == 0


def test_adl_rank_orders_shorts_by_profit_and_leverage() -> None:
    ex = ten_x_long(((2, "2000", 60), (3, "10000", 40)))
    ex.mark("95")
    assert adl_rank(ex.risk, 2, "AAPLUSDC") == (1, 2)
    assert adl_rank(ex.risk, 3, "AAPLUSDC") == (2, 2)
    assert adl_rank(ex.risk, 1, "AAPLUSDC") == (1, 1)
    assert adl_rank(ex.risk, 5, "AAPLUSDC") is None


def test_liquidation_cancels_the_accounts_orders_and_survives_a_halted_book() -> None:
    """The market is halted, so no IOC can trade: the fund (5,000) takes the position at bankruptcy."""
    ex = ten_x_long()
    ex.seed_insurance("5000")
    ex.order(1, "sell", 10, "150")  # a take-profit that the liquidation must cancel
    ex.apply(SetMarketStatus, "AAPLUSDC", MarketStatus.HALTED)
    events = ex.mark("88")
    canceled = [e for e in events if isinstance(e, OrderCanceled)]
    assert [(e.account_id, e.reason) for e in canceled] == [(1, CancelReason.LIQUIDATION)]
    assert [e.step for e in events if isinstance(e, PositionLiquidated)] == [LiquidationStep.INSURANCE]
    assert ex.size(1) == 0 and ex.size(INSURANCE_ACCOUNT) == 100


def test_the_insurance_fund_unwinds_into_the_book_never_below_the_mark() -> None:
    """The fund took 100 @ 90.00 at mark 88 (equity 4,800). Bids appear: 50 @ 88.50 and 100 @ 87.
    At the next mark (88) it sells 50 @ 88.50 and keeps the rest, as 87 is below the mark:
    equity 5,000 - 75 realized - 100 unrealized = 4,825."""
    ex = ten_x_long()
    ex.seed_insurance("5000")
    ex.mark("88")
    assert ex.size(INSURANCE_ACCOUNT) == 100
    ex.deposit(3, "100000")
    ex.order(3, "buy", 50, "88.5")
    ex.order(3, "buy", 100, "87")
    events = ex.mark("88")
    fund_trades = [(e.size_lots, e.price_ticks) for e in events if isinstance(e, Trade)]
    assert fund_trades == [(50, ticks("88.5"))]
    assert ex.size(INSURANCE_ACCOUNT) == 50
    assert ex.equity(INSURANCE_ACCOUNT) == usdc("4825")


def test_before_any_mark_an_account_that_trades_is_valued_at_the_last_trade() -> None:
    """No PriceUpdate yet. Trader 1 (1,000 at 10x) buys 100 @ 100, then sells 1 @ 91 into 3's bid:
    valued at 91 it has 1,000 - 9 - 99 x 9 = 100 of equity against 99 x 91 x 2.5% = 225.23 of
    maintenance, so it is liquidated into the same bid: 99 @ 91, then the 0.5% fee on 9,009 (45.045)."""
    ex = Exchange()
    ex.deposit(1, "1000")
    ex.deposit(2, "100000")
    ex.deposit(3, "100000")
    ex.leverage(1, 10)
    ex.order(2, "sell", 100, "100")
    ex.order(1, "buy", 100, "100")
    ex.order(3, "buy", 100, "91")
    events = ex.order(1, "sell", 1, "91")
    assert any(isinstance(e, LiquidationTriggered) for e in events)
    assert ex.size(1) == 0 and ex.size(3) == 100
    assert ex.balance(1) == usdc("1000") - usdc("9") - usdc("891") - usdc("45.045")
