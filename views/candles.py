"""Candles per market and interval (1m to 1d): of trades (last price, with volumes), and of the mark
and index prices the engine applied (PriceApplied; no volume).

Periods are aligned to the epoch (a 1d candle opens at 00:00 UTC), as Binance's are. Events come
in clock order (the engine's clock never goes back), so a series only ever updates its newest
candle or opens a new one; each series keeps its latest `kept` candles. Periods without a trade
have no candle. Quote volume is in micro-USDC: price x size x micro per tick lot, exact.

A trade touches only the running minute's candle; when a minute closes it is folded into the
running candle of every longer interval (a candle of candles is the candle of their trades), and
a query for a longer interval folds the running minute in on the way out. So a trade costs a few
assignments, not twelve candle updates.

naive_candles.py is the twin this one is tested against.
"""

from collections import deque
from collections.abc import Mapping
from enum import StrEnum

import msgspec

from matching.engine import Engine
from messages.enums import Side
from messages.events import PriceApplied, Trade
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


def merged(into: Candle, later: Candle) -> Candle:
    """`into` with the candle after it (inside its period) folded in: a new Candle."""
    return Candle(
        into.open_time_ms,
        into.open_ticks,
        max(into.high_ticks, later.high_ticks),
        min(into.low_ticks, later.low_ticks),
        later.close_ticks,
        into.volume_lots + later.volume_lots,
        into.quote_volume_micro + later.quote_volume_micro,
        into.trade_count + later.trade_count,
        into.taker_buy_volume_lots + later.taker_buy_volume_lots,
        into.taker_buy_quote_micro + later.taker_buy_quote_micro,
    )


_LONGER = [(name, ms) for name, ms in INTERVALS_MS.items() if ms > MINUTE_MS]


class CandleSeries:
    """One market's candles of one kind, every interval: closed minutes folded into the longer ones."""

    __slots__ = ("by_interval", "minute")

    def __init__(self, kept: int) -> None:
        self.by_interval: dict[str, deque[Candle]] = {name: deque(maxlen=kept) for name in INTERVALS_MS}
        self.minute: Candle | None = None  # the running minute, also the newest of by_interval["1m"]

    def add(self, ts_ms: int, price: int, lots: int, quote_micro: int, taker_buys: bool) -> None:
        minute = self.minute
        if minute is not None and ts_ms < minute.open_time_ms + MINUTE_MS:
            if ts_ms < minute.open_time_ms:
                raise ValueError(f"event at {ts_ms} ms is before the candle opened at {minute.open_time_ms}")
            if price > minute.high_ticks:
                minute.high_ticks = price
            elif price < minute.low_ticks:
                minute.low_ticks = price
            minute.close_ticks = price
        else:
            if minute is not None:
                self._fold(minute)
            minute = self.minute = Candle(open_time_of(ts_ms, MINUTE_MS), price, price, price, price)
            self.by_interval["1m"].append(minute)
        if lots:
            minute.volume_lots += lots
            minute.quote_volume_micro += quote_micro
            minute.trade_count += 1
            if taker_buys:
                minute.taker_buy_volume_lots += lots
                minute.taker_buy_quote_micro += quote_micro

    def _fold(self, minute: Candle) -> None:
        """A closed minute joins the running candle of each longer interval."""
        for name, interval_ms in _LONGER:
            series = self.by_interval[name]
            open_ms = open_time_of(minute.open_time_ms, interval_ms)
            if series and series[-1].open_time_ms == open_ms:
                series[-1] = merged(series[-1], minute)
            else:
                series.append(msgspec.structs.replace(minute, open_time_ms=open_ms))

    def candles(self, interval: str) -> list[Candle]:
        """Every kept candle of `interval`, the running minute folded in, oldest first (copies)."""
        series = self.by_interval[interval]
        out = [msgspec.structs.replace(c) for c in series]
        minute = self.minute
        if interval != "1m" and minute is not None:
            open_ms = open_time_of(minute.open_time_ms, INTERVALS_MS[interval])
            if out and out[-1].open_time_ms == open_ms:
                out[-1] = merged(out[-1], minute)
            else:
                out.append(msgspec.structs.replace(minute, open_time_ms=open_ms))
        return out


class CandleView:
    name = "candles"

    def __init__(self, markets: MarketsView, kept: int = DEFAULT_KEPT) -> None:
        self.markets = markets
        self.kept = kept
        self.series: dict[tuple[str, CandleKind], CandleSeries] = {}

    def seed(self, engine: Engine, last_seq: int) -> None:
        """A snapshot holds no candles: they start empty (the indexer keeps history)."""
        self.series = {}

    def handlers(self) -> Mapping[type, EventHandler]:
        return {Trade: self.traded, PriceApplied: self.price_applied}

    def traded(self, event: Trade) -> None:
        per_tick_lot = self.markets.must_get(event.market).micro_per_tick_lot
        quote_micro = event.price_ticks * event.size_lots * per_tick_lot
        series = self._series(event.market, CandleKind.LAST)
        series.add(event.ts_ms, event.price_ticks, event.size_lots, quote_micro, event.taker_side is Side.BUY)

    def price_applied(self, event: PriceApplied) -> None:
        self._series(event.market, CandleKind.MARK).add(event.ts_ms, event.mark_price_ticks, 0, 0, False)
        self._series(event.market, CandleKind.INDEX).add(event.ts_ms, event.index_price_ticks, 0, 0, False)

    def _series(self, market: str, kind: CandleKind) -> CandleSeries:
        series = self.series.get((market, kind))
        if series is None:
            series = self.series[(market, kind)] = CandleSeries(self.kept)
        return series

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
        series = self.series.get((market, kind))
        all_candles = series.candles(interval) if series is not None else []
        chosen = [
            c
            for c in all_candles
            if (start_ms is None or c.open_time_ms >= start_ms) and (end_ms is None or c.open_time_ms <= end_ms)
        ]
        if start_ms is not None and end_ms is None:
            return chosen[:limit]
        return chosen[-limit:]
