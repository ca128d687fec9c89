"""Candles: a minute a trader can check by hand, and every period equal to a plain GROUP BY over the
trades (the naive reference), whatever the batches."""

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from messages.enums import Side
from messages.events import Trade
from tests.views.history.script import T0_MS, Script, history, table
from views.candles import INTERVALS_MS
from views.history.candles import period_open_ms
from views.history.queries import klines

M = "AAPLUSDC"


def trade(s: Script, trade_id: int, price: int, size: int, side: Side = Side.BUY, market: str = M) -> None:
    s.add(
        Trade,
        market=market,
        trade_id=trade_id,
        price_ticks=price,
        size_lots=size,
        taker_side=side,
        taker_order_id=1000 + trade_id,
        taker_account_id=2,
        taker_remaining_lots=0,
        maker_order_id=trade_id,
        maker_account_id=1,
        maker_remaining_lots=0,
        book_update_id=trade_id,
    )


def test_one_minute_by_hand(tmp_path: Path) -> None:
    """Trades at 100, 104, 98, 101 in the first minute, 105 in the second: 1m candles O100 H104 L98
    C101 (4 trades, 10 lots, 6 bought by takers) and O=H=L=C 105; one 1h candle O100 H105 L98 C105."""
    s = Script()
    for i, (price, size, side) in enumerate(
        [(100, 1, Side.BUY), (104, 2, Side.BUY), (98, 4, Side.SELL), (101, 3, Side.BUY)]
    ):
        trade(s.command(T0_MS + i * 10_000), i + 1, price, size, side)
    trade(s.command(T0_MS + 60_000), 5, 105, 1)
    store = history(tmp_path)
    store.write_batch(s.events, "5-0")
    ohlc = [
        (
            k.open_ms,
            k.open_ticks,
            k.high_ticks,
            k.low_ticks,
            k.close_ticks,
            k.volume_lots,
            k.taker_buy_volume_lots,
            k.trades,
        )
        for k in klines(store.connection, M, "1m")
    ]
    assert ohlc == [(T0_MS, 100, 104, 98, 101, 10, 6, 4), (T0_MS + 60_000, 105, 105, 105, 105, 1, 1, 1)]
    [hour] = klines(store.connection, M, "1h")
    assert (hour.open_ticks, hour.high_ticks, hour.low_ticks, hour.close_ticks, hour.volume_lots) == (
        100,
        105,
        98,
        105,
        11,
    )
    assert hour.quote_volume_tick_lots == 100 + 208 + 392 + 303 + 105
    assert (hour.first_trade_id, hour.last_trade_id) == (1, 5)
    assert [k.open_ms for k in klines(store.connection, M, "1m", limit=1)] == [T0_MS + 60_000]
    assert [k.open_ms for k in klines(store.connection, M, "1m", start_ms=T0_MS, limit=1)] == [T0_MS]


def reference_candles(store, period: str) -> list[tuple]:
    """Every candle of `period` computed from the trades table alone."""
    length = INTERVALS_MS[period]
    cursor = store.connection.cursor()
    cursor.execute(
        f"""SELECT market, ts_ms - ts_ms % {length} AS open_ms, SUM(size_lots), SUM(price_ticks * size_lots),
        MIN(price_ticks), MAX(price_ticks), COUNT(*), MIN(trade_id), MAX(trade_id),
        SUM(CASE WHEN taker_side = 'BUY' THEN size_lots ELSE 0 END),
        SUM(CASE WHEN taker_side = 'BUY' THEN price_ticks * size_lots ELSE 0 END)
        FROM trades GROUP BY market, open_ms ORDER BY market, open_ms"""
    )
    found = []
    for market, open_ms, volume, quote, low, high, count, first, last, buy, buy_quote in cursor.fetchall():
        cursor2 = store.connection.cursor()
        cursor2.execute("SELECT price_ticks FROM trades WHERE trade_id IN (?, ?) ORDER BY trade_id", (first, last))
        prices = [r[0] for r in cursor2.fetchall()]
        found.append(
            (
                market,
                period,
                open_ms,
                prices[0],
                high,
                low,
                prices[-1],
                volume,
                quote,
                buy,
                buy_quote,
                count,
                first,
                last,
            )
        )
    return found


trades_strategy = st.lists(
    st.tuples(
        st.integers(0, 3 * 86_400_000),  # ms after the previous trade's clock... as a gap
        st.integers(1, 1_000),
        st.integers(1, 50),
        st.sampled_from([Side.BUY, Side.SELL]),
        st.sampled_from([M, "NVDAUSDC"]),
    ),
    min_size=1,
    max_size=60,
)


@given(trades=trades_strategy, cuts=st.lists(st.integers(1, 59), max_size=5))
def test_candles_equal_a_group_by_over_the_trades(tmp_path_factory, trades, cuts) -> None:
    s = Script()
    clock = T0_MS
    for i, (gap_ms, price, size, side, market) in enumerate(trades, 1):
        clock += gap_ms % (86_400_000 if i % 7 else 200_000)  # mostly small steps, now and then a day
        trade(s.command(clock), i, price, size, side, market)
    store = history(tmp_path_factory.mktemp("candles"))
    bounds = sorted({c for c in cuts if c < len(s.events)})
    for start, end in zip([0, *bounds], [*bounds, len(s.events)], strict=True):
        store.write_batch(s.events[start:end], "x")
    for period in INTERVALS_MS:
        stored = [row for row in table(store, "candles", "market, open_ms") if row[1] == period]
        assert [tuple(row) for row in stored] == reference_candles(store, period)


def test_periods_start_on_their_multiples() -> None:
    assert period_open_ms(T0_MS + 59_999, "1m") == T0_MS
    assert period_open_ms(T0_MS + 3 * 3_600_000 + 5, "4h") == T0_MS
    assert period_open_ms(T0_MS + 9 * 3_600_000, "8h") == T0_MS + 8 * 3_600_000
    assert period_open_ms(T0_MS - 1, "1d") == T0_MS - 86_400_000
