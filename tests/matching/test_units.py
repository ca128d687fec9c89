"""Decimal strings at the edge, exact integers inside: nothing is rounded silently."""

import pytest

from matching.markets import load_markets
from matching.units import (
    lots_to_size,
    micro_to_usdc,
    parse_decimal,
    price_to_ticks,
    size_to_lots,
    ticks_to_price,
    usdc_to_micro,
)
from messages.enums import RejectReason

NVDA = next(s for s in load_markets() if s.underlying == "NVDA")  # tick 0.01, lot 0.001


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        ("185.23", 18_523),
        ("185.2300", 18_523),
        ("0.01", 1),
        ("185.235", RejectReason.PRICE_OFF_TICK),
        ("0", RejectReason.PRICE_NOT_POSITIVE),
        ("-1", RejectReason.PRICE_NOT_POSITIVE),
        ("1e3", RejectReason.PRICE_NOT_POSITIVE),  # exponents are not plain decimals
        ("NaN", RejectReason.PRICE_NOT_POSITIVE),
        ("", RejectReason.PRICE_NOT_POSITIVE),
    ],
)
def test_price_to_ticks(price, expected):
    assert price_to_ticks(NVDA, price) == expected


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ("1", 1_000),
        ("0.001", 1),
        ("2.5", 2_500),
        ("0.0005", RejectReason.SIZE_NOT_POSITIVE),
        ("0", RejectReason.SIZE_NOT_POSITIVE),
    ],
)
def test_size_to_lots(size, expected):
    assert size_to_lots(NVDA, size) == expected


def test_round_trips_print_plain_decimals():
    assert ticks_to_price(NVDA, 18_523) == "185.23"
    assert ticks_to_price(NVDA, 18_500) == "185"
    assert lots_to_size(NVDA, 1) == "0.001"
    assert micro_to_usdc(1_500_000) == "1.5"
    assert usdc_to_micro("1.5") == 1_500_000
    assert usdc_to_micro("0.0000001") is None
    assert parse_decimal("12.50") is not None and parse_decimal("12,5") is None
