"""The engine state machine: `apply(command) -> list[Event]`, the single writer of exchange state.

Deterministic by construction: time is the commands' `ts_ms` (the clock only moves forward), ids
come from counters in the state, and nothing iterates in hash order. Each command kind has its
handler module (place_order, cancel_order, amend_order, market_admin); this module holds the state
they share and the steps every order goes through: rest, close, settle fills, expire.
"""

import heapq
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Final

import msgspec
from msgspec.structs import astuple
from mypy_extensions import mypyc_attr

from matching.amend_order import amend_order
from matching.book import Fill, OrderBook
from matching.cancel_order import cancel_all, cancel_order, cancel_unpacked
from matching.command_window import CommandWindow
from matching.countdown import countdown_cancel_all, fire_countdowns
from matching.market import Market
from matching.market_admin import advance_clock, list_market, set_market_status
from matching.order import Order
from matching.place_order import place_order, place_unpacked
from matching.price_update import price_update
from matching.risk import PositionsOnly, Risk
from matching.trader import Trader
from messages.commands import (
    AdvanceClock,
    AmendOrder,
    CancelAll,
    CancelOrder,
    Command,
    CountdownCancelAll,
    ListMarket,
    PlaceOrder,
    PriceUpdate,
    SetMarketStatus,
)
from messages.enums import CancelReason, RejectReason, Side
from messages.events import Event, OrderAmended, OrderCanceled, OrderRested, Rejected, Trade
from messages.limits import (
    MAX_CLIENT_ORDER_ID_LEN,
    MAX_COMMAND_ID_LEN,
    MAX_ID,
    MAX_SYMBOL_LEN,
    MAX_TIME_MS,
    command_problem,
)
from messages.market_spec import MarketSpec

Handler = Callable[["Engine", Any], None]

# Final aliases of classes and members used on hot paths: compiled (mypyc), a Final module
# constant is a C static, where a plain imported name is a dictionary lookup on every use.
_BUY: Final = Side.BUY
_SELL: Final = Side.SELL
_Trade: Final = Trade
_PlaceOrder: Final = PlaceOrder
_astuple: Final = astuple
_CancelOrder: Final = CancelOrder
_OrderCanceled: Final = OrderCanceled
_OrderAmended: Final = OrderAmended
_OrderRested: Final = OrderRested
_SELF_TRADE: Final = CancelReason.SELF_TRADE
_REDUCE_ONLY: Final = CancelReason.REDUCE_ONLY
_EXPIRED: Final = CancelReason.EXPIRED
DENSE_ACCOUNT_IDS: Final = 1 << 20  # traders of accounts below this id are also found by index
# engine.out between commands: always empty, as nothing emits events outside a command
_NO_EVENTS: Final[list[Event]] = []


class EngineConfig(msgspec.Struct, frozen=True):
    """Knobs that change behaviour, hence part of the snapshot."""

    command_window: int = 100_000  # a command id is remembered for at least this many commands after it
    client_id_window: int = 100_000  # how many closed client order ids stay reserved


@mypyc_attr(allow_interpreted_subclasses=True)
class Engine:
    """Markets, books, open orders and the idempotence windows; money lives behind `risk`."""

    handlers: ClassVar[dict[type, Handler]] = {
        PlaceOrder: place_order,
        CancelOrder: cancel_order,
        CancelAll: cancel_all,
        AmendOrder: amend_order,
        AdvanceClock: advance_clock,
        CountdownCancelAll: countdown_cancel_all,
        ListMarket: list_market,
        SetMarketStatus: set_market_status,
        PriceUpdate: price_update,
    }

    def __init__(
        self,
        specs: Iterable[MarketSpec] = (),
        risk: Risk | None = None,
        config: EngineConfig | None = None,
        book_type: type = OrderBook,
    ) -> None:
        """`book_type` exists for differential tests, which run NaiveBook in its place."""
        self.config = config or EngineConfig()
        self.book_type = book_type
        self.dispatch: dict[type, Handler] = dict(self.handlers)  # a subclass's table, read once
        self.direct_place_order = self.dispatch.get(PlaceOrder) is place_order
        self.direct_cancel_order = self.dispatch.get(CancelOrder) is cancel_order
        self.command_window = self.config.command_window  # copied: read on every command
        self.client_id_window = self.config.client_id_window
        self.risk: Risk = risk if risk is not None else PositionsOnly()
        self.markets: dict[str, Market] = {}
        for spec in specs:
            problem = spec.validate()
            if problem is not None:
                raise ValueError(f"{spec.symbol}: {problem}")
            self.markets[spec.symbol] = Market(spec, book_type=book_type)
        self.clock_ms = 0
        self.next_seq = 1
        self.next_order_id = 1
        self.next_trade_id = 1
        # account -> its resting orders (a trader is kept once created: most rest another order soon)
        self.traders: dict[int, Trader] = {}
        # the same traders by index, for ids below DENSE_ACCOUNT_IDS (ids handed out in sequence,
        # as an account service does): a dict lookup by int boxes the id and compares int objects
        self.traders_by_id: list[Trader | None] = []
        self.client_ids: dict[tuple[int, str], int] = {}  # (account, client order id) -> order id
        self.client_id_fifo: deque[tuple[int, str]] = deque()
        self.commands = CommandWindow(self.command_window)  # the ids of recent commands
        self.expiries: list[tuple[int, int, str]] = []  # heap of (expire_at_ms, order id, market)
        self.reduce_only: dict[tuple[int, str], dict[int, Order]] = {}  # resting reduce-only orders
        self.countdowns: dict[tuple[int, str], int] = {}  # (account, market) -> dead-man deadline (ms)
        self.next_countdown_ms = 0  # the earliest of them; read on every command
        # the command being applied
        self.out: list[Event] = _NO_EVENTS
        self.command_id = ""
        self.ts_ms = 0
        # the same clock as one int object, boxed once per command: compiled, each event built
        # with the native `ts_ms` would box it anew
        self.ts_key: Any = 0

    # -- applying commands -----------------------------------------------------------------------

    def apply(self, command: Command) -> list[Event]:
        """Apply one command; return its events. A command id seen recently changes nothing and
        returns no events: its original events are `result_range(command_id)` in the event log."""
        command_type = type(command)
        # the two commonest commands are unpacked once, here, and their handlers called directly
        # (a native call, no argument parsing) unless a subclass's table has replaced them: an
        # attribute read on a msgspec command is a generic lookup, dearer than the whole unpacking
        if command_type is _PlaceOrder:
            direct = self.direct_place_order
        elif command_type is _CancelOrder:
            direct = self.direct_cancel_order
        else:
            direct = False
        clock_ms = self.clock_ms
        if direct:
            fields = _astuple(command)
            command_id: str = fields[0]  # every command starts with command_id, ts_ms
            ts_ms: int = fields[1]
            # the ranges every command shares (messages/limits.py), natively: the rest of a
            # PlaceOrder's are order_rejection's; a CancelOrder's other fields are only looked up
            fits = len(command_id) <= MAX_COMMAND_ID_LEN and 0 <= ts_ms <= MAX_TIME_MS
        else:
            fields = ()
            command_id = command.command_id
            ts_ms = command.ts_ms
            fits = False
        if command_id and self.commands.seen(command_id):
            return []  # a repeat (an empty id is never remembered)
        if not fits:
            problem = command_problem(command, ts_ms if type(ts_ms) is int and ts_ms > clock_ms else clock_ms)
            if problem is not None:
                return self.refuse(command, command_id, problem[0], problem[1])
        out: list[Event] = []
        first_seq = self.next_seq  # the command's events take the seqs from here on, one each
        self.out = out
        self.command_id = command_id
        if ts_ms > self.clock_ms:
            self.clock_ms = ts_ms
        self.ts_ms = self.clock_ms
        self.ts_key = self.clock_ms
        if self.expiries and self.expiries[0][0] <= self.clock_ms:
            self.expire_due()
        if self.countdowns and self.next_countdown_ms <= self.clock_ms:
            fire_countdowns(self)
        if direct:
            if command_type is _PlaceOrder:
                place_unpacked(self, command, fields)  # type: ignore[arg-type]
            else:
                cancel_unpacked(self, command, fields)  # type: ignore[arg-type]
        else:
            handler = self.dispatch.get(command_type)
            if handler is None:
                self.reject(command, RejectReason.UNSUPPORTED_COMMAND, command_type.__name__)
            else:
                handler(self, command)
        self.after_command()
        if command_id:
            self.commands.remember(command_id, first_seq, len(out))
        # the events are the caller's now: holding on to them until the next command would free
        # them inside that command's apply, on its latency
        self.out = _NO_EVENTS
        return out

    def refuse(self, command: Command, command_id: str, reason: RejectReason, detail: str) -> list[Event]:
        """Answer a command with a field out of range: one Rejected, and nothing else changes (not
        even the clock). Its id is remembered, so a repeat gets the same answer, unless the id
        itself is too long to keep."""
        out: list[Event] = []
        first_seq = self.next_seq
        self.out = out
        self.command_id = command_id
        self.ts_ms = self.clock_ms
        self.reject(command, reason, detail)
        if command_id and len(command_id) <= MAX_COMMAND_ID_LEN:
            self.commands.remember(command_id, first_seq, len(out))
        self.out = _NO_EVENTS
        return out

    def after_command(self) -> None:
        """What must follow every command, whichever its kind: nothing here; margin/ settles the
        accounts that the command's fills or transfers touched. A method rather than a wrapper
        around handlers, so the direct calls above stay direct in every subclass."""

    def result_range(self, command_id: str) -> tuple[int, int] | None:
        """(first seq, event count) of a recently applied command, for answering a repeat."""
        return self.commands.result_range(command_id)

    def take_seq(self) -> int:
        seq = self.next_seq
        self.next_seq = seq + 1
        return seq

    def reject(self, command: Command, reason: RejectReason, detail: str = "", order_id: int = 0) -> None:
        """The command's account, market and client order id are echoed when within their ranges
        (a value out of range, the reason for the rejection, is named in `detail` instead)."""
        account_id = getattr(command, "account_id", 0)
        market = getattr(command, "market", "")
        client_order_id = getattr(command, "client_order_id", "")
        if type(account_id) is not int or not -MAX_ID <= account_id <= MAX_ID:
            account_id = 0
        if type(market) is not str or len(market) > MAX_SYMBOL_LEN:
            market = ""
        if type(client_order_id) is not str or len(client_order_id) > MAX_CLIENT_ORDER_ID_LEN:
            client_order_id = ""
        if not -MAX_ID <= order_id <= MAX_ID:
            order_id = 0
        self.out.append(
            Rejected(
                self.take_seq(),
                self.command_id,
                self.ts_ms,
                type(command).__name__,
                reason,
                account_id,
                market,
                client_order_id,
                order_id,
                detail,
            )
        )

    # -- the life of an order --------------------------------------------------------------------

    def remember_client_id(self, account_id: int, client_order_id: str, order_id: int) -> None:
        """Reserve a client order id while its order is open and for a window after."""
        key = (account_id, client_order_id)
        self.client_ids[key] = order_id
        fifo = self.client_id_fifo
        fifo.append(key)
        if len(fifo) > self.client_id_window:
            oldest = fifo.popleft()
            oldest_order_id = self.client_ids[oldest]
            if self.is_resting(oldest_order_id):
                fifo.append(oldest)  # still open: it stays reserved
            else:
                del self.client_ids[oldest]

    def find_trader(self, account_id: int) -> Trader | None:
        """The account's Trader, if it has ever rested an order."""
        by_id = self.traders_by_id
        if 0 <= account_id < len(by_id):
            return by_id[account_id]
        return self.traders.get(account_id)

    def trader(self, account_id: int) -> Trader:
        """The account's Trader, created when its first order rests (not before: an order
        refused, say for an unknown account, leaves nothing behind)."""
        trader = self.find_trader(account_id)
        if trader is None:
            trader = self.traders[account_id] = Trader(account_id)
            if 0 <= account_id < DENSE_ACCOUNT_IDS:
                by_id = self.traders_by_id
                if account_id >= len(by_id):
                    by_id.extend([None] * (max(account_id + 1, 2 * len(by_id)) - len(by_id)))
                by_id[account_id] = trader
        return trader

    def orders_of(self, account_id: int) -> list[Order]:
        """The account's resting orders, in order-id order."""
        trader = self.find_trader(account_id)
        return trader.orders() if trader is not None else []

    def is_resting(self, order_id: int) -> bool:
        """Does any book hold this order? (Asked when a client order id leaves its window.)"""
        return any(order_id in market.book.orders for market in self.markets.values())

    def rest(self, market: Market, order: Order) -> None:
        """Put the order at the back of its level and say so (OrderRested), then bookkeeping."""
        market.book.add(order)
        trader = order.trader
        if trader is None:  # the account's first order to rest
            trader = order.trader = self.trader(order.account_id)
        update_id = market.book_update_id + 1
        market.book_update_id = update_id
        seq = self.next_seq
        self.next_seq = seq + 1
        self.out.append(
            _OrderRested(
                seq,
                self.command_id,
                self.ts_key,
                trader.id_key,
                market.symbol,
                order.id_key,
                order.client_order_id,
                _BUY if order.is_buy else _SELL,
                order.price_ticks,
                order.remaining_lots,
                update_id,
            )
        )
        trader.add(order)
        if order.expire_at_ms:
            heapq.heappush(self.expiries, (order.expire_at_ms, order.order_id, market.symbol))
        self.risk.on_order_opened(market, order)
        if order.reduce_only:
            key = (order.account_id, market.symbol)
            self.reduce_only.setdefault(key, {})[order.order_id] = order
            self.enforce_reduce_only(market, order.account_id)

    def closed(self, market: Market, order: Order) -> None:
        """Bookkeeping for an order that has left the book (the book has already dropped it)."""
        trader = order.trader
        assert trader is not None
        trader.remove(order)
        self.risk.on_order_closed(market, order)
        if order.reduce_only:
            key = (order.account_id, market.symbol)
            ro = self.reduce_only[key]
            del ro[order.order_id]
            if not ro:
                del self.reduce_only[key]

    def shrink_resting(self, market: Market, order: Order, new_remaining_lots: int) -> None:
        """Reduce a resting order in place (it keeps its priority); the risk seam sees it re-open."""
        self.risk.on_order_closed(market, order)
        market.book.reduce(order, new_remaining_lots)
        self.risk.on_order_opened(market, order)

    def cancel_resting(self, market: Market, order: Order, reason: CancelReason) -> None:
        market.book.take_out(order)
        self.closed(market, order)
        self.emit_canceled(market, order, reason, True)

    def emit_canceled(self, market: Market, order: Order, reason: CancelReason, was_resting: bool = False) -> None:
        """OrderCanceled; one that the book has just lost (`was_resting`) takes the next update id."""
        update_id = 0
        if was_resting:
            update_id = market.book_update_id + 1
            market.book_update_id = update_id
        self.out.append(
            _OrderCanceled(
                self.take_seq(),
                self.command_id,
                self.ts_key,
                order.account_id,
                market.symbol,
                order.id_key,
                order.client_order_id,
                order.remaining_lots,
                reason,
                update_id,
            )
        )

    def emit_amended(self, market: Market, order: Order, priority_kept: bool) -> None:
        """OrderAmended: the resting order was shrunk in place, or (priority lost) has left the book."""
        update_id = market.book_update_id + 1
        market.book_update_id = update_id
        self.out.append(
            _OrderAmended(
                self.take_seq(),
                self.command_id,
                self.ts_key,
                order.account_id,
                market.symbol,
                order.id_key,
                order.client_order_id,
                order.price_ticks,
                order.size_lots,
                order.remaining_lots,
                priority_kept,
                update_id,
            )
        )

    def settle_fills(self, market: Market, taker: Order, fills: list[Fill], taker_lots_before: int) -> None:
        """Turn the book's fills into Trades: settle each through the risk seam, close filled
        makers, then keep reduce-only orders of every account whose position moved in bounds."""
        out = self.out
        risk = self.risk
        command_id, symbol = self.command_id, market.symbol
        # boxed once for all the trades (compiled, a native int handed to a Trade is boxed anew each time)
        ts_ms = self.ts_key
        taker_id: Any = taker.id_key
        taker_account: Any = taker.account_id
        taker_side = _BUY if taker.is_buy else _SELL
        taker_remaining = taker_lots_before
        price_ticks = 0
        for maker, lots in fills:
            if lots == 0:
                self.closed(market, maker)
                self.emit_canceled(market, maker, _SELF_TRADE, True)
                continue
            taker_remaining -= lots
            price_ticks = maker.price_ticks
            taker_fee, maker_fee, taker_pnl, maker_pnl = risk.on_fill(market, taker, maker, price_ticks, lots)
            trade_id = self.next_trade_id
            self.next_trade_id = trade_id + 1
            seq = self.next_seq
            self.next_seq = seq + 1
            update_id = market.book_update_id + 1
            market.book_update_id = update_id
            out.append(
                _Trade(
                    seq,
                    command_id,
                    ts_ms,
                    symbol,
                    trade_id,
                    price_ticks,
                    lots,
                    taker_side,
                    taker_id,
                    taker_account,
                    taker_remaining,
                    maker.id_key,
                    maker.account_id,
                    maker.remaining_lots,
                    taker_fee,
                    maker_fee,
                    update_id,
                    taker_pnl,
                    maker_pnl,
                )
            )
            if maker.remaining_lots == 0:
                self.closed(market, maker)
        if price_ticks:
            market.last_trade_ticks = price_ticks
        if self.reduce_only:
            touched = {taker.account_id}
            touched.update(maker.account_id for maker, _ in fills)
            for account_id in sorted(touched):
                if (account_id, symbol) in self.reduce_only:
                    self.enforce_reduce_only(market, account_id)

    def enforce_reduce_only(self, market: Market, account_id: int) -> None:
        """Reduce-only orders may together close at most the position: cancel those on the wrong
        side (or all, when flat), then shrink the newest until the rest fits."""
        orders = self.reduce_only.get((account_id, market.symbol))
        if not orders:
            return
        position = self.risk.position_lots(account_id, market.symbol)
        budget = abs(position)
        for order in sorted(orders.values(), key=lambda o: o.arrival):
            reduces = position < 0 if order.is_buy else position > 0
            if not reduces or budget == 0:
                self.cancel_resting(market, order, _REDUCE_ONLY)
            elif order.remaining_lots > budget:
                self.shrink_resting(market, order, budget)
                budget = 0
                self.emit_amended(market, order, True)
            else:
                budget -= order.remaining_lots

    def expire_due(self) -> None:
        """Cancel every GTD order whose time has come (heap entries of gone orders are skipped)."""
        expiries = self.expiries
        now = self.clock_ms
        while expiries and expiries[0][0] <= now:
            expire_at_ms, order_id, symbol = heapq.heappop(expiries)
            market = self.markets.get(symbol)
            order = market.book.get(order_id) if market is not None else None
            if market is not None and order is not None and order.expire_at_ms == expire_at_ms:
                self.cancel_resting(market, order, _EXPIRED)

    # -- state -----------------------------------------------------------------------------------

    def snapshot(self) -> bytes:
        from matching.snapshot import encode_engine

        return encode_engine(self)

    @classmethod
    def restore(cls, data: bytes, risk: Risk | None = None, book_type: type = OrderBook) -> "Engine":
        from matching.snapshot import decode_engine

        return decode_engine(cls, data, risk, book_type)

    def state_hash(self) -> str:
        from matching.snapshot import state_hash

        return state_hash(self)

    def check_invariants(self) -> None:
        """Raise AssertionError unless books, indexes and windows agree with each other."""
        assert not self.out, "events emitted outside a command"
        assert all(symbol in self.markets for _, symbol in self.countdowns), "a countdown on an unknown market"
        assert self.next_countdown_ms == min(self.countdowns.values(), default=0), "next countdown out of date"
        resting: dict[int, Order] = {}
        for market in self.markets.values():
            market.book.check_invariants()
            for order in market.book.orders.values():
                assert order.market == market.symbol
                resting[order.order_id] = order
        indexed: dict[int, Order] = {}
        for account_id, trader in self.traders.items():
            assert trader.account_id == account_id
            if 0 <= account_id < DENSE_ACCOUNT_IDS:
                assert self.traders_by_id[account_id] is trader, "a trader missing from the index by id"
            listed = trader.orders()
            assert len(listed) == trader.order_count, "a trader's count differs from its list"
            for order in listed:
                assert order.trader is trader and order.account_id == account_id
                assert order.order_id not in indexed, "an order listed twice"
                indexed[order.order_id] = order
        assert sum(1 for t in self.traders_by_id if t is not None) == sum(
            1 for a in self.traders if 0 <= a < DENSE_ACCOUNT_IDS
        ), "the index by id holds a trader the engine does not"
        assert indexed.keys() == resting.keys(), "open-order index differs from the books"
        assert all(indexed[oid] is resting[oid] for oid in resting)
        for (account_id, symbol), orders in self.reduce_only.items():
            assert orders, "empty reduce-only entry kept"
            position = self.risk.position_lots(account_id, symbol)
            assert sum(o.remaining_lots for o in orders.values()) <= abs(position), "reduce-only exceeds position"
            assert all(o.reduce_only and o.resting for o in orders.values())
        assert all(
            o.order_id in self.reduce_only.get((o.account_id, o.market), {}) for o in resting.values() if o.reduce_only
        )
        for order_id in self.client_ids.values():
            assert order_id < self.next_order_id
        for order in resting.values():
            if order.client_order_id:
                assert self.client_ids.get((order.account_id, order.client_order_id)) == order.order_id
        self.commands.check_invariants()
        assert all(o.order_id < self.next_order_id for o in resting.values())
