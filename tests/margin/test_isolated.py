"""Isolated margin: a position with its own margin, liquidated on its own, the rest untouched.

Trader 1 deposits 10,000 USDC, puts AAPL in isolated mode at 10x and buys 100 @ 100.00: 1,000 of
initial margin moves into the position; 9,000 stays in cross. In cross mode the same position
would be safe down to about 5; isolated, it is liquidated at 92.30 like a 1,000-USDC account.
"""

from margin.queries import account_summary
from messages.commands import AdjustIsolatedMargin, SetMarginMode
from messages.events import IsolatedMarginChanged, LiquidationTriggered, MarginModeSet
from tests.margin.exchange import Exchange, rejected, ticks, usdc


def isolated_long() -> Exchange:
    ex = Exchange()
    ex.deposit(1, "10000")
    ex.deposit(2, "100000")
    ex.mark("100")
    events = ex.apply(SetMarginMode, 1, "AAPLUSDC", True)
    assert isinstance(events[0], MarginModeSet)
    ex.leverage(1, 10)
    ex.order(2, "sell", 100, "100")
    ex.order(1, "buy", 100, "100")
    return ex


def test_opening_moves_the_initial_margin_into_the_position() -> None:
    ex = isolated_long()
    summary = account_summary(ex.engine, 1)
    position = summary.positions[0]
    assert position.isolated and position.isolated_margin_micro == usdc("1000")
    assert position.liquidation_price_ticks == ticks("92.30")
    assert summary.available_micro == usdc("9000")
    assert rejected(ex.withdraw(1, "9000.000001")) == "INSUFFICIENT_BALANCE"


def test_only_the_isolated_position_is_liquidated_and_cross_keeps_its_money() -> None:
    """| mark 92.30 | isolated equity 1,000 - 770 = 230 < maintenance 230.75: liquidated         |
    | bid 100 @ 92.00 takes it | isolated margin 1,000 - 800 = 200                            |
    | liquidation fee 0.5% x 9,230 = 46.15 to insurance | 153.85 returns to cross: 9,153.85    |"""
    ex = isolated_long()
    ex.order(2, "buy", 100, "92")
    events = ex.mark("92.30")
    triggered = [e for e in events if isinstance(e, LiquidationTriggered)]
    assert [(e.account_id, e.market, e.equity_micro) for e in triggered] == [(1, "AAPLUSDC", usdc("230"))]
    assert ex.size(1) == 0
    assert ex.balance(1) == usdc("9153.85")
    assert ex.insurance == usdc("46.15")
    assert ex.risk.ledger.accounts[1].isolated_micro == {"AAPLUSDC": 0}


def test_adding_margin_moves_the_liquidation_price() -> None:
    """500 more: equity 1,500 + 100 x (P - 100) < 2.5 P below P = 8,500 / 97.5 = 87.17..."""
    ex = isolated_long()
    events = ex.apply(AdjustIsolatedMargin, 1, "AAPLUSDC", usdc("500"))
    assert isinstance(events[0], IsolatedMarginChanged) and events[0].isolated_margin_micro == usdc("1500")
    assert account_summary(ex.engine, 1).positions[0].liquidation_price_ticks == ticks("87.17")
    ex.mark("90")
    assert ex.size(1) == 100


def test_isolated_margin_bad_input() -> None:
    ex = isolated_long()
    before = ex.risk.snapshot_state()
    assert rejected(ex.apply(AdjustIsolatedMargin, 1, "AAPLUSDC", -1)) == "INSUFFICIENT_BALANCE"  # at initial
    assert rejected(ex.apply(AdjustIsolatedMargin, 1, "AAPLUSDC", usdc("9000.01"))) == "INSUFFICIENT_BALANCE"
    assert rejected(ex.apply(AdjustIsolatedMargin, 2, "AAPLUSDC", usdc("1"))) == "NOT_ISOLATED"
    assert rejected(ex.apply(AdjustIsolatedMargin, 1, "AAPLUSDC", 0)) == "AMOUNT_NOT_POSITIVE"
    assert rejected(ex.apply(SetMarginMode, 1, "AAPLUSDC", False)) == "POSITION_OR_ORDERS_OPEN"
    assert rejected(ex.apply(SetMarginMode, 1, "NOPEUSDC", True)) == "UNKNOWN_MARKET"
    assert ex.risk.snapshot_state() == before


def test_closing_returns_the_margin_and_pnl_to_cross() -> None:
    ex = isolated_long()
    ex.order(2, "buy", 100, "103")
    ex.order(1, "sell", 100, "103")
    assert ex.risk.ledger.accounts[1].isolated_micro == {"AAPLUSDC": 0}
    assert ex.balance(1) == usdc("10300")
    assert rejected(ex.withdraw(1, "10300")) is None


def test_funding_of_an_isolated_position_moves_its_margin() -> None:
    """Rate 0.1% on 100 x 100.00: the isolated long pays 10 out of its 1,000 of margin. Cross then
    holds back the 10 the position lacks of its initial margin: 8,990 is free."""
    ex = isolated_long()
    ex.funding(1_000_000, 3_600_000)
    assert ex.risk.ledger.accounts[1].isolated_micro == {"AAPLUSDC": usdc("990")}
    assert ex.balance(1) == usdc("9990")
    assert account_summary(ex.engine, 1).available_micro == usdc("8990")
