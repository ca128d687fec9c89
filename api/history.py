"""The indexer's SQL history (views/history) joined to the live views, so that closed orders, fills
and income from before this api process started are still answered.

The history holds every event up to its `indexed_seq`; the live views hold recent windows up to the
read side's `last_seq`. A list takes the rows of seq <= indexed_seq from SQL and the newer ones from
the live windows: two disjoint sets, so nothing is answered twice. An order (one row that changes)
is taken from whichever side has seen more events. Both sides are read with the same bounds and the
same limit, so Binance's pick (api.windows) over their union is the pick over everything. Each
request reads in one transaction: an indexer commit meanwhile cannot move `indexed_seq` under it.

Without a configured history (or before the indexer created its file) every read is live only.
"""

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import msgspec

from messages.enums import CancelReason, OrderType, SelfTradePrevention, Side, TimeInForce
from views.history.queries import indexed_seq
from views.history.records import FillRecord, OrderRecord
from views.history.sql import open_sqlite_reader
from views.orders import OrderStatus, OrderView
from views.own_activity import OwnFill

log = logging.getLogger("perpx.api.history")


@dataclass(frozen=True)
class HistorySnapshot:
    """One consistent read of the history: its connection and the last seq it holds."""

    connection: sqlite3.Connection
    indexed_seq: int


class HistoryReader:
    """The history file, opened read-only on first use (under `perpx up` the indexer may create it
    after the api started)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None

    @contextmanager
    def snapshot(self) -> Iterator[HistorySnapshot | None]:
        """A read transaction on the history, or None when there is no history (yet)."""
        connection = self._open()
        if connection is None:
            yield None
            return
        connection.execute("BEGIN")
        try:
            try:
                seq = indexed_seq(connection)
            except sqlite3.OperationalError:  # the indexer is creating its tables right now
                log.warning("the history at %s has no tables yet: live views only", self.path)
                yield None
                return
            yield HistorySnapshot(connection, seq)
        finally:
            connection.rollback()

    def _open(self) -> sqlite3.Connection | None:
        if self._connection is None and self.path.exists():
            self._connection = open_sqlite_reader(self.path)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class Bounds(msgspec.Struct, frozen=True):
    """What SQL must read so that `pick` over SQL's rows and the live rows picks right: from an id
    up (the first rows), else a window, its first rows when it has a start, else its last."""

    from_id: int | None
    start_ms: int | None
    end_ms: int | None
    newest: bool


def bounds_of(from_id: int | None, start_ms: int | None, end_ms: int | None) -> Bounds:
    if from_id is not None:
        return Bounds(from_id, None, None, False)
    return Bounds(None, start_ms, end_ms, start_ms is None)


def order_view(record: OrderRecord) -> OrderView:
    """A history order as the live views show one (its status from its cancel reason, as theirs)."""
    reason = CancelReason(record.cancel_reason) if record.cancel_reason is not None else None
    return OrderView(
        account_id=record.account_id,
        market=record.market,
        order_id=record.order_id,
        client_order_id=record.client_order_id,
        side=Side(record.side),
        order_type=OrderType(record.order_type),
        time_in_force=TimeInForce(record.time_in_force),
        price_ticks=record.price_ticks,
        size_lots=record.size_lots,
        remaining_lots=record.remaining_lots,
        filled_lots=record.filled_lots,
        filled_notional_ticks_lots=record.filled_notional_tick_lots,
        reduce_only=record.reduce_only,
        expire_at_ms=record.expire_at_ms,
        self_trade_prevention=SelfTradePrevention(record.self_trade_prevention),
        status=OrderStatus.CANCELED if reason is not None else OrderStatus(record.status),
        cancel_reason=reason,
        resting=record.resting,
        created_ms=record.created_ms,
        updated_ms=record.updated_ms,
    )


def newer_order(indexed: OrderView | None, live: OrderView | None, live_is_newer: bool) -> OrderView | None:
    """One order as both sides know it: the side that saw more events, completed by the other with
    what a view seeded from a snapshot does not know (its creation time, its fills' notional)."""
    if indexed is None or live is None:
        return live if live is not None else indexed
    if not live_is_newer:
        return indexed
    created_ms = live.created_ms or indexed.created_ms
    notional = live.filled_notional_ticks_lots
    if notional is None and indexed.filled_lots == live.filled_lots:
        notional = indexed.filled_notional_ticks_lots
    return msgspec.structs.replace(live, created_ms=created_ms, filled_notional_ticks_lots=notional)


def merged_orders(indexed: list[OrderRecord], live: list[OrderView], live_is_newer: bool) -> list[OrderView]:
    """The union by order id, each order once, by order id."""
    by_id: dict[int, OrderView] = {record.order_id: order_view(record) for record in indexed}
    for order in live:
        merged = newer_order(by_id.get(order.order_id), order, live_is_newer)
        if merged is not None:
            by_id[order.order_id] = merged
    return [by_id[order_id] for order_id in sorted(by_id)]


def own_fill(record: FillRecord) -> OwnFill:
    return OwnFill(
        record.trade_id,
        record.order_id,
        record.market,
        Side(record.side),
        record.price_ticks,
        record.size_lots,
        record.fee_micro,
        record.realized_pnl_micro,
        record.is_maker,
        record.ts_ms,
        record.seq,
    )
