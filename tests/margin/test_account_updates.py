"""AccountUpdated: after every command that changed an account, its balance and the positions that
changed, at the end of the command in account-id order. Every Exchange in tests/margin also folds
the events and compares them with the engine after each command; these tests say what the events
are in the plain cases, and run random sequences with liquidations against the fold."""

import random

import pytest

from margin.engine import MarginEngine
from messages.commands import AdjustIsolatedMargin, CancelAll, PlaceOrder, SetMarginMode
from messages.enums import OrderType, Side, TimeInForce
from messages.events import AccountUpdated, Event, OrderRested, PositionState, Trade
from tests.margin.exchange import Exchange, spec, usdc
from tests.messages.fold import Fold


def updates(events: list[Event]) -> list[tuple[int, int, tuple[PositionState, ...]]]:
    return [(e.account_id, e.balance_micro, e.positions) for e in events if isinstance(e, AccountUpdated)]


def test_a_deposit_reports_the_balance_alone() -> None:
    ex = Exchange()
    events = ex.deposit(7, "12.5")
    assert [type(e).__name__ for e in events] == ["BalanceChanged", "AccountUpdated"]
    assert updates(events) == [(7, usdc("12.5"), ())]


def test_a_resting_order_changes_no_account_and_a_fill_reports_both_in_id_order() -> None:
    """Fees 0.045% taker, 0.015% maker on 100 shares at 100.00 (10,000 USDC): 4.50 and 1.50."""
    ex = Exchange(spec(taker_fee_ppm=450, maker_fee_ppm=150))
    ex.deposit(5, "100000")
    ex.deposit(3, "100000")
    ex.mark("100")
    rested = ex.order(5, "sell", 100, "100")
    assert [type(e).__name__ for e in rested] == ["OrderAccepted", "OrderRested"]
    events = ex.order(3, "buy", 100, "100")
    assert [type(e).__name__ for e in events] == ["OrderAccepted", "Trade", "AccountUpdated", "AccountUpdated"]
    assert updates(events) == [
        (3, usdc("99995.5"), (PositionState("AAPLUSDC", 100, usdc("10000"), 0, 20, False, 0),)),
        (5, usdc("99998.5"), (PositionState("AAPLUSDC", -100, -usdc("10000"), 0, 20, False, 0),)),
    ]


def test_a_trade_carries_the_pnl_each_side_realized() -> None:
    ex = Exchange()
    for account in (1, 2, 3):
        ex.deposit(account, "100000")
    ex.order(2, "sell", 100, "100")
    ex.order(1, "buy", 100, "100")
    ex.order(3, "buy", 40, "110")
    events = ex.order(1, "sell", 40, "110")  # account 1 closes 40 at +10.00 a share; 2 is flat on it
    trade = next(e for e in events if isinstance(e, Trade))
    assert (trade.taker_realized_pnl_micro, trade.maker_realized_pnl_micro) == (usdc("400"), 0)
    assert updates(events)[0][2] == (PositionState("AAPLUSDC", 60, usdc("6000"), usdc("400"), 20, False, 0),)


def test_leverage_and_margin_mode_report_the_position_they_set() -> None:
    ex = Exchange()
    ex.deposit(1, "1000")
    assert updates(ex.leverage(1, 5)) == [(1, usdc("1000"), (PositionState("AAPLUSDC", 0, 0, 0, 5, False, 0),))]
    events = ex.apply(SetMarginMode, 1, "AAPLUSDC", True)
    assert updates(events) == [(1, usdc("1000"), (PositionState("AAPLUSDC", 0, 0, 0, 5, True, 0),))]
    assert updates(ex.leverage(1, 50)) == []  # refused: nothing changed, nothing reported


def test_isolated_margin_moves_are_reported_with_the_position() -> None:
    ex = Exchange()
    ex.deposit(1, "10000")
    ex.deposit(2, "100000")
    ex.mark("100")
    ex.apply(SetMarginMode, 1, "AAPLUSDC", True)
    ex.leverage(1, 10)
    ex.order(2, "sell", 100, "100")
    opened = ex.order(1, "buy", 100, "100")
    assert updates(opened)[0] == (
        1,
        usdc("10000"),
        (PositionState("AAPLUSDC", 100, usdc("10000"), 0, 10, True, usdc("1000")),),
    )
    events = ex.apply(AdjustIsolatedMargin, 1, "AAPLUSDC", usdc("500"))
    assert updates(events) == [
        (1, usdc("10000"), (PositionState("AAPLUSDC", 100, usdc("10000"), 0, 10, True, usdc("1500")),))
    ]


def test_two_markets_are_listed_in_market_order() -> None:
    ex = Exchange(spec("NVDAUSDC"), spec("AAPLUSDC"))
    ex.deposit(1, "100000")
    ex.deposit(2, "100000")
    for market in ("NVDAUSDC", "AAPLUSDC"):
        ex.mark("100", market)
        ex.order(2, "sell", 10, "100", market)
        ex.order(2, "buy", 10, "99", market)
    ex.order(1, "buy", 10, "100", "NVDAUSDC")
    ex.order(1, "buy", 10, "100", "AAPLUSDC")
    events = ex.mark("60", "NVDAUSDC")  # nobody liquidated: 100,000 covers it
    assert updates(events) == []
    events = ex.apply(CancelAll, 2)
    assert updates(events) == []  # canceling orders moves no balance and no position
    ex.order(2, "buy", 10, "100", "NVDAUSDC")
    ex.order(2, "buy", 10, "100", "AAPLUSDC")
    both = ex.apply(PlaceOrder, 1, "NVDAUSDC", Side.SELL, 10, 0, OrderType.MARKET, TimeInForce.IOC) + ex.apply(
        PlaceOrder, 1, "AAPLUSDC", Side.SELL, 10, 0, OrderType.MARKET, TimeInForce.IOC
    )
    assert [p.market for _, _, positions in updates(both) for p in positions] == [
        "NVDAUSDC",
        "NVDAUSDC",
        "AAPLUSDC",
        "AAPLUSDC",
    ]
    assert not any(isinstance(e, OrderRested) for e in both)


def test_random_trading_with_liquidations_folds_to_the_engine() -> None:
    """Leveraged traders, a maker, marks that gap by up to 30%, funding: liquidations by the book,
    the insurance fund and ADL; after every command the fold equals the engine (Exchange checks)."""
    kinds: set[str] = set()
    for seed in range(12):
        rng = random.Random(seed)
        ex = Exchange(spec("AAPLUSDC"), spec("NVDAUSDC", lot_size="0.1"))
        for account in range(1, 7):
            ex.deposit(account, str(rng.choice((500, 2_000, 50_000))))
        ex.deposit(9, "10000000")
        marks = {"AAPLUSDC": 10_000, "NVDAUSDC": 10_000}
        for market in marks:
            ex.mark("100", market)
        for step in range(150):
            market = rng.choice(tuple(marks))
            roll = rng.random()
            account = rng.randint(1, 6)
            side = rng.choice((Side.BUY, Side.SELL))
            if roll < 0.35:
                price = max(1, marks[market] + rng.randint(-300, 300))
                ex.apply(PlaceOrder, account, market, side, rng.randint(1, 200), price)
            elif roll < 0.5:
                ex.apply(PlaceOrder, account, market, side, rng.randint(1, 200), 0, OrderType.MARKET, TimeInForce.IOC)
            elif roll < 0.65:
                for is_buy in (True, False):
                    price = marks[market] + (-50 if is_buy else 50)
                    ex.apply(PlaceOrder, 9, market, Side.BUY if is_buy else Side.SELL, rng.randint(10, 300), price)
            elif roll < 0.8:
                marks[market] = max(100, marks[market] * (10_000 + rng.randint(-3_000, 3_000)) // 10_000)
                ex.mark(f"{marks[market] / 100:.2f}", market)
            elif roll < 0.85:
                ex.funding(rng.randint(-500_000, 500_000), step * 3_600_000, market)
            elif roll < 0.9:
                ex.leverage(account, rng.randint(1, 20), market)
            elif roll < 0.95:
                ex.apply(SetMarginMode, account, market, rng.random() < 0.5)
            else:
                ex.apply(CancelAll, rng.choice((account, 9)))
            kinds.update(type(e).__name__ for e in ex.events[-30:])
        restored = MarginEngine.restore(ex.engine.snapshot())
        assert {s: m.book_update_id for s, m in restored.markets.items()} == {
            s: m.book_update_id for s, m in ex.engine.markets.items()
        }
    assert {"LiquidationTriggered", "PositionLiquidated", "FundingPaid", "AccountUpdated"} <= kinds


def test_the_fold_starts_empty_and_needs_every_event() -> None:
    """A fold that misses one event notices at the next (seqs have no gaps)."""
    ex = Exchange()
    ex.deposit(1, "100")
    events = ex.deposit(2, "100")
    with pytest.raises(AssertionError, match="seq gap"):
        Fold([spec()]).apply_all(events)
