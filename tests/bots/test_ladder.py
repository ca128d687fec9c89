"""The maker's ladder as a trader would check it by hand, and what must hold for any input."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from bots.ladder import LadderShape, ladder
from bots.markets import MarketRules

RULES = MarketRules(
    symbol="NVDAUSDC",
    underlying="NVDA",
    status="TRADING",
    tick=Decimal("0.01"),
    step=Decimal("0.001"),
    min_qty=Decimal("0.001"),
    max_qty=Decimal(100_000),
    min_notional=Decimal(10),
    max_leverage=20,
)
SHAPE = LadderShape(levels=3, first_bps=5, spacing_bps=10, level_notional=Decimal(1000), skew_bps=20)


def prices(quotes, side):
    return [q.price for q in quotes if q.side == side]


def test_flat_ladder_around_100():
    quotes = ladder(Decimal(100), 0, Decimal(0), RULES, SHAPE)
    assert prices(quotes, "BUY") == [Decimal("99.95"), Decimal("99.85"), Decimal("99.75")]
    assert prices(quotes, "SELL") == [Decimal("100.05"), Decimal("100.15"), Decimal("100.25")]
    assert [q.qty for q in quotes if q.level == 0] == [Decimal("10.005"), Decimal("9.995")]  # 1000 USDC, rounded down


def test_a_long_maker_quotes_lower_and_stops_buying_at_its_limit():
    half_long = Decimal(250)  # 25,000 USDC at 100: half of the 50,000 limit, so 10 bps lower
    quotes = ladder(Decimal(100), 0, half_long, RULES, SHAPE)
    assert prices(quotes, "BUY")[0] == Decimal("99.85") and prices(quotes, "SELL")[0] == Decimal("99.95")
    at_limit = ladder(Decimal(100), 0, Decimal(500), RULES, SHAPE)
    assert prices(at_limit, "BUY") == [] and prices(at_limit, "SELL")[0] == Decimal("99.85")
    short_at_limit = ladder(Decimal(100), 0, Decimal(-900), RULES, SHAPE)
    # centre 100.20, the first bid 5 bps under it: 100.1499, rounded down
    assert prices(short_at_limit, "SELL") == [] and prices(short_at_limit, "BUY")[0] == Decimal("100.14")


def test_the_makers_own_view_moves_the_ladder_and_no_price_no_quotes():
    up = ladder(Decimal(100), 30, Decimal(0), RULES, SHAPE)
    assert prices(up, "BUY")[0] == Decimal("100.24") and prices(up, "SELL")[0] == Decimal("100.36")
    assert ladder(Decimal(0), 0, Decimal(0), RULES, SHAPE) == []


def test_a_tiny_level_still_meets_the_minimum_notional():
    small = LadderShape(levels=1, level_notional=Decimal(1))
    quotes = ladder(Decimal("3.33"), 0, Decimal(0), RULES, small)
    assert all(q.qty * q.price >= RULES.min_notional for q in quotes)


@given(
    reference=st.decimals(min_value=Decimal("0.05"), max_value=Decimal(100_000), places=2),
    offset=st.integers(-100, 100),
    position=st.decimals(min_value=-10_000, max_value=10_000, places=3),
    levels=st.integers(1, 8),
    first=st.integers(1, 50),
    spacing=st.integers(1, 50),
)
def test_bids_below_asks_on_the_tick_and_step(reference, offset, position, levels, first, spacing):
    shape = LadderShape(levels=levels, first_bps=first, spacing_bps=spacing)
    quotes = ladder(reference, offset, position, RULES, shape)
    bids, asks = prices(quotes, "BUY"), prices(quotes, "SELL")
    assert bids or asks
    if bids and asks:
        assert max(bids) < min(asks)
    assert bids == sorted(bids, reverse=True) and asks == sorted(asks)
    for quote in quotes:
        assert quote.price % RULES.tick == 0 and quote.qty % RULES.step == 0
        assert quote.qty * quote.price >= RULES.min_notional and quote.qty > 0
