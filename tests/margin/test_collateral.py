"""Deposits, withdrawals, leverage, the pre-trade check and fees; bad input changes nothing."""

import pytest

from margin.ledger import EXTERNAL_ACCOUNT
from messages.events import BalanceChanged, LeverageSet, Trade
from tests.margin.exchange import Exchange, rejected, spec, usdc


def margin_state(ex: Exchange) -> object:
    return ex.risk.snapshot_state()


def test_deposit_and_withdraw_book_against_the_external_account() -> None:
    ex = Exchange()
    events = ex.deposit(1, "1500.25")
    assert isinstance(events[0], BalanceChanged) and events[0].balance_micro == usdc("1500.25")
    ex.withdraw(1, "500")
    assert ex.balance(1) == usdc("1000.25")
    assert ex.balance(EXTERNAL_ACCOUNT) == -usdc("1000.25")


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        (lambda ex: ex.deposit(1, "0"), "AMOUNT_NOT_POSITIVE"),
        (lambda ex: ex.deposit(1, "-5"), "AMOUNT_NOT_POSITIVE"),
        (lambda ex: ex.deposit(0, "5"), "UNKNOWN_ACCOUNT"),
        (lambda ex: ex.withdraw(7, "1"), "UNKNOWN_ACCOUNT"),
        (lambda ex: ex.withdraw(1, "0"), "AMOUNT_NOT_POSITIVE"),
        (lambda ex: ex.withdraw(1, "500.000001"), "INSUFFICIENT_BALANCE"),  # 500 is held as initial margin
        (lambda ex: ex.leverage(1, 21), "LEVERAGE_TOO_HIGH"),
        (lambda ex: ex.leverage(1, 0), "LEVERAGE_TOO_HIGH"),
        (lambda ex: ex.leverage(1, 10, "NOPEUSDC"), "UNKNOWN_MARKET"),
        (lambda ex: ex.leverage(1, 1), "INSUFFICIENT_MARGIN"),  # 1x on 10,000 needs 10,000
        (lambda ex: ex.order(1, "buy", 101, "100"), "INSUFFICIENT_MARGIN"),  # 20,100 at 20x needs 1,005
        (lambda ex: ex.order(8, "buy", 1, "100"), "UNKNOWN_ACCOUNT"),
    ],
)
def test_bad_input_is_rejected_and_changes_nothing(command, reason: str) -> None:
    """Trader 1: 1,000 USDC, long 100 @ 100 at 20x (initial margin 500, 500 free)."""
    ex = Exchange()
    ex.deposit(1, "1000")
    ex.deposit(2, "100000")
    ex.order(2, "sell", 100, "100")
    ex.mark("100")
    ex.order(1, "buy", 100, "100")
    before = margin_state(ex)
    assert rejected(command(ex)) == reason
    assert margin_state(ex) == before


def test_withdraw_exactly_the_free_collateral() -> None:
    ex = Exchange()
    ex.deposit(1, "1000")
    ex.deposit(2, "100000")
    ex.order(2, "sell", 100, "100")
    ex.mark("100")
    ex.order(1, "buy", 100, "100")
    assert rejected(ex.withdraw(1, "500")) is None
    assert ex.balance(1) == usdc("500")


def test_an_order_needs_initial_margin_for_the_worst_case_of_open_orders() -> None:
    """1,000 USDC at 10x buys at most 10,000 of notional, resting orders included."""
    ex = Exchange()
    ex.deposit(1, "1000")
    ex.leverage(1, 10)
    ex.mark("100")
    assert rejected(ex.order(1, "buy", 60, "100")) is None  # 6,000 needs 600
    assert rejected(ex.order(1, "buy", 40, "100")) is None  # 10,000 needs 1,000
    assert rejected(ex.order(1, "buy", 1, "100")) == "INSUFFICIENT_MARGIN"
    assert rejected(ex.order(1, "sell", 100, "101")) == "INSUFFICIENT_MARGIN"  # the sell side alone: 10,100
    assert rejected(ex.order(1, "sell", 100, "100")) is None  # either side may fill: still 10,000 at worst


def test_reducing_orders_are_always_allowed() -> None:
    """Trader 1 at 20x, long 100 @ 100, mark 95.50: equity 550, initial margin 477.50. A buy of 20 more
    needs 573: refused. Selling the whole position (or a little beyond: the worst case stays the long
    side) never raises the requirement: accepted. A sell that makes the short side the worse case is not."""
    ex = Exchange()
    ex.deposit(1, "1000")
    ex.deposit(2, "100000")
    ex.order(2, "sell", 100, "100")
    ex.mark("100")
    ex.order(1, "buy", 100, "100")
    ex.mark("95.5")
    assert rejected(ex.order(1, "buy", 20, "95.5")) == "INSUFFICIENT_MARGIN"
    assert rejected(ex.order(1, "sell", 100, "120")) is None
    assert rejected(ex.order(1, "sell", 1, "120")) is None  # short case 2,570 < long case 9,550
    assert rejected(ex.order(1, "sell", 200, "120")) == "INSUFFICIENT_MARGIN"  # short case 26,570


def test_fees_on_every_fill_maker_may_be_a_rebate() -> None:
    """10,000 USDC traded: taker 4.5 bps = 4.50, maker -0.5 bps = a rebate of 0.50; the fee account keeps 4.00."""
    ex = Exchange(spec(maker_fee_ppm=-50, taker_fee_ppm=450))
    ex.deposit(1, "10000")
    ex.deposit(2, "10000")
    ex.mark("100")
    ex.order(2, "sell", 100, "100")
    events = ex.order(1, "buy", 100, "100")
    trade = next(e for e in events if isinstance(e, Trade))
    assert (trade.taker_fee_micro, trade.maker_fee_micro) == (usdc("4.5"), -usdc("0.5"))
    assert ex.balance(1) == usdc("9995.5")
    assert ex.balance(2) == usdc("10000.5")
    assert ex.fees == usdc("4")


def test_fees_round_toward_the_exchange() -> None:
    """1 lot at 0.01 (10,000 micro) at 0.5 bps: a fee of 0.5 micro is 1, a rebate of 0.5 micro is 0."""
    ex = Exchange(spec(maker_fee_ppm=-50, taker_fee_ppm=50))
    ex.deposit(1, "10")
    ex.deposit(2, "10")
    ex.mark("0.01")
    ex.order(2, "sell", 1, "0.01")
    trade = next(e for e in ex.order(1, "buy", 1, "0.01") if isinstance(e, Trade))
    assert (trade.taker_fee_micro, trade.maker_fee_micro) == (1, 0)


def test_set_leverage_event_and_effect() -> None:
    ex = Exchange()
    ex.deposit(1, "1000")
    events = ex.leverage(1, 5)
    assert isinstance(events[0], LeverageSet) and events[0].leverage == 5
    ex.mark("100")
    assert rejected(ex.order(1, "buy", 51, "100")) == "INSUFFICIENT_MARGIN"  # 5,100 at 5x needs 1,020
    assert rejected(ex.order(1, "buy", 50, "100")) is None


def test_orders_through_the_mark_also_reserve_their_open_loss() -> None:
    """1,000 USDC at 10x, mark 100.00, no asks: a resting buy of 90 above the mark would fill at a
    loss against it. At 101: 909 initial + 90 open loss = 999, accepted; at 102: 918 + 180, refused."""
    ex = Exchange()
    ex.deposit(1, "1000")
    ex.leverage(1, 10)
    ex.mark("100")
    assert rejected(ex.order(1, "buy", 90, "102")) == "INSUFFICIENT_MARGIN"
    assert rejected(ex.order(1, "buy", 90, "101")) is None
    assert rejected(ex.order(1, "sell", 100, "99")) == "INSUFFICIENT_MARGIN"  # short side 990 + 100 = 1,090
    assert rejected(ex.order(1, "sell", 90, "99")) is None  # short side 891 + 90 = 981: the long side stays worse


def test_an_order_refused_for_an_unknown_account_leaves_no_trace() -> None:
    """(Its state is unchanged, as the table above checks; nor does the engine keep a trader.)"""
    ex = Exchange()
    ex.mark("100")
    assert rejected(ex.order(77, "buy", 10, "99")) == "UNKNOWN_ACCOUNT"
    assert ex.engine.find_trader(77) is None and not ex.engine.traders


def test_an_account_gets_its_own_settings_tables_on_its_first_setting() -> None:
    ex = Exchange()
    ex.deposit(1, "1000")
    ex.deposit(2, "1000")
    accounts = ex.risk.ledger.accounts
    assert accounts[1].leverage is accounts[2].leverage  # the shared empty table
    ex.leverage(1, 5)
    assert accounts[1].leverage == {"AAPLUSDC": 5} and accounts[2].leverage == {}
