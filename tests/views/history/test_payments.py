"""Money that moves outside trades: deposits and withdrawals, funding, dividends, liquidations."""

from pathlib import Path

from messages.enums import BalanceReason, LiquidationStep
from messages.events import (
    BalanceChanged,
    DividendPaid,
    DividendSettled,
    FundingPaid,
    FundingSettled,
    LiquidationTriggered,
    PositionDeleveraged,
    PositionLiquidated,
    SplitApplied,
)
from tests.views.history.script import T0_MS, Script, history, table
from views.history.queries import balance_changes, funding_rates, income, liquidations

M = "AAPLUSDC"
HOUR_MS = 3_600_000


def test_deposit_and_withdrawal(tmp_path: Path) -> None:
    """Alice deposits 1,000 USDC and withdraws 250: two TRANSFER incomes, the balance after each."""
    s = Script()
    s.command().add(
        BalanceChanged,
        account_id=1,
        amount_micro=1_000_000_000,
        balance_micro=1_000_000_000,
        reason=BalanceReason.DEPOSIT,
    )
    s.command(T0_MS + 1).add(
        BalanceChanged,
        account_id=1,
        amount_micro=-250_000_000,
        balance_micro=750_000_000,
        reason=BalanceReason.WITHDRAW,
    )
    store = history(tmp_path)
    store.write_batch(s.events, "2-0")
    c = store.connection
    assert [(b.amount_micro, b.balance_micro, b.reason) for b in balance_changes(c, 1)] == [
        (1_000_000_000, 1_000_000_000, "DEPOSIT"),
        (-250_000_000, 750_000_000, "WITHDRAW"),
    ]
    assert [(i.income_type, i.amount_micro, i.info) for i in income(c, 1)] == [
        ("TRANSFER", 1_000_000_000, "DEPOSIT"),
        ("TRANSFER", -250_000_000, "WITHDRAW"),
    ]
    assert balance_changes(c, 2) == []
    assert [b.seq for b in balance_changes(c, 1, start_ms=T0_MS + 1)] == [2]


def test_funding_paid_by_the_long_to_the_short_and_the_rate_history(tmp_path: Path) -> None:
    """Two settlements 8 hours apart: the long pays, the short receives, the rates are kept per market."""
    s = Script()
    for k, rate in ((1, 100_000), (2, -50_000)):
        funding_time = T0_MS + k * 8 * HOUR_MS
        sign = 1 if rate > 0 else -1
        s.command(funding_time)
        s.add(
            FundingPaid,
            account_id=1,
            market=M,
            funding_time_ms=funding_time,
            position_lots=10,
            amount_micro=-300 * sign,
        )
        s.add(
            FundingPaid,
            account_id=2,
            market=M,
            funding_time_ms=funding_time,
            position_lots=-10,
            amount_micro=300 * sign,
        )
        s.add(
            FundingSettled,
            market=M,
            funding_time_ms=funding_time,
            rate_ppb=rate,
            price_ticks=20_000,
            funding_index=k,
            paid_micro=300,
            received_micro=300,
            dust_micro=0,
        )
    store = history(tmp_path)
    store.write_batch(s.events, "6-0")
    c = store.connection
    assert [(i.income_type, i.market, i.amount_micro) for i in income(c, 1)] == [
        ("FUNDING_FEE", M, -300),
        ("FUNDING_FEE", M, 300),
    ]
    assert [r.rate_ppb for r in funding_rates(c, M)] == [100_000, -50_000]
    assert [r.rate_ppb for r in funding_rates(c, M, limit=1)] == [-50_000]  # the newest
    assert [r.rate_ppb for r in funding_rates(c, M, start_ms=T0_MS, limit=1)] == [100_000]
    assert funding_rates(c, "NVDAUSDC") == []
    assert len(table(store, "funding_payments", "seq")) == 4


def test_a_dividend_and_a_split(tmp_path: Path) -> None:
    s = Script()
    s.command()
    s.add(DividendPaid, account_id=1, market=M, position_lots=10, amount_micro=2_400)
    s.add(DividendPaid, account_id=2, market=M, position_lots=-10, amount_micro=-2_400)
    s.add(
        DividendSettled, market=M, amount_micro_per_share=240_000, paid_micro=2_400, received_micro=2_400, dust_micro=0
    )
    s.command().add(SplitApplied, market=M, ratio_new=4, ratio_old=1, tick_size="0.0025", lot_size="0.25")
    store = history(tmp_path)
    store.write_batch(s.events, "4-0")
    assert [(i.income_type, i.amount_micro) for i in income(store.connection, 2)] == [("DIVIDEND", -2_400)]
    assert table(store, "dividends", "seq") == [(3, M, T0_MS, 240_000, 2_400, 2_400, 0)]
    assert table(store, "splits", "seq") == [(4, M, T0_MS, 4, 1, "0.0025", "0.25")]


def test_a_liquidation_with_insurance_and_deleveraging(tmp_path: Path) -> None:
    """Alice's long is liquidated: half through the book, the rest deleveraged against Bob; she pays
    the liquidation fee and the insurance fund covers the rest of her loss."""
    s = Script()
    s.command()
    s.add(LiquidationTriggered, account_id=1, equity_micro=900, maintenance_micro=1_000)
    s.add(
        PositionLiquidated,
        account_id=1,
        market=M,
        size_lots=-5,
        price_ticks=95,
        step=LiquidationStep.BOOK,
        bankruptcy_price_ticks=90,
    )
    s.add(
        PositionLiquidated,
        account_id=1,
        market=M,
        size_lots=-5,
        price_ticks=90,
        step=LiquidationStep.ADL,
        bankruptcy_price_ticks=90,
    )
    s.add(PositionDeleveraged, account_id=2, market=M, size_lots=5, price_ticks=90, liquidated_account_id=1)
    s.add(BalanceChanged, account_id=1, amount_micro=-50, balance_micro=0, reason=BalanceReason.LIQUIDATION_FEE)
    s.add(BalanceChanged, account_id=1, amount_micro=20, balance_micro=20, reason=BalanceReason.INSURANCE_COVER)
    store = history(tmp_path)
    store.write_batch(s.events, "6-0")
    c = store.connection
    assert [(r.kind, r.market, r.size_lots, r.price_ticks, r.step) for r in liquidations(c, account_id=1)] == [
        ("TRIGGERED", "", 0, 0, None),
        ("LIQUIDATED", M, -5, 95, "BOOK"),
        ("LIQUIDATED", M, -5, 90, "ADL"),
    ]
    [bob] = liquidations(c, account_id=2)
    assert (bob.kind, bob.size_lots, bob.liquidated_account_id) == ("DELEVERAGED", 5, 1)
    assert len(liquidations(c, market=M)) == 3
    assert [(i.income_type, i.amount_micro) for i in income(c, 1)] == [
        ("INSURANCE_CLEAR", -50),  # Binance's type for the liquidation clearance fee, as the live view says
        ("INSURANCE_CLEAR", 20),
    ]
