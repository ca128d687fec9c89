"""Candles of the last-trade price, per market and period, folded from Trades.

A batch's trades are first gathered per candle here, then each candle is merged into the table
with one upsert (twelve periods per trade would otherwise be twelve writes per trade). Periods
start on multiples of their length since the epoch (UTC), on the engine's clock.
"""

from dataclasses import dataclass, fields
from operator import attrgetter

from messages.enums import Side
from messages.events import Trade

MINUTE_MS = 60_000
PERIOD_MS: dict[str, int] = {
    "1m": MINUTE_MS,
    "3m": 3 * MINUTE_MS,
    "5m": 5 * MINUTE_MS,
    "15m": 15 * MINUTE_MS,
    "30m": 30 * MINUTE_MS,
    "1h": 60 * MINUTE_MS,
    "2h": 120 * MINUTE_MS,
    "4h": 240 * MINUTE_MS,
    "6h": 360 * MINUTE_MS,
    "8h": 480 * MINUTE_MS,
    "12h": 720 * MINUTE_MS,
    "1d": 1440 * MINUTE_MS,
}


@dataclass(slots=True)
class Candle:
    market: str
    period: str
    open_ms: int
    open_ticks: int
    high_ticks: int
    low_ticks: int
    close_ticks: int
    volume_lots: int
    quote_volume_tick_lots: int
    taker_buy_volume_lots: int
    taker_buy_quote_tick_lots: int
    trades: int
    first_trade_id: int
    last_trade_id: int


_candle_values = attrgetter(*(f.name for f in fields(Candle)))  # a candle's columns as a tuple, cheaply

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
    length = PERIOD_MS[period]
    return ts_ms - ts_ms % length


class CandleBuffer:
    """The candles a batch's trades touched, in first-touched order."""

    def __init__(self) -> None:
        self.candles: dict[tuple[str, str, int], Candle] = {}

    def add(self, trade: Trade) -> None:
        price, size = trade.price_ticks, trade.size_lots
        quote = price * size
        buy_size, buy_quote = (size, quote) if trade.taker_side is Side.BUY else (0, 0)
        for period in PERIOD_MS:
            key = (trade.market, period, period_open_ms(trade.ts_ms, period))
            candle = self.candles.get(key)
            if candle is None:
                self.candles[key] = Candle(
                    *key,
                    price,
                    price,
                    price,
                    price,
                    size,
                    quote,
                    buy_size,
                    buy_quote,
                    1,
                    trade.trade_id,
                    trade.trade_id,
                )
                continue
            candle.high_ticks = max(candle.high_ticks, price)
            candle.low_ticks = min(candle.low_ticks, price)
            candle.close_ticks = price
            candle.volume_lots += size
            candle.quote_volume_tick_lots += quote
            candle.taker_buy_volume_lots += buy_size
            candle.taker_buy_quote_tick_lots += buy_quote
            candle.trades += 1
            candle.last_trade_id = trade.trade_id

    def rows(self) -> list[tuple]:
        return [_candle_values(candle) for candle in self.candles.values()]
