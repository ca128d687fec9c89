"""Candles and 24h statistics against their naive recomputation from every trade, and the
properties a chart relies on: volumes add up, high >= open, close >= low."""

from hypothesis import given
from hypothesis import strategies as st

from matching.engine import Engine
from messages.enums import MarketSession, PriceSource, Side
from messages.events import PriceApplied, Trade
from tests.matching.random_commands import MARKETS, SPECS
from views.candles import INTERVALS_MS, CandleKind
from views.exchange import ExchangeView
from views.naive_candles import naive_price_candles, naive_trade_candles
from views.naive_ticker import naive_stats
from views.ticker import DAY_MS, WindowTrade

MARKET = MARKETS[0]
PER_TICK_LOT = SPECS[0].micro_per_tick_lot

# (ms since the last event, price ticks, size lots, taker buys)
steps = st.lists(
    st.tuples(st.integers(0, 3 * 3_600_000), st.integers(1, 50_000), st.integers(1, 1_000), st.booleans()),
    max_size=80,
)


def traded(view: ExchangeView, path: list[tuple[int, int, int, bool]]) -> list[Trade]:
    trades = []
    ts = 1_700_000_000_000
    for i, (gap_ms, price, lots, buys) in enumerate(path, start=1):
        ts += gap_ms
        side = Side.BUY if buys else Side.SELL
        trade = Trade(i, f"c{i}", ts, MARKET, i, price, lots, side, 1000 + i, 1, 0, 2000 + i, 2, 0, book_update_id=i)
        view.trades.traded(trade)
        view.candles.traded(trade)
        view.ticker.traded(trade)
        trades.append(trade)
    return trades


def fresh_view() -> ExchangeView:
    view = ExchangeView()
    view.seed(Engine(SPECS), 0)
    return view


@given(steps)
def test_trade_candles_equal_the_naive_recomputation(path: list[tuple[int, int, int, bool]]) -> None:
    view = fresh_view()
    trades = traded(view, path)
    rows = [(t.ts_ms, t.price_ticks, t.size_lots, t.taker_side) for t in trades]
    for name, interval_ms in INTERVALS_MS.items():
        candles = view.candles.candles(MARKET, name, limit=10_000)
        assert candles == naive_trade_candles(rows, interval_ms, PER_TICK_LOT)
        assert sum(c.volume_lots for c in candles) == sum(t.size_lots for t in trades)
        assert sum(c.trade_count for c in candles) == len(trades)
        for c in candles:
            assert c.high_ticks >= max(c.open_ticks, c.close_ticks)
            assert min(c.open_ticks, c.close_ticks) >= c.low_ticks
            assert c.open_time_ms % interval_ms == 0


@given(st.lists(st.tuples(st.integers(0, 3_600_000), st.integers(1, 50_000), st.integers(1, 50_000)), max_size=60))
def test_mark_and_index_candles_equal_the_naive_recomputation(path: list[tuple[int, int, int]]) -> None:
    view = fresh_view()
    ts = 0
    marks, indexes = [], []
    for i, (gap_ms, mark, index) in enumerate(path, start=1):
        ts += gap_ms
        view.candles.price_applied(
            PriceApplied(
                i, f"p{i}", ts, MARKET, index, mark, MarketSession.REGULAR, PriceSource.EXTERNAL, mark - 1, mark + 1
            )
        )
        marks.append((ts, mark))
        indexes.append((ts, index))
    for name, interval_ms in INTERVALS_MS.items():
        assert view.candles.candles(MARKET, name, CandleKind.MARK, limit=10_000) == naive_price_candles(
            marks, interval_ms
        )
        assert view.candles.candles(MARKET, name, CandleKind.INDEX, limit=10_000) == naive_price_candles(
            indexes, interval_ms
        )


@given(steps, st.integers(0, 2 * DAY_MS))
def test_24h_statistics_equal_the_naive_recomputation(path: list[tuple[int, int, int, bool]], later_ms: int) -> None:
    view = fresh_view()
    trades = traded(view, path)
    window = [WindowTrade(t.ts_ms, t.trade_id, t.price_ticks, t.size_lots) for t in trades]
    now = trades[-1].ts_ms if trades else 0
    assert view.ticker.stats(MARKET) == naive_stats(window, max(now, view.ticker.clock_ms), PER_TICK_LOT)
    stats = view.ticker.stats(MARKET, now + later_ms)  # time passes without trades: they leave the window
    assert stats == naive_stats(window, max(now + later_ms, view.ticker.clock_ms), PER_TICK_LOT)
    if stats.trade_count:
        assert stats.low_ticks <= min(stats.open_ticks, stats.last_ticks)
        assert stats.high_ticks >= max(stats.open_ticks, stats.last_ticks)
        average = stats.weighted_average_ticks(PER_TICK_LOT)
        assert average is not None and stats.low_ticks <= average <= stats.high_ticks


def test_aggregate_trades_group_one_takers_fills_at_one_price() -> None:
    view = fresh_view()
    for i, (price, taker) in enumerate([(100, 7), (100, 7), (101, 7), (101, 8), (101, 8)], start=1):
        view.trades.traded(
            Trade(i, "c", 5, MARKET, i, price, 10, Side.BUY, taker, 1, 0, 50 + i, 2, 0, book_update_id=i)
        )
    groups = [
        (g.agg_id, g.price_ticks, g.size_lots, g.first_trade_id, g.last_trade_id)
        for g in view.trades.agg_trades(MARKET)
    ]
    assert groups == [(1, 100, 20, 1, 2), (3, 101, 10, 3, 3), (4, 101, 20, 4, 5)]
