"""The reference for candles.py: candles recomputed from the whole list of trades (or prices)."""

from messages.enums import Side
from views.candles import Candle, open_time_of


def naive_trade_candles(
    trades: list[tuple[int, int, int, Side]], interval_ms: int, micro_per_tick_lot: int
) -> list[Candle]:
    """Candles of (ts_ms, price_ticks, size_lots, taker_side) trades in the order they happened."""
    periods: dict[int, list[tuple[int, int, int, Side]]] = {}
    for trade in trades:
        periods.setdefault(open_time_of(trade[0], interval_ms), []).append(trade)
    candles = []
    for open_ms in sorted(periods):
        group = periods[open_ms]
        prices = [t[1] for t in group]
        buys = [t for t in group if t[3] is Side.BUY]
        candles.append(
            Candle(
                open_ms,
                prices[0],
                max(prices),
                min(prices),
                prices[-1],
                sum(t[2] for t in group),
                sum(t[1] * t[2] * micro_per_tick_lot for t in group),
                len(group),
                sum(t[2] for t in buys),
                sum(t[1] * t[2] * micro_per_tick_lot for t in buys),
            )
        )
    return candles


def naive_price_candles(prices: list[tuple[int, int]], interval_ms: int) -> list[Candle]:
    """Candles of (ts_ms, price_ticks) observations in the order they happened."""
    return [
        Candle(c.open_time_ms, c.open_ticks, c.high_ticks, c.low_ticks, c.close_ticks)
        for c in naive_trade_candles([(ts, p, 0, Side.SELL) for ts, p in prices], interval_ms, 0)
    ]
