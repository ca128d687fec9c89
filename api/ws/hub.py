"""The fan-out: one per api process, fed by the read side, feeding every WebSocket connection.

A read-side listener turns each applied batch of events into the stream messages it concerns; each
message is encoded once, then offered to the queue of every connection subscribed to its stream
(connection.py: never awaiting a socket). Messages nobody subscribed to are not built at all.

Depth diffs follow Binance's rules against the book view's update ids: per market and diff period
(100, 250, 500 ms) the changed levels are gathered between flushes; a flush sends their sizes as the
view holds them then, with `U` the first book update id gathered, `u` the last (the view's
`last_update_id` at that moment) and `pu` the previous flush's `u`. So a client that applies diffs
after a REST depth snapshot with `lastUpdateId` L (dropping u < L, starting at U <= L <= u, checking
each pu against the previous u) holds the book exactly.

Margin calls come from the read side too (views/margin_calls.py): after each batch, the accounts
with a user data subscriber here whose figures the batch may have moved (their own AccountUpdated,
or a new mark in a market they hold) are looked at, and a bucket that crossed into margin call is
sent one MARGIN_CALL, after the batch's other messages. The crossing state is this process's, kept
while the account has a subscriber here.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from api.markets import Market
from api.ws import market_messages as mm
from api.ws import user_messages as um
from api.ws.connection import Connection
from api.ws.names import DEPTH_PERIODS_MS, depth_stream
from api.ws.orders import OrderTracker
from margin.account_updates import position_state
from messages.enums import CancelReason, Side
from messages.events import (
    AccountUpdated,
    Event,
    LeverageSet,
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    OrderRested,
    PositionLiquidated,
    PriceApplied,
    SplitApplied,
    Trade,
)
from streams.snapshots import wall_clock_ms
from views.accounts import AccountsView
from views.exchange import ExchangeView
from views.margin_calls import MarginCalls

log = logging.getLogger("perpx.api.ws")
TICK_S = 0.05
PARTIAL_LEVELS = (5, 10, 20)
_encode = msgspec.json.Encoder().encode


@dataclass
class DepthGather:
    """The book changes of one market since the last flush of one diff period."""

    previous_id: int
    first_id: int = 0
    last_id: int = 0
    ts_ms: int = 0
    changed: set[tuple[bool, int]] = field(default_factory=set)  # (is_bid, price_ticks)


class Hub:
    def __init__(self, view: ExchangeView, accounts: AccountsView) -> None:
        self.view = view
        self.accounts_view = accounts
        self.margin_calls = MarginCalls(accounts)
        self.orders = OrderTracker()
        self.subscribers: dict[str, set[Connection]] = {}
        self.accounts: dict[int, set[Connection]] = {}  # user data subscribers by account
        self.listen_keys: dict[int, str] = {}  # account -> the listen key its subscribers use
        self.depth: dict[int, dict[str, DepthGather]] = {period: {} for period in DEPTH_PERIODS_MS.values()}
        self.quotes: dict[str, tuple[int, int, int, int]] = {}
        self.sessions: dict[str, tuple[object, ...]] = {}
        self.traded: set[str] = set()  # markets with trades since the last ticker push
        self.kline_dirty: set[str] = set()
        self.messages = 0  # messages built (each encoded once)
        self.frames = 0  # frames offered to connections
        self.task: asyncio.Task[None] | None = None
        self.reseed(0)

    # -- subscriptions -----------------------------------------------------------------------------

    def subscribe(self, connection: Connection, stream: str) -> None:
        self.subscribers.setdefault(stream, set()).add(connection)
        connection.streams.add(stream)

    def unsubscribe(self, connection: Connection, stream: str) -> None:
        subscribers = self.subscribers.get(stream)
        if subscribers is not None:
            subscribers.discard(connection)
            if not subscribers:
                del self.subscribers[stream]
        connection.streams.discard(stream)

    def subscribe_user(self, connection: Connection, listen_key: str, account_id: int) -> None:
        self.accounts.setdefault(account_id, set()).add(connection)
        self.listen_keys[account_id] = listen_key
        connection.listen_keys.add(listen_key)

    def unsubscribe_user(self, connection: Connection, listen_key: str) -> None:
        connection.listen_keys.discard(listen_key)
        for account_id, key in list(self.listen_keys.items()):
            if key != listen_key:
                continue
            subscribers = self.accounts.get(account_id, set())
            subscribers.discard(connection)
            if not subscribers:
                self.accounts.pop(account_id, None)
                del self.listen_keys[account_id]
                self.margin_calls.forget(account_id)

    def drop(self, connection: Connection) -> None:
        for stream in list(connection.streams):
            self.unsubscribe(connection, stream)
        for listen_key in list(connection.listen_keys):
            self.unsubscribe_user(connection, listen_key)

    # -- sending -----------------------------------------------------------------------------------

    def wants(self, stream: str) -> bool:
        return stream in self.subscribers

    def publish(self, stream: str, data: Any) -> None:
        """Encode `data` once and offer it to every subscriber of `stream`."""
        subscribers = self.subscribers.get(stream)
        if not subscribers:
            return
        raw = _encode(data).decode()
        combined: str | None = None
        self.messages += 1
        for connection in tuple(subscribers):
            if connection.combined:
                if combined is None:
                    combined = f'{{"stream":{_encode(stream).decode()},"data":{raw}}}'
                connection.offer(combined)
            else:
                connection.offer(raw)
        self.frames += len(subscribers)

    def publish_lazy(self, stream: str, build: Callable[[], Any]) -> None:
        if stream in self.subscribers:
            self.publish(stream, build())

    def publish_user(self, account_id: int, data: Any) -> None:
        subscribers = self.accounts.get(account_id)
        if not subscribers:
            return
        raw = _encode(data).decode()
        stream = self.listen_keys.get(account_id, "")
        combined = f'{{"stream":{_encode(stream).decode()},"data":{raw}}}'
        self.messages += 1
        for connection in tuple(subscribers):
            connection.offer(combined if connection.combined else raw)
        self.frames += len(subscribers)

    # -- from the read side ------------------------------------------------------------------------

    def reseed(self, last_seq: int) -> None:
        """Start over from the view as it stands (at start, and when the follower re-seeded)."""
        self.orders.seed(self.view)
        for gathers in self.depth.values():
            gathers.clear()
            for symbol, book in self.view.books.books.items():
                gathers[symbol] = DepthGather(book.last_update_id)
        self.quotes = {symbol: self.quote(symbol) for symbol in self.view.books.books}

    def market(self, symbol: str) -> Market:
        return mm.market_of(self.view, symbol)

    def quote(self, symbol: str) -> tuple[int, int, int, int]:
        ticker = self.view.books.book_ticker(symbol)
        return (ticker.bid_ticks, ticker.bid_lots, ticker.ask_ticks, ticker.ask_lots)

    def on_batch(self, events: list[Event]) -> None:
        """A batch the views just applied: every message it makes, in event order."""
        now_ms = wall_clock_ms()
        trades: dict[str, list[Trade]] = {}
        touched: set[str] = set()
        command: list[Event] = []
        revalued: set[str] = set()  # markets whose valuation price the batch may have moved
        updated: set[int] = set()  # accounts the batch changed
        for event in events:
            if command and command[-1].command_id != event.command_id:
                command = []
            command.append(event)
            if isinstance(event, Trade):
                trades.setdefault(event.market, []).append(event)
                touched.add(event.market)
                self.book_changed(
                    event.market,
                    event.book_update_id,
                    event.taker_side is Side.SELL,
                    event.price_ticks,
                    event.ts_ms,
                )
                self.user_fill(event, now_ms)
            elif isinstance(event, OrderRested):
                touched.add(event.market)
                self.book_changed(
                    event.market, event.book_update_id, event.side is Side.BUY, event.price_ticks, event.ts_ms
                )
            elif isinstance(event, OrderCanceled):
                self.user_canceled(event, now_ms)
            elif isinstance(event, OrderAmended):
                self.user_amended(event, now_ms)
            elif isinstance(event, OrderAccepted):
                self.orders.apply(event)
                self.user_order(event.order_id, event.account_id, "NEW", "NEW", event.ts_ms, now_ms)
                continue
            elif isinstance(event, PriceApplied):
                self.price_applied(event, now_ms)
                revalued.add(event.market)
            elif isinstance(event, PositionLiquidated):
                self.liquidated(event, now_ms)
            elif isinstance(event, AccountUpdated):
                self.account_updated(event, command, now_ms)
                updated.add(event.account_id)
            elif isinstance(event, SplitApplied):
                self.split_applied(event, now_ms)
            elif isinstance(event, LeverageSet):
                self.publish_user(event.account_id, um.config_update(event, now_ms))
            if isinstance(event, OrderCanceled | OrderAmended) and event.book_update_id:
                touched.add(event.market)
            self.orders.apply(event)
        for symbol, market_trades in trades.items():
            self.traded.add(symbol)
            self.kline_dirty.add(symbol)
            market = self.market(symbol)
            if self.wants(f"{symbol.lower()}@trade"):
                for trade in market_trades:
                    self.publish(f"{symbol.lower()}@trade", mm.trade_message(market, trade, now_ms))
            if self.wants(f"{symbol.lower()}@aggTrade"):
                for message in mm.agg_trade_messages(market, market_trades, now_ms):
                    self.publish(f"{symbol.lower()}@aggTrade", message)
        for symbol in touched:
            self.quote_changed(symbol, events[-1].ts_ms, now_ms)
        if self.accounts:
            revalued.update(symbol for symbol in trades if not self.view.prices.must_get(symbol).mark_price_ticks)
            self.check_margin_calls(updated, revalued, now_ms)

    def book_changed(self, symbol: str, update_id: int, is_bid: bool, price_ticks: int, ts_ms: int) -> None:
        for gathers in self.depth.values():
            gather = gathers.get(symbol)
            if gather is None:
                gather = gathers[symbol] = DepthGather(update_id - 1)
            if not gather.first_id:
                gather.first_id = update_id
            gather.last_id = update_id
            gather.ts_ms = ts_ms
            gather.changed.add((is_bid, price_ticks))

    def quote_changed(self, symbol: str, ts_ms: int, now_ms: int) -> None:
        quote = self.quote(symbol)
        if self.quotes.get(symbol) == quote:
            return
        self.quotes[symbol] = quote
        stream = f"{symbol.lower()}@bookTicker"
        if not (self.wants(stream) or self.wants("!bookTicker")):
            return
        market = self.market(symbol)
        update_id = self.view.books.last_update_id(symbol)
        message = mm.book_ticker_message(market, update_id, quote[:2], quote[2:], ts_ms, now_ms)
        self.publish(stream, message)
        self.publish("!bookTicker", message)

    def price_applied(self, event: PriceApplied, now_ms: int) -> None:
        state = (
            event.session,
            event.index_source,
            event.discovery_low_ticks,
            event.discovery_high_ticks,
        )
        self.kline_dirty.add(event.market)
        if self.sessions.get(event.market) == state:
            return
        self.sessions[event.market] = state
        self.publish_lazy(
            f"{event.market.lower()}@session", lambda: mm.session_message(self.market(event.market), event, now_ms)
        )

    def liquidated(self, event: PositionLiquidated, now_ms: int) -> None:
        stream = f"{event.market.lower()}@forceOrder"
        if self.wants(stream) or self.wants("!forceOrder@arr"):
            message = mm.force_order_message(self.market(event.market), event, now_ms)
            self.publish(stream, message)
            self.publish("!forceOrder@arr", message)

    # -- user data -----------------------------------------------------------------------------------

    def user_order(
        self,
        order_id: int,
        account_id: int,
        execution: str,
        status: str,
        ts_ms: int,
        now_ms: int,
        fill: Trade | None = None,
    ) -> None:
        if account_id not in self.accounts:
            return
        order = self.orders.get(order_id)
        if order is None:
            return
        self.publish_user(
            account_id, um.order_update(self.market(order.market), order, execution, status, ts_ms, now_ms, fill)
        )

    def user_fill(self, trade: Trade, now_ms: int) -> None:
        """The Trade has not been folded into the tracker yet: fold it for each side first."""
        for order_id, account_id, remaining in (
            (trade.taker_order_id, trade.taker_account_id, trade.taker_remaining_lots),
            (trade.maker_order_id, trade.maker_account_id, trade.maker_remaining_lots),
        ):
            if account_id not in self.accounts:
                continue
            order = self.orders.get(order_id)
            if order is None:
                continue
            after = _copy(order)
            after.filled_lots += trade.size_lots
            after.filled_quote_lots_ticks += trade.size_lots * trade.price_ticks
            status = "FILLED" if remaining == 0 else "PARTIALLY_FILLED"
            message = um.order_update(self.market(order.market), after, "TRADE", status, trade.ts_ms, now_ms, trade)
            self.publish_user(account_id, message)

    def user_canceled(self, event: OrderCanceled, now_ms: int) -> None:
        order = self.orders.get(event.order_id)
        if order is None:
            return
        if event.book_update_id:
            self.book_changed(
                event.market, event.book_update_id, order.side is Side.BUY, order.price_ticks, event.ts_ms
            )
        if event.account_id in self.accounts:
            execution, status = um.canceled_status(event.reason)
            if event.reason is CancelReason.SELF_TRADE:
                execution = "EXPIRED"
            self.publish_user(
                event.account_id,
                um.order_update(self.market(order.market), order, execution, status, event.ts_ms, now_ms),
            )

    def user_amended(self, event: OrderAmended, now_ms: int) -> None:
        order = self.orders.get(event.order_id)
        if order is None:
            return
        if event.book_update_id:
            self.book_changed(
                event.market, event.book_update_id, order.side is Side.BUY, order.price_ticks, event.ts_ms
            )
        if event.account_id in self.accounts:
            after = _copy(order)
            after.price_ticks = event.price_ticks
            after.size_lots = event.size_lots
            after.filled_lots = event.size_lots - event.remaining_lots
            status = "PARTIALLY_FILLED" if after.filled_lots else "NEW"
            self.publish_user(
                event.account_id,
                um.order_update(self.market(order.market), after, "AMENDMENT", status, event.ts_ms, now_ms),
            )

    def account_updated(self, event: AccountUpdated, command: list[Event], now_ms: int) -> None:
        if event.account_id not in self.accounts:
            return
        markets = {p.market: self.market(p.market) for p in event.positions}
        marks = {p.market: self.view.prices.must_get(p.market).mark_price_ticks for p in event.positions}
        reason = um.account_reason(command, event.account_id)
        change = um.balance_change_micro(command, event.account_id)
        self.publish_user(event.account_id, um.account_update(event, markets, marks, reason, change, now_ms))

    def split_applied(self, event: SplitApplied, now_ms: int) -> None:
        """perpx's SPLIT: each subscribed holder's position with its size and entry price rescaled
        (no equity moved, so the engine sends no AccountUpdated: the view's state is told as one),
        and each subscribed account's open order there, its price and size rescaled, as an AMENDMENT."""
        market = self.market(event.market)
        for order in sorted(self.orders.orders.values(), key=lambda o: o.order_id):
            if order.market == event.market and order.account_id in self.accounts:
                status = "PARTIALLY_FILLED" if order.filled_lots else "NEW"
                message = um.order_update(market, order, "AMENDMENT", status, event.ts_ms, now_ms)
                self.publish_user(order.account_id, message)
        holders = self.accounts_view.risk.holders.get(event.market, set())
        mark = self.view.prices.must_get(event.market).mark_price_ticks
        for account_id in sorted(holders & self.accounts.keys()):
            account = self.accounts_view.get_account(account_id)
            if account is None:
                continue
            state = position_state(self.accounts_view.risk, account, event.market)
            update = AccountUpdated(
                event.seq, event.command_id, event.ts_ms, account_id, account.balance_micro, (state,)
            )
            message = um.account_update(update, {event.market: market}, {event.market: mark}, "SPLIT", 0, now_ms)
            self.publish_user(account_id, message)

    def check_margin_calls(self, updated: set[int], revalued: set[str], now_ms: int) -> None:
        """A MARGIN_CALL to each subscribed account a bucket of which crossed into margin call."""
        candidates = updated & self.accounts.keys()
        holders = self.accounts_view.risk.holders
        for symbol in revalued:
            held_by = holders.get(symbol)
            if held_by:
                candidates.update(held_by & self.accounts.keys())
        for account_id in sorted(candidates):
            call = self.margin_calls.get_crossing(account_id)
            if call is not None:
                markets = {p.market: self.market(p.market) for p in call.positions}
                self.publish_user(account_id, um.margin_call(call, markets, now_ms))

    # -- the clock: depth flushes, tickers, klines, mark prices --------------------------------------

    def start(self) -> None:
        self.task = asyncio.create_task(self.run(), name="ws-fanout-clock")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def run(self) -> None:
        tick = 0
        while True:
            await asyncio.sleep(TICK_S)
            tick += 1
            try:
                self.on_tick(tick, wall_clock_ms())
            except Exception:
                log.exception("the WebSocket clock failed at tick %d", tick)

    def on_tick(self, tick: int, now_ms: int) -> None:
        for period_ms in DEPTH_PERIODS_MS.values():
            if tick % (period_ms // 50) == 0:
                self.flush_depth(period_ms, now_ms)
        if tick % 5 == 0:
            self.push_klines(now_ms)
        if tick % 20 == 0:
            self.push_marks(now_ms, "@1s")
            self.push_tickers(now_ms)
        if tick % 60 == 0:
            self.push_marks(now_ms, "")

    def flush_depth(self, period_ms: int, now_ms: int) -> None:
        books = self.view.books
        for symbol, gather in self.depth[period_ms].items():
            if not gather.changed:
                continue
            diff_stream = depth_stream(symbol, 0, period_ms)
            partials = [(n, depth_stream(symbol, n, period_ms)) for n in PARTIAL_LEVELS]
            if self.wants(diff_stream) or any(self.wants(name) for _, name in partials):
                market = self.market(symbol)
                book = books.must_get(symbol).book
                bids: list[tuple[int, int]] = []
                asks: list[tuple[int, int]] = []
                for is_bid, price in sorted(gather.changed, key=lambda c: (c[0], -c[1] if c[0] else c[1])):
                    side = book.bids if is_bid else book.asks
                    level = side.find_level(price)
                    lots = level.total_lots if level is not None and level.live_count else 0
                    (bids if is_bid else asks).append((price, lots))
                ids = (gather.first_id, gather.last_id, gather.previous_id)
                if self.wants(diff_stream):
                    self.publish(diff_stream, mm.depth_message(market, *ids, bids, asks, gather.ts_ms, now_ms))
                for levels, name in partials:
                    if self.wants(name):
                        depth = books.depth(symbol, levels)
                        top_bids = [(lv.price_ticks, lv.total_lots) for lv in depth.bids]
                        top_asks = [(lv.price_ticks, lv.total_lots) for lv in depth.asks]
                        self.publish(name, mm.depth_message(market, *ids, top_bids, top_asks, gather.ts_ms, now_ms))
            gather.previous_id = gather.last_id
            gather.first_id = 0
            gather.changed = set()

    def push_marks(self, now_ms: int, speed: str) -> None:
        everyone = f"!markPrice@arr{speed}"
        wanted_all = self.wants(everyone)
        messages = []
        for symbol in self.view.markets.symbols():
            stream = f"{symbol.lower()}@markPrice{speed}"
            if not (wanted_all or self.wants(stream)):
                continue
            if self.view.prices.must_get(symbol).mark_price_ticks == 0:
                continue
            message = mm.mark_price_message(self.view, self.market(symbol), now_ms)
            self.publish(stream, message)
            messages.append(message)
        if wanted_all and messages:
            self.publish(everyone, messages)

    def push_tickers(self, now_ms: int) -> None:
        symbols, self.traded = sorted(self.traded), set()
        minis = []
        fulls = []
        for symbol in symbols:
            market = self.market(symbol)
            lower = symbol.lower()
            want_mini = self.wants(f"{lower}@miniTicker") or self.wants("!miniTicker@arr")
            want_full = self.wants(f"{lower}@ticker") or self.wants("!ticker@arr")
            if not (want_mini or want_full):
                continue
            stats = self.view.ticker.stats(symbol, now_ms)
            if want_mini:
                mini = mm.mini_ticker_message(market, stats, now_ms)
                self.publish(f"{lower}@miniTicker", mini)
                minis.append(mini)
            if want_full:
                recent = self.view.trades.recent(symbol, 1)
                full = mm.ticker_message(market, stats, recent[-1].size_lots if recent else 0, now_ms)
                self.publish(f"{lower}@ticker", full)
                fulls.append(full)
        if minis:
            self.publish("!miniTicker@arr", minis)
        if fulls:
            self.publish("!ticker@arr", fulls)

    def push_klines(self, now_ms: int) -> None:
        symbols, self.kline_dirty = self.kline_dirty, set()
        for symbol in symbols:
            prefix = f"{symbol.lower()}@kline_"
            for stream in [s for s in self.subscribers if s.startswith(prefix)]:
                message = mm.kline_message(self.view, self.market(symbol), stream[len(prefix) :], now_ms)
                if message is not None:
                    self.publish(stream, message)


def _copy(order: Any) -> Any:
    from dataclasses import replace

    return replace(order)
