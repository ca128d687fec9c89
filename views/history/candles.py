"""Candles of the last-trade price, per market and period (views.candles.INTERVALS_MS: 1m to 1d,
aligned to the epoch), folded from Trades into the history's candles table.

A batch's trades are first gathered per candle here, then each candle is merged into the table
with one upsert (twelve periods per trade would otherwise be twelve writes per trade).
"""

from messages.enums import Side
from messages.events import Trade
from views.candles import INTERVALS_MS

# Merge a batch's candle into the stored one: open and first id stay, close and last id move on.
# CASE rather than MAX()/GREATEST(), which SQLite and PostgreSQL spell differently.
UPSERT_CANDLE = """
INSERT INTO candles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (market, period, open_ms) DO UPDATE SET
    high_ticks = CASE WHEN excluded.high_ticks > candles.high_ticks
        THEN excluded.high_ticks ELSE candles.high_ticks END,
    low_ticks = CASE WHEN excluded.low_ticks < candles.low_ticks
        THEN excluded.low_ticks ELSE candles.low_ticks END,
    close_ticks = excluded.close_ticks,
    volume_lots = candles.volume_lots + excluded.volume_lots,
    quote_volume_tick_lots = candles.quote_volume_tick_lots + excluded.quote_volume_tick_lots,
    taker_buy_volume_lots = candles.taker_buy_volume_lots + excluded.taker_buy_volume_lots,
    taker_buy_quote_tick_lots = candles.taker_buy_quote_tick_lots + excluded.taker_buy_quote_tick_lots,
    trades = candles.trades + excluded.trades,
    last_trade_id = excluded.last_trade_id
"""


def period_open_ms(ts_ms: int, period: str) -> int:
    """Start of the period holding ts_ms (rounded down to a multiple of its length)."""
    return ts_ms - ts_ms % INTERVALS_MS[period]


# The columns after (market, period, open_ms), by position in a candle being gathered
_OPEN, _HIGH, _LOW, _CLOSE, _VOLUME, _QUOTE, _BUY, _BUY_QUOTE, _TRADES, _FIRST, _LAST = range(11)


class CandleBuffer:
    """The candles a batch's trades touched, in first-touched order: per candle a list of the
    candles table's columns after the key (a list, not a record: it changes twelve times a trade)."""

    def __init__(self) -> None:
        self.candles: dict[tuple[str, str, int], list[int]] = {}

    def add(self, trade: Trade) -> None:
        price, size = trade.price_ticks, trade.size_lots
        quote = price * size
        buy_size, buy_quote = (size, quote) if trade.taker_side is Side.BUY else (0, 0)
        for period in INTERVALS_MS:
            key = (trade.market, period, period_open_ms(trade.ts_ms, period))
            c = self.candles.get(key)
            if c is None:
                self.candles[key] = [price, price, price, price, size, quote, buy_size, buy_quote, 1,
                                     trade.trade_id, trade.trade_id]  # fmt: skip
                continue
            if price > c[_HIGH]:
                c[_HIGH] = price
            if price < c[_LOW]:
                c[_LOW] = price
            c[_CLOSE] = price
            c[_VOLUME] += size
            c[_QUOTE] += quote
            c[_BUY] += buy_size
            c[_BUY_QUOTE] += buy_quote
            c[_TRADES] += 1
            c[_LAST] = trade.trade_id

    def rows(self) -> list[tuple]:
        return [(*key, *candle) for key, candle in self.candles.items()]
