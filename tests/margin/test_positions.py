"""Positions: signed size, entry cost, realized PnL on the closing part, unrealized at the mark.

One trader against a deep counterparty, no fees; prices in USDC, 1 share a lot.
"""

import pytest

from margin.queries import account_summary
from tests.margin.exchange import Exchange, ticks, usdc

# | step | trade          | size | average entry | realized (cumulative) |
STEPS = [
    ("buy", 10, "100", 10, "100", "0"),
    ("buy", 10, "110", 20, "105", "0"),
    ("sell", 5, "120", 15, "105", "75"),  # 5 x (120 - 105)
    ("sell", 25, "90", -10, "90", "-150"),  # closes 15 x (90 - 105) = -225, opens a short of 10 at 90
    ("buy", 4, "80", -6, "90", "-110"),  # 4 x (90 - 80) = +40
    ("buy", 6, "95", 0, "0", "-140"),  # 6 x (90 - 95) = -30
]


def test_position_walk_realizes_pnl_on_the_closing_part_only() -> None:
    ex = Exchange()
    ex.deposit(1, "100000")
    ex.deposit(2, "1000000")
    ex.mark("100")
    for side, lots, price, size, entry, realized in STEPS:
        ex.order(2, "sell" if side == "buy" else "buy", lots, price)
        ex.order(1, side, lots, price)
        position = ex.risk.ledger.accounts[1].positions["AAPLUSDC"]
        assert position.size_lots == size
        assert position.entry_price_ticks(10_000) == ticks(entry)
        assert position.realized_pnl_micro == usdc(realized)
    assert ex.balance(1) == usdc("100000") + usdc("-140")


@pytest.mark.parametrize(("mark", "unrealized"), [("100", "0"), ("112.5", "125"), ("91", "-90")])
def test_unrealized_pnl_at_the_mark(mark: str, unrealized: str) -> None:
    ex = Exchange()
    ex.deposit(1, "100000")
    ex.deposit(2, "1000000")
    ex.mark("100")
    ex.order(2, "sell", 10, "100")
    ex.order(1, "buy", 10, "100")
    ex.mark(mark)
    summary = account_summary(ex.engine, 1)
    assert summary.unrealized_pnl_micro == usdc(unrealized)
    assert summary.positions[0].unrealized_pnl_micro == usdc(unrealized)
    assert summary.equity_micro == usdc("100000") + usdc(unrealized)


def test_a_short_is_liquidated_on_the_way_up() -> None:
    """Short 100 @ 100 with 1,000 at 10x: equity 1,000 - 100 (P - 100) < 2.5 P above P = 11,000/102.5
    = 107.317...: liquidated at 107.32, not at 107.31; the ask at 108 takes it (bankruptcy 110.00)."""
    ex = Exchange()
    ex.deposit(1, "1000")
    ex.deposit(2, "100000")
    ex.leverage(1, 10)
    ex.mark("100")
    ex.order(2, "buy", 100, "100")
    ex.order(1, "sell", 100, "100")
    assert account_summary(ex.engine, 1).positions[0].liquidation_price_ticks == ticks("107.32")
    ex.order(2, "sell", 100, "108")
    ex.mark("107.31")
    assert ex.size(1) == -100
    ex.mark("107.32")
    assert ex.size(1) == 0
    assert ex.balance(1) == usdc("1000") - usdc("800") - usdc("53.66")  # the 0.5% fee on 10,732
    assert ex.insurance == usdc("53.66")
