"""Events written by hand the way the engine emits them (messages/events.py), with seqs and clocks
filled in, and a fresh history database to fold them into."""

import itertools
from pathlib import Path
from typing import Any

from messages.enums import Side
from messages.events import Event, Trade
from views.history.sql import open_sqlite
from views.history.store import HistoryStore

T0_MS = 1_779_926_400_000  # 2026-05-28 00:00:00 UTC: the start of a day, so of every candle period


class Script:
    """Builds events in seq order: `script.add(OrderAccepted, account_id=1, ...)`; each command's
    events share a command id and a clock (`script.command(ts_ms)` starts the next command)."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.seqs = itertools.count(1)
        self.commands = itertools.count(1)
        self.command_id = "c0"
        self.ts_ms = T0_MS

    def command(self, ts_ms: int | None = None) -> "Script":
        self.command_id = f"c{next(self.commands)}"
        if ts_ms is not None:
            self.ts_ms = ts_ms
        return self

    def add(self, cls: type[Event], **fields: Any) -> Event:
        event = cls(seq=next(self.seqs), command_id=self.command_id, ts_ms=self.ts_ms, **fields)
        self.events.append(event)
        return event


def trade(
    s: Script, trade_id: int, price: int, size: int, taker: tuple, maker: tuple, side: Side = Side.BUY, **money: int
) -> None:
    """A Trade in AAPLUSDC; taker and maker are (account, order id, remaining after); `money`: fees
    and realized PnL. Its book update id is its trade id (the history does not read it)."""
    s.add(
        Trade,
        market="AAPLUSDC",
        trade_id=trade_id,
        price_ticks=price,
        size_lots=size,
        taker_side=side,
        taker_order_id=taker[1],
        taker_account_id=taker[0],
        taker_remaining_lots=taker[2],
        maker_order_id=maker[1],
        maker_account_id=maker[0],
        maker_remaining_lots=maker[2],
        book_update_id=trade_id,
        **money,
    )


def history(tmp_path: Path, name: str = "history.sqlite3") -> HistoryStore:
    return HistoryStore(open_sqlite(tmp_path / name))


def table(store: HistoryStore, name: str, order_by: str) -> list[tuple]:
    cursor = store.connection.cursor()
    cursor.execute(f"SELECT * FROM {name} ORDER BY {order_by}")
    return cursor.fetchall()


TABLES = (
    "indexer_position",
    "history_gaps",
    "orders",
    "order_events",
    "trades",
    "fills",
    "income",
    "balance_changes",
    "funding_payments",
    "funding_rates",
    "dividend_payments",
    "dividends",
    "splits",
    "liquidations",
    "candles",
)


def dump(store: HistoryStore) -> dict[str, list[tuple]]:
    """Every table's rows in a fixed order: two histories are equal when their dumps are."""
    cursor = store.connection.cursor()
    found = {}
    for name in TABLES:
        cursor.execute(f"SELECT * FROM {name}")
        found[name] = sorted(cursor.fetchall(), key=repr)
    return found
