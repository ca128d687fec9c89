"""Queries the API serves: leverage brackets (Binance's leverageBracket), account summary."""

from margin.queries import account_summary, leverage_brackets
from tests.margin.exchange import Exchange, spec, usdc


def test_leverage_brackets_show_rate_and_maintenance_amount() -> None:
    """20x / 10x / 5x from 0 / 1M / 5M: rates 2.5%, 5%, 10%; amounts 0, 25,000, 275,000."""
    ex = Exchange()
    brackets = leverage_brackets(ex.engine, "AAPLUSDC")
    assert brackets is not None
    assert [(b.bracket, b.max_leverage, b.maintenance_rate_ppm) for b in brackets] == [
        (1, 20, 25_000),
        (2, 10, 50_000),
        (3, 5, 100_000),
    ]
    assert [b.maintenance_amount_micro for b in brackets] == [0, usdc("25000"), usdc("275000")]
    assert [(b.notional_floor_micro, b.notional_cap_micro) for b in brackets] == [
        (0, usdc("1000000")),
        (usdc("1000000"), usdc("5000000")),
        (usdc("5000000"), 0),
    ]
    assert leverage_brackets(ex.engine, "NOPEUSDC") is None


def test_account_summary_of_an_unknown_account_is_none_and_of_a_fresh_one_is_its_cash() -> None:
    ex = Exchange(spec())
    assert account_summary(ex.engine, 5) is None
    ex.deposit(5, "250")
    summary = account_summary(ex.engine, 5)
    assert summary is not None
    assert (summary.equity_micro, summary.available_micro, summary.margin_ratio_ppm) == (usdc("250"), usdc("250"), 0)
    assert summary.positions == []
