import pytest

from funding.premium import premium_ppb

# index 100.00 (10_000 ticks of 0.01): one tick is 1 bp = 100_000 ppb... times 10: 10 ticks = 0.1% = 1_000_000 ppb
PREMIUM_TABLE = [
    # impact bid, impact ask, index, premium ppb, why
    (10_010, 10_020, 10_000, 1_000_000, "bids 0.1% above the index: longs pay"),
    (9_980, 9_990, 10_000, -1_000_000, "asks 0.1% below the index: shorts pay"),
    (9_990, 10_010, 10_000, 0, "index between the impact prices"),
    (10_000, 10_000, 10_000, 0, "both impact prices at the index"),
    (None, 9_990, 10_000, -1_000_000, "thin bids exert no pressure; the asks still do"),
    (10_010, None, 10_000, 1_000_000, "thin asks exert no pressure; the bids still do"),
    (None, None, 10_000, 0, "both sides thin: no pressure at all"),
    (None, 10_500, 10_000, 0, "thin bids and asks above the index"),
    (30_001, 30_002, 30_000, 33_333, "1/30000 = 33333.3 ppb, rounded toward zero"),
    (29_998, 29_999, 30_000, -33_333, "-33333.3 ppb, rounded toward zero, not down"),
    (20_000, 20_001, 10_000, 1_000_000_000, "impact bid at twice the index: +100%"),
]


@pytest.mark.parametrize(("bid", "ask", "index", "expected", "why"), PREMIUM_TABLE)
def test_premium_table(bid, ask, index, expected, why):
    assert premium_ppb(bid, ask, index) == expected, why


@pytest.mark.parametrize("index", [0, -1])
def test_no_premium_without_a_positive_index(index):
    with pytest.raises(ValueError, match="positive index"):
        premium_ppb(10_000, 10_001, index)
