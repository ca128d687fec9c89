"""The history database as the indexer writes it: each batch's rows and the indexer's position in one
transaction, so that a kill at any point leaves either all of a batch or none of it.

Events are taken in `seq` order with no gap: those at or below the position are skipped (a batch fed
twice changes nothing), and one that does not follow the position raises HistoryGap rather than
write history with a hole in it.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from messages.events import Event
from views.entries import UndecodableEvent
from views.history.projection import BatchProjection
from views.history.records import ORDER_COLUMNS, OrderRecord, order_from_row
from views.history.sql import Connection, Cursor


class HistoryGap(RuntimeError):
    """The next event is not the one after the position: the events between are not to be had."""

    def __init__(self, last_seq: int, next_seq: int) -> None:
        super().__init__(
            f"history is at seq {last_seq} but the next event available is seq {next_seq}: "
            f"events {last_seq + 1}..{next_seq - 1} are gone from the stream"
        )
        self.last_seq = last_seq
        self.next_seq = next_seq


class HistoryAhead(RuntimeError):
    """The history holds events past the end of the stream: it belongs to another exchange (or Redis
    lost data), and appending this stream's events to it would mix two exchanges."""

    def __init__(self, last_seq: int, stream_last_seq: int) -> None:
        super().__init__(
            f"history is at seq {last_seq} but the event stream ends at seq {stream_last_seq}: this history "
            "belongs to another exchange or Redis lost its data; move the history file aside to start afresh"
        )


@dataclass(frozen=True)
class Position:
    last_seq: int  # the last event written
    entry_id: str  # the event stream entry it came in ("0-0" before any)


@dataclass
class WriteCounts:
    events: int = 0  # events written (duplicates skipped)
    unknown_orders: int = 0  # events about orders accepted before the history began
    unknown_events: Counter[str] | None = None


class HistoryStore:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def position(self) -> Position:
        cursor = self.connection.cursor()
        cursor.execute("SELECT last_seq, entry_id FROM indexer_position WHERE id = 1")
        row = cursor.fetchone()
        return Position(row[0], row[1]) if row else Position(0, "0-0")

    def write_batch(self, events: Sequence[Event | UndecodableEvent], entry_id: str) -> WriteCounts:
        """Write the events after the position (in one transaction with the new position)."""
        last_seq = self.position().last_seq
        fresh = [e for e in events if e.seq > last_seq]
        if not fresh:
            return WriteCounts()
        for expected, event in enumerate(fresh, last_seq + 1):
            if event.seq != expected:
                raise HistoryGap(expected - 1, event.seq)
        cursor = self.connection.cursor()
        projection = BatchProjection(lambda order_id: _load_order(cursor, order_id))
        for event in fresh:
            projection.add(event)
        try:
            projection.write(cursor)
            _set_position(cursor, fresh[-1].seq, entry_id)
            self.connection.commit()
        except BaseException:
            self.connection.rollback()
            raise
        return WriteCounts(len(fresh), projection.orders.unknown_orders, projection.unknown)

    def skip_gap(self, gap: HistoryGap, entry_id: str) -> None:
        """Go on after a gap, recording it in `history_gaps` (orders open across it stay as last seen)."""
        cursor = self.connection.cursor()
        try:
            cursor.execute(
                "INSERT INTO history_gaps VALUES (?, ?) ON CONFLICT DO NOTHING", (gap.last_seq + 1, gap.next_seq - 1)
            )
            _set_position(cursor, gap.next_seq - 1, entry_id)
            self.connection.commit()
        except BaseException:
            self.connection.rollback()
            raise

    def prune_unfilled_orders(self, ended_before_ms: int) -> int:
        """Forget orders that ended without a fill before `ended_before_ms` (engine clock), with the
        states they passed through: Binance keeps such orders 3 days, and they are most of the
        orders a market maker sends. Filled orders, trades and payments stay. Returns how many went."""
        ended = "status IN ('CANCELED', 'EXPIRED', 'EXPIRED_IN_MATCH') AND filled_lots = 0 AND updated_ms < ?"
        cursor = self.connection.cursor()
        try:
            cursor.execute(f"DELETE FROM order_events WHERE order_id IN (SELECT order_id FROM orders WHERE {ended})",
                           (ended_before_ms,))  # fmt: skip
            cursor.execute(f"DELETE FROM orders WHERE {ended}", (ended_before_ms,))
            removed = int(cursor.rowcount)
            self.connection.commit()
        except BaseException:
            self.connection.rollback()
            raise
        return removed

    def close(self) -> None:
        self.connection.close()


def _load_order(cursor: Cursor, order_id: int) -> OrderRecord | None:
    cursor.execute(f"SELECT {ORDER_COLUMNS} FROM orders WHERE order_id = ?", (order_id,))
    row = cursor.fetchone()
    return order_from_row(row) if row else None


def _set_position(cursor: Cursor, last_seq: int, entry_id: str) -> None:
    cursor.execute(
        "INSERT INTO indexer_position VALUES (1, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET last_seq = excluded.last_seq, entry_id = excluded.entry_id",
        (last_seq, entry_id),
    )
