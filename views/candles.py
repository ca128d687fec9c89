"""Candles per market and interval (1m to 1d): of trades (last price, with volumes), and of the mark
and index prices the engine applied (PriceApplied; no volume).

Periods are aligned to the epoch (a 1d candle opens at 00:00 UTC), as Binance's are. Events come
in clock order (the engine's clock never goes back), so a series only ever updates its newest
candle or opens a new one; each series keeps its latest `kept` candles. Periods without a trade
have no candle. Quote volume is in micro-USDC: price x size x micro per tick lot, exact.

naive_candles.py is the twin this one is tested against.
"""

from collections import deque
from collections.abc import Mapping
from enum import StrEnum

import msgspec

from matching.engine import Engine
from messages.enums import Side
from messages.events import MarketListed, PriceApplied, Trade
from views.markets import MarketsView
from views.projection import EventHandler

MINUTE_MS = 60_000
INTERVALS_MS: dict[str, int] = {
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
DEFAULT_KEPT = 1_500  # Binance's klines give at most 1500 per request


class CandleKind(StrEnum):
    LAST = "last"  # trades
    MARK = "mark"
    INDEX = "index"


class Candle(msgspec.Struct):
    open_time_ms: int
    open_ticks: int
    high_ticks: int
    low_ticks: int
    close_ticks: int
    volume_lots: int = 0
    quote_volume_micro: int = 0
    trade_count: int = 0
    taker_buy_volume_lots: int = 0
    taker_buy_quote_micro: int = 0

    def close_time_ms(self, interval_ms: int) -> int:
        return self.open_time_ms + interval_ms - 1


def open_time_of(ts_ms: int, interval_ms: int) -> int:
    return ts_ms - ts_ms % interval_ms


class CandleView:
    name = "candles"

    def __init__(self, markets: MarketsView, kept: int = DEFAULT_KEPT) -> None:
        self.markets = markets
        self.kept = kept
        self.series: dict[tuple[str, CandleKind, str], deque[Candle]] = {}

    def seed(self, engine: Engine, last_seq: int) -> None:
        """A snapshot holds no candles: they start empty (the indexer keeps history)."""
        self.series = {}

    def handlers(self) -> Mapping[type, EventHandler]:
        return {Trade: self.traded, PriceApplied: self.price_applied, MarketListed: lambda event: None}

    def traded(self, event: Trade) -> None:
        quote_micro = event.price_ticks * event.size_lots * self.markets.must_get(event.market).spec.micro_per_tick_lot
        taker_buys = event.taker_side is Side.BUY
        for name, interval_ms in INTERVALS_MS.items():
            candle = self._candle(event.market, CandleKind.LAST, name, interval_ms, event.ts_ms, event.price_ticks)
            candle.volume_lots += event.size_lots
            candle.quote_volume_micro += quote_micro
            candle.trade_count += 1
            if taker_buys:
                candle.taker_buy_volume_lots += event.size_lots
                candle.taker_buy_quote_micro += quote_micro

    def price_applied(self, event: PriceApplied) -> None:
        for name, interval_ms in INTERVALS_MS.items():
            self._candle(event.market, CandleKind.MARK, name, interval_ms, event.ts_ms, event.mark_price_ticks)
            self._candle(event.market, CandleKind.INDEX, name, interval_ms, event.ts_ms, event.index_price_ticks)

    def _candle(self, market: str, kind: CandleKind, name: str, interval_ms: int, ts_ms: int, price: int) -> Candle:
        """The candle of `ts_ms` with `price` folded in (opened at it if new)."""
        key = (market, kind, name)
        series = self.series.get(key)
        if series is None:
            series = self.series[key] = deque(maxlen=self.kept)
        open_ms = open_time_of(ts_ms, interval_ms)
        candle = series[-1] if series else None
        if candle is None or candle.open_time_ms < open_ms:
            candle = Candle(open_ms, price, price, price, price)
            series.append(candle)
            return candle
        if candle.open_time_ms > open_ms:
            raise ValueError(f"{market}: event at {ts_ms} ms is before the candle opened at {candle.open_time_ms}")
        candle.high_ticks = max(candle.high_ticks, price)
        candle.low_ticks = min(candle.low_ticks, price)
        candle.close_ticks = price
        return candle

    # -- queries ---------------------------------------------------------------------------------

    def candles(
        self,
        market: str,
        interval: str,
        kind: CandleKind = CandleKind.LAST,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 500,
    ) -> list[Candle]:
        """Candles opened in [start_ms, end_ms], oldest first; the latest `limit` of them (the
        earliest `limit` when only `start_ms` is given, as Binance does)."""
        if interval not in INTERVALS_MS:
            raise ValueError(f"unknown interval {interval}")
        series = self.series.get((market, kind, interval), ())
        chosen = [
            msgspec.structs.replace(c)
            for c in series
            if (start_ms is None or c.open_time_ms >= start_ms) and (end_ms is None or c.open_time_ms <= end_ms)
        ]
        if start_ms is not None and end_ms is None:
            return chosen[:limit]
        return chosen[-limit:]
