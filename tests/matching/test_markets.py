"""The packaged listing: every required underlying, realistic parameters, exact integers."""

from decimal import Decimal
from pathlib import Path

import pytest

from matching.markets import ListingError, load_markets

REQUIRED = {"AAPL", "NVDA", "TSLA", "MSTR", "CRCL", "COIN", "HOOD", "AMZN", "GOOGL", "META", "MSFT", "SPY", "QQQ"}


def test_default_listing_has_every_required_underlying():
    specs = load_markets()
    assert {s.underlying for s in specs} >= REQUIRED
    assert all(s.symbol == f"{s.underlying}USDC" for s in specs)


def test_default_listing_parameters_are_realistic():
    for spec in load_markets():
        assert spec.validate() is None
        assert 5 <= spec.max_leverage <= 20, spec.symbol
        assert Decimal(spec.tick_size) == Decimal("0.01"), spec.symbol  # US equities quote in cents
        assert spec.micro_per_tick_lot >= 1
        assert 0 <= spec.maker_fee_ppm < spec.taker_fee_ppm <= 1_000  # at most 10 bps
        assert spec.min_notional_micro == 10_000_000
        assert spec.impact_notional_micro >= 1_000_000_000


def test_margin_tiers_rise_in_notional_and_fall_in_leverage():
    for spec in load_markets():
        floors = [t.notional_floor_micro for t in spec.margin_tiers]
        leverages = [t.max_leverage for t in spec.margin_tiers]
        assert floors[0] == 0 and floors == sorted(floors)
        assert leverages == sorted(leverages, reverse=True)


ENTRY = """
[[market]]
symbol = "XUSDC"
underlying = "X"
tick_size = "0.01"
lot_size = "{lot}"
min_notional = "10"
max_order_size = "1000"
margin_tiers = [["0", 10]]
maker_fee_bps = "1"
taker_fee_bps = "{taker}"
impact_notional = "1000"
"""


@pytest.mark.parametrize(
    ("lot", "taker", "problem"),
    [
        ("0.00001", "4", "micro-USDC"),  # a tick-lot worth less than one micro-USDC
        ("0.001", "4.555", "whole number"),  # a fee finer than a ppm
    ],
)
def test_listing_entries_that_do_not_convert_exactly_are_refused(tmp_path: Path, lot, taker, problem):
    path = tmp_path / "markets.toml"
    path.write_text(ENTRY.format(lot=lot, taker=taker))
    with pytest.raises(ListingError, match=problem):
        load_markets(path)


def test_a_symbol_listed_twice_is_refused(tmp_path: Path):
    path = tmp_path / "markets.toml"
    path.write_text(ENTRY.format(lot="0.001", taker="4") * 2)
    with pytest.raises(ListingError, match="twice"):
        load_markets(path)
