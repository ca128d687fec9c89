"""The oracle service: each step fetches every source, aggregates per underlying, derives index and
mark per market, and publishes PriceUpdate commands at a cadence and at once on large moves;
corporate actions due are published before the prices of the same step.

Pipeline of one step (`step(now_ms)`), in order:
  0. carry out new admin instructions (halt, resume, post a price, schedule a corporate action);
     catch up with the book, and start pricing any market listed since the last step
  1. emit due corporate actions and rescale this service's price state by each split
  2. fetch all sources concurrently; a failure is logged and counted, never raised
  3. gate every quote (quote_problem, and not from before a split) and keep the newest per
     (source, underlying)
  4. per market: session (halted -> CLOSED), aggregate, index (external or internal), mark
  5. publish where due: cadence elapsed, a large move, or the session / source changed

`publish` is any async callable taking a Command (the streams client's append in production, a
list's append in tests); `book` answers top-of-book questions (book_view.BookReader).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

import msgspec

from matching.units import parse_decimal
from messages.commands import Command, PriceUpdate
from messages.enums import MarketSession, PriceSource
from messages.market_spec import MarketSpec
from oracle.admin import (
    AdminInbox,
    AdminOp,
    Halt,
    PostPrice,
    Resume,
    ScheduleSplit,
)
from oracle.aggregation import Aggregate, AggregationParams, aggregate
from oracle.book_view import BookReader, BookTop
from oracle.clock import Clock
from oracle.corporate_actions import CorporateActionCalendar, CorporateActionError, action_from_entry
from oracle.freeze import FreezeTracker
from oracle.index import IndexParams, IndexTracker
from oracle.mark import MarkParams, MarkTracker, bound_move
from oracle.metrics import Metrics
from oracle.quote import Quote, SourceError, quote_problem
from oracle.sessions import UsEquityCalendar
from oracle.sources.base import PriceFeed
from oracle.sources.push import PushSource
from oracle.sources.simulator import SimulatedSource
from oracle.ticks import publish_ticks, usd_to_ticks

log = logging.getLogger("perpx.oracle")

Publish = Callable[[Command], Awaitable[None]]

_TRADING = (MarketSession.PRE_MARKET, MarketSession.REGULAR, MarketSession.POST_MARKET, MarketSession.OVERNIGHT)


class OracleParams(msgspec.Struct, frozen=True):
    cadence_ms: int = 1_000  # every market is published at least this often
    poll_ms: int = 250  # sources are asked this often, so a large move goes out within a poll
    large_move_bps: float = 50.0  # an index or mark move this large is published at once
    fetch_timeout_ms: int = 2_000
    frozen_after_ms: int = 120_000  # a source whose price stands still this long in regular hours
    external_sessions: tuple[MarketSession, ...] = _TRADING  # when an external price may set the index
    aggregation: AggregationParams = AggregationParams()
    index: IndexParams = IndexParams()
    mark: MarkParams = MarkParams()
    weights: dict[str, float] = msgspec.field(default_factory=dict)  # source name -> weight, default 1


class MarketView(msgspec.Struct):
    """What the service last decided for one market, for logs, status and tests."""

    session: MarketSession = MarketSession.CLOSED
    source: PriceSource = PriceSource.INTERNAL
    stale: bool = True  # no external price with quorum: the market is flagged
    aggregate: Aggregate | None = None
    index_ticks: float | None = None
    mark_ticks: float | None = None
    published_ms: int | None = None
    published_index_ticks: int = 0
    published_mark_ticks: int = 0
    published_session: MarketSession | None = None
    published_source: PriceSource | None = None


class _Market:
    def __init__(self, spec: MarketSpec, params: OracleParams) -> None:
        self.spec = spec
        self.index = IndexTracker(spec.max_leverage, params.index)
        self.mark = MarkTracker(params.mark)
        self.view = MarketView()


class OracleService:
    def __init__(
        self,
        specs: Sequence[MarketSpec],
        sources: Sequence[PriceFeed],
        calendar: UsEquityCalendar,
        publish: Publish,
        book: BookReader,
        params: OracleParams | None = None,
        corporate_actions: CorporateActionCalendar | None = None,
        admin: AdminInbox | None = None,
    ) -> None:
        self.params = params or OracleParams()
        self.markets = {spec.symbol: _Market(spec, self.params) for spec in sorted(specs, key=lambda s: s.symbol)}
        self.admin = admin
        self.admin_prices = PushSource("admin")  # prices posted by the admin call count as one source
        self.sources = [*sources, self.admin_prices] if admin is not None else list(sources)
        self.calendar = calendar
        self.publish = publish
        self.book = book
        self.corporate_actions = corporate_actions or CorporateActionCalendar()
        self.metrics = Metrics()
        self.freeze = FreezeTracker(self.params.frozen_after_ms)
        self.halted: set[str] = set()  # underlyings halted by admin command
        self.quotes: dict[tuple[str, str], Quote] = {}  # newest sane quote per (source, underlying)
        self.scale_since_ms: dict[str, int] = {}  # underlying -> effective time of its latest split
        self.last_step_ms: int | None = None  # when run() last completed a step (health)

    # -- admin -----------------------------------------------------------------------------------

    def halt(self, underlying: str) -> None:
        """The underlying stopped trading (a regulatory halt): treat it as closed until resumed."""
        self.halted.add(underlying)

    def resume(self, underlying: str) -> None:
        self.halted.discard(underlying)

    def health(self, now_ms: int) -> tuple[bool, dict[str, object]]:
        """Alive while steps keep coming: a stuck source cannot hold a step past its fetch timeout.
        Whether its prices are any good is readiness (oracle/readiness.py), market by market."""
        limit_ms = 4 * self.params.poll_ms + self.params.fetch_timeout_ms
        age_ms = None if self.last_step_ms is None else now_ms - self.last_step_ms
        return age_ms is not None and age_ms <= limit_ms, {"service": "oracle", "last_step_age_ms": age_ms}

    def view(self, market: str) -> MarketView:
        return self.markets[market].view

    def apply_admin(self, op: AdminOp) -> str | None:
        """Carry out one admin instruction; returns why it was refused, or None."""
        if isinstance(op, Halt):
            self.halt(op.underlying)
        elif isinstance(op, Resume):
            self.resume(op.underlying)
        elif isinstance(op, PostPrice):
            price = parse_decimal(op.price)
            if price is None:
                return "price is not a decimal"
            self.admin_prices.post(op.underlying, float(price), op.ts_ms)  # gated like any quote
        else:
            kind = "split" if isinstance(op, ScheduleSplit) else "cash_dividend"
            entry = msgspec.to_builtins(op)
            try:
                self.corporate_actions.schedule(action_from_entry(kind, entry))
            except CorporateActionError as exc:
                return str(exc)
        return None

    async def _take_admin(self) -> None:
        if self.admin is None:
            return
        for op in await self.admin.take():
            problem = op if isinstance(op, str) else self.apply_admin(op)
            if problem is not None:
                self.metrics.inc("admin_refused", reason="unreadable" if isinstance(op, str) else type(op).__name__)
                log.warning("admin instruction refused: %s", problem)
            else:
                log.info("admin: %s", op)

    # -- the loop --------------------------------------------------------------------------------

    async def run(
        self, clock: Clock, stop: asyncio.Event, after_step: Callable[[int], Awaitable[None]] | None = None
    ) -> None:
        """Step every poll interval until `stop` is set; the only place that reads a clock.
        `after_step(now_ms)` runs after each step (the process writes its status there)."""
        while not stop.is_set():
            now_ms = clock.now_ms()
            await self.step(now_ms)
            self.last_step_ms = now_ms
            if after_step is not None:
                await after_step(now_ms)
            await clock.sleep_until_ms(now_ms + self.params.poll_ms)

    async def step(self, now_ms: int) -> list[Command]:
        """One pass of the pipeline; returns what it published, in order."""
        await self._take_admin()
        await self.book.refresh()
        self._maybe_add_markets()
        published: list[Command] = []
        for action in self.corporate_actions.take_due(now_ms):
            command = action.to_command(now_ms)
            await self._publish(command)
            published.append(command)
            if action.kind == "split" and action.market in self.markets:
                self._apply_split(action.market, action.ratio_old / action.ratio_new, action.effective_ms)
        await self._collect(now_ms)
        for symbol, market in self.markets.items():
            update = await self._price_market(symbol, market, now_ms)
            if update is not None:
                await self._publish(update)
                published.append(update)
        return published

    async def _publish(self, command: Command) -> None:
        await self.publish(command)
        self.metrics.inc("published", reason=type(command).__name__)

    async def _collect(self, now_ms: int) -> None:
        timeout_s = self.params.fetch_timeout_ms / 1000
        results = await asyncio.gather(
            *(asyncio.wait_for(source.fetch(now_ms), timeout_s) for source in self.sources), return_exceptions=True
        )
        for source, result in zip(self.sources, results, strict=True):
            if isinstance(result, BaseException):
                reason = result.reason if isinstance(result, SourceError) else type(result).__name__
                self.metrics.inc("fetch_failed", source.name, reason)
                log.warning("source %s failed: %r", source.name, result)
                continue
            for unparsable in result.problems:
                self.metrics.inc("quote_rejected", source.name, "unparsable")
                log.warning("source %s: %s", source.name, unparsable)
            for quote in result.quotes:
                problem = quote_problem(quote, now_ms)
                if problem is None and quote.publish_ms < self.scale_since_ms.get(quote.underlying, 0):
                    problem = "before_split"  # a price of the old share count
                if problem is not None:
                    self.metrics.inc("quote_rejected", quote.source, problem)
                    log.warning("source %s: %s ignored (%s)", quote.source, quote.underlying, problem)
                    continue
                key = (quote.source, quote.underlying)
                known = self.quotes.get(key)
                if known is None or quote.publish_ms >= known.publish_ms:
                    self.quotes[key] = quote
                    self.freeze.observe(quote)

    def _maybe_add_markets(self) -> None:
        """Price markets listed after start-up too (a ListMarket the engine accepted)."""
        for spec in self.book.market_specs():
            if spec.symbol not in self.markets:
                self.markets[spec.symbol] = _Market(spec, self.params)
                self.markets = dict(sorted(self.markets.items()))
                log.info("pricing newly listed market %s (%s)", spec.symbol, spec.underlying)
                for source in self.sources:
                    if isinstance(source, SimulatedSource):
                        source.add_underlying(spec.underlying)

    def _apply_split(self, symbol: str, factor: float, effective_ms: int) -> None:
        """Rescale this service's prices by `factor` (old shares per new) and refuse, from now on,
        quotes published before the split: they price the old share."""
        market = self.markets[symbol]
        market.index.rescale(factor)
        market.mark.rescale(factor)
        view = market.view
        if view.published_ms is not None:
            view.published_index_ticks = publish_ticks(view.published_index_ticks * factor)
            view.published_mark_ticks = publish_ticks(view.published_mark_ticks * factor)
            view.published_ms = None  # publish the rescaled prices at once
        underlying = market.spec.underlying
        self.scale_since_ms[underlying] = max(self.scale_since_ms.get(underlying, 0), effective_ms)
        self.freeze.forget(underlying)
        for key in [k for k in self.quotes if k[1] == underlying]:
            del self.quotes[key]
        for source in self.sources:
            if isinstance(source, SimulatedSource):
                source.apply_split(underlying, factor)  # the simulated stock splits too

    async def _price_market(self, symbol: str, market: _Market, now_ms: int) -> PriceUpdate | None:
        spec, view, params = market.spec, market.view, self.params
        underlying = spec.underlying
        session = MarketSession.CLOSED if underlying in self.halted else self.calendar.session_at(now_ms)
        quotes = [q for (_, u), q in sorted(self.quotes.items()) if u == underlying]
        frozen = (
            [q.source for q in quotes if self.freeze.is_frozen(q.source, underlying, now_ms)]
            if session is MarketSession.REGULAR
            else []
        )
        result = aggregate(quotes, now_ms, params.aggregation, params.weights, frozen)
        external_ticks = None
        if result.price is not None and session in params.external_sessions:
            external_ticks = usd_to_ticks(spec, result.price)
        if external_ticks is None and market.index.anchor_ticks is None and quotes:
            # Started while the market is closed: anchor on the newest old price, as internal.
            newest = max(q.publish_ms for q in quotes)
            anchor = aggregate(
                quotes, now_ms, msgspec.structs.replace(params.aggregation, max_age_ms=now_ms - newest + 1)
            )
            if anchor.price is not None:
                market.index.seed(usd_to_ticks(spec, anchor.price), now_ms)
        top: BookTop = await self.book.book_top(symbol)
        index_ticks = market.index.update(now_ms, external_ticks, top.impact_mid_ticks)
        view.session, view.source, view.aggregate = session, market.index.source, result
        view.stale = external_ticks is None
        if index_ticks is None:
            self.metrics.inc("no_price", symbol)
            return None
        raw_mark_ticks = market.mark.update(
            now_ms, index_ticks, top.best_bid_ticks, top.best_ask_ticks, top.last_trade_ticks
        )
        view.index_ticks, view.mark_ticks = index_ticks, raw_mark_ticks
        previous_mark = view.published_mark_ticks or None
        # the bound is a rate: max_move_bps per cadence interval, however often large moves publish
        elapsed_share = 1.0 if view.published_ms is None else min(1.0, (now_ms - view.published_ms) / params.cadence_ms)
        max_move_bps = params.mark.max_move_bps * elapsed_share
        mark_ticks = publish_ticks(bound_move(raw_mark_ticks, previous_mark, max_move_bps))
        index_out = publish_ticks(index_ticks)
        if not self._due(view, now_ms, index_out, mark_ticks, session, market.index.source):
            return None
        view.published_ms, view.published_index_ticks, view.published_mark_ticks = now_ms, index_out, mark_ticks
        view.published_session, view.published_source = session, market.index.source
        return PriceUpdate(
            command_id=f"oracle:px:{symbol}:{now_ms}",
            ts_ms=now_ms,
            market=symbol,
            index_price_ticks=index_out,
            mark_price_ticks=mark_ticks,
            session=session,
            index_source=market.index.source,
        )

    def _due(
        self,
        view: MarketView,
        now_ms: int,
        index_ticks: int,
        mark_ticks: int,
        session: MarketSession,
        source: PriceSource,
    ) -> bool:
        if view.published_ms is None or now_ms - view.published_ms >= self.params.cadence_ms:
            return True
        if session is not view.published_session or source is not view.published_source:
            return True
        threshold = self.params.large_move_bps / 1e4
        return (
            abs(index_ticks - view.published_index_ticks) > threshold * view.published_index_ticks
            or abs(mark_ticks - view.published_mark_ticks) > threshold * view.published_mark_ticks
        )
