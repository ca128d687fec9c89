"""ExchangeView: every projection of one shard, each event dispatched once to those that fold it.

The dispatch table is built once (event type -> the handlers of the projections that declared
it), so an event costs one dict lookup and its handlers. A handler that fails (an event it cannot
use) is logged and counted with its projection's name, and the other projections still get the
event: one bad event never stops the reader, and never crash-loops it.
"""

import logging
from collections.abc import Sequence

from matching.engine import Engine
from messages.events import Event
from views.books import BookView
from views.candles import CandleView
from views.markets import MarketsView
from views.metrics import ViewMetrics
from views.prices import PricesView
from views.projection import EventHandler, Projection
from views.ticker import TickerView
from views.trades import TradesView

log = logging.getLogger("perpx.views")


class ExchangeView:
    def __init__(
        self, metrics: ViewMetrics | None = None, extra: Sequence[Projection] = (), track_depth_diffs: bool = False
    ) -> None:
        """`extra`: projections beyond the market-side ones (a reader's own). `track_depth_diffs`:
        for a reader that takes depth diffs (views/depth_diffs.py) after each batch it applies."""
        self.metrics = metrics if metrics is not None else ViewMetrics()
        self.markets = MarketsView()
        self.books = BookView(self.markets, track_depth_diffs)
        self.trades = TradesView()
        self.candles = CandleView(self.markets)
        self.ticker = TickerView(self.markets)
        self.prices = PricesView(self.markets)
        # ACCOUNTS: views/accounts.py (branch `accounts`, same Projection interface) joins here once
        # merged: `self.accounts = AccountsView()`, listed in self.projections below
        self.projections: list[Projection] = [
            self.markets,
            self.books,
            self.trades,
            self.candles,
            self.ticker,
            self.prices,
            *extra,
        ]
        self.last_seq = 0
        self.clock_ms = 0  # the ts_ms of the last event applied: the views' clock
        self.dispatch: dict[type, list[tuple[str, EventHandler]]] = {}
        for projection in self.projections:
            for event_type, handler in projection.handlers().items():
                self.dispatch.setdefault(event_type, []).append((projection.name, handler))

    def seed(self, engine: Engine, last_seq: int) -> None:
        """Start every projection from `engine`'s state, which covers the events up to `last_seq`."""
        for projection in self.projections:
            projection.seed(engine, last_seq)
        self.last_seq = last_seq
        self.clock_ms = engine.clock_ms

    def apply(self, event: Event) -> None:
        self.last_seq = event.seq
        if event.ts_ms > self.clock_ms:
            self.clock_ms = event.ts_ms
        for name, handler in self.dispatch.get(type(event), ()):
            try:
                handler(event)
            except Exception:
                self.metrics.unusable.labels(name, type(event).__name__).inc()
                log.exception("%s could not use event %d (%s); skipped", name, event.seq, type(event).__name__)
