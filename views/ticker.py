"""Rolling 24h statistics per market (Binance's 24hr ticker): open, high, low, last, volume, quote
volume, trade count and volume-weighted average price over the trades of the last 24 hours.

The window is (now - 24h, now], `now` being the views' clock (the last event's time) unless a later
one is given. Trades enter at the back and leave at the front; the running sums move with them and
high and low come from monotonic queues, so an update costs O(1) amortized however busy the day.

naive_ticker.py recomputes the same from the full list of trades, for the differential tests.
"""

from collections import deque
from collections.abc import Mapping
from fractions import Fraction
from typing import NamedTuple

from matching.engine import Engine
from messages.events import MarketListed, Trade
from views.markets import MarketsView
from views.projection import EventHandler

DAY_MS = 86_400_000


class WindowTrade(NamedTuple):
    ts_ms: int
    trade_id: int
    price_ticks: int
    size_lots: int


class Stats24h(NamedTuple):
    """None and 0 for a market without a trade in the window."""

    open_ticks: int | None
    high_ticks: int | None
    low_ticks: int | None
    last_ticks: int | None
    volume_lots: int
    quote_volume_micro: int
    trade_count: int
    first_trade_id: int | None
    last_trade_id: int | None
    open_time_ms: int  # the window's start, exclusive: now - 24h
    close_time_ms: int  # now

    @property
    def price_change_ticks(self) -> int:
        return (self.last_ticks - self.open_ticks) if self.last_ticks and self.open_ticks else 0

    def weighted_average_ticks(self, micro_per_tick_lot: int) -> Fraction | None:
        """Quote volume over volume, in ticks; exact (the API rounds it to a decimal)."""
        if not self.volume_lots:
            return None
        return Fraction(self.quote_volume_micro, self.volume_lots * micro_per_tick_lot)


class RollingWindow:
    """One market's trades of the last 24 hours with running totals."""

    def __init__(self) -> None:
        self.trades: deque[WindowTrade] = deque()
        self.highs: deque[WindowTrade] = deque()  # prices falling from front to back: the front is the high
        self.lows: deque[WindowTrade] = deque()  # prices rising: the front is the low
        self.volume_lots = 0
        self.quote_ticks_lots = 0  # sum of price x size, in tick-lots

    def add(self, trade: WindowTrade) -> None:
        self.trades.append(trade)
        self.volume_lots += trade.size_lots
        self.quote_ticks_lots += trade.price_ticks * trade.size_lots
        while self.highs and self.highs[-1].price_ticks <= trade.price_ticks:
            self.highs.pop()
        self.highs.append(trade)
        while self.lows and self.lows[-1].price_ticks >= trade.price_ticks:
            self.lows.pop()
        self.lows.append(trade)

    def evict_until(self, now_ms: int) -> None:
        """Drop the trades at or before now - 24h."""
        horizon = now_ms - DAY_MS
        trades = self.trades
        while trades and trades[0].ts_ms <= horizon:
            gone = trades.popleft()
            self.volume_lots -= gone.size_lots
            self.quote_ticks_lots -= gone.price_ticks * gone.size_lots
            if self.highs and self.highs[0] is gone:
                self.highs.popleft()
            if self.lows and self.lows[0] is gone:
                self.lows.popleft()


class TickerView:
    name = "ticker"

    def __init__(self, markets: MarketsView) -> None:
        self.markets = markets
        self.windows: dict[str, RollingWindow] = {}
        self.clock_ms = 0

    def seed(self, engine: Engine, last_seq: int) -> None:
        """A snapshot holds no trade history: the window starts empty (fills as trades come)."""
        self.windows = {symbol: RollingWindow() for symbol in sorted(engine.markets)}
        self.clock_ms = engine.clock_ms

    def handlers(self) -> Mapping[type, EventHandler]:
        return {MarketListed: self.listed, Trade: self.traded}

    def listed(self, event: MarketListed) -> None:
        self.windows.setdefault(event.spec.symbol, RollingWindow())

    def traded(self, event: Trade) -> None:
        self.clock_ms = max(self.clock_ms, event.ts_ms)
        window = self.windows[event.market]
        window.add(WindowTrade(event.ts_ms, event.trade_id, event.price_ticks, event.size_lots))
        window.evict_until(self.clock_ms)

    def stats(self, market: str, now_ms: int | None = None) -> Stats24h:
        """The market's statistics over (now - 24h, now]; `now_ms` defaults to the views' clock and
        cannot go back before it."""
        now = self.clock_ms if now_ms is None else max(now_ms, self.clock_ms)
        window = self.windows[market]
        window.evict_until(now)
        trades = window.trades
        if not trades:
            return Stats24h(None, None, None, None, 0, 0, 0, None, None, now - DAY_MS, now)
        per_tick_lot = self.markets.must_get(market).micro_per_tick_lot
        return Stats24h(
            trades[0].price_ticks,
            window.highs[0].price_ticks,
            window.lows[0].price_ticks,
            trades[-1].price_ticks,
            window.volume_lots,
            window.quote_ticks_lots * per_tick_lot,
            len(trades),
            trades[0].trade_id,
            trades[-1].trade_id,
            now - DAY_MS,
            now,
        )
