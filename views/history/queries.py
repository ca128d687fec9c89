"""What the API asks of the history: typed rows with exact integers, in the engine's units.

Each function takes a connection (views.history.sql) and returns frozen records, oldest first.
Private queries take the account id and never return another account's rows. Binance's defaults
(which window when no time is given, the largest limit) are the API's to apply; here a missing
bound means unbounded, and `limit` is required. Windows are inclusive at both ends, as Binance's.
"""

from typing import Any

from views.history.records import (
    ORDER_COLUMNS,
    AggTradeRecord,
    BalanceChangeRecord,
    CandleRecord,
    FillRecord,
    FundingRateRecord,
    IncomeRecord,
    LiquidationRecord,
    OrderEventRecord,
    OrderRecord,
    TradeRecord,
    order_from_row,
)
from views.history.sql import Connection


def _rows(connection: Connection, sql: str, parameters: list[object]) -> list[tuple[Any, ...]]:
    cursor = connection.cursor()
    cursor.execute(sql, parameters)
    return list(cursor.fetchall())


def _desc(newest: bool) -> str:
    return " DESC" if newest else ""


def _oldest_first(rows: list[tuple[Any, ...]], newest: bool) -> list[tuple[Any, ...]]:
    return rows[::-1] if newest else rows


class _Where:
    """AND-ed conditions and their parameters, built from the bounds actually given."""

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.parameters: list[object] = []

    def add(self, condition: str, value: object) -> "_Where":
        if value is not None:
            self.conditions.append(condition)
            self.parameters.append(value)
        return self

    def sql(self) -> str:
        return " WHERE " + " AND ".join(self.conditions) if self.conditions else ""


def all_orders(
    connection: Connection,
    account_id: int,
    market: str | None = None,
    from_order_id: int | None = None,
    start_ms: int | None = None,
    end_ms: int | None = None,
    limit: int = 500,
    newest: bool = False,
) -> list[OrderRecord]:
    """The account's orders by id: from `from_order_id` up if given, else created in the window;
    the first `limit` of them, or with `newest` the last (still returned oldest first)."""
    where = _Where().add("account_id = ?", account_id).add("market = ?", market).add("order_id >= ?", from_order_id)
    where.add("created_ms >= ?", start_ms).add("created_ms <= ?", end_ms)
    sql = f"SELECT {ORDER_COLUMNS} FROM orders{where.sql()} ORDER BY order_id{_desc(newest)} LIMIT ?"
    return [order_from_row(r) for r in _oldest_first(_rows(connection, sql, [*where.parameters, limit]), newest)]


def get_order(
    connection: Connection, account_id: int, order_id: int | None = None, client_order_id: str | None = None
) -> OrderRecord | None:
    """The account's order by id, or its newest with that client id; None if it has none such."""
    if order_id is None and client_order_id is None:
        raise ValueError("give order_id or client_order_id")
    where = _Where().add("account_id = ?", account_id).add("order_id = ?", order_id)
    where.add("client_order_id = ?", client_order_id)
    rows = _rows(
        connection, f"SELECT {ORDER_COLUMNS} FROM orders{where.sql()} ORDER BY order_id DESC LIMIT 1", where.parameters
    )
    return order_from_row(rows[0]) if rows else None


def order_events(connection: Connection, account_id: int, order_id: int) -> list[OrderEventRecord]:
    """Every state the account's order passed through, in seq order."""
    sql = "SELECT * FROM order_events WHERE account_id = ? AND order_id = ? ORDER BY seq"
    return [OrderEventRecord(*r) for r in _rows(connection, sql, [account_id, order_id])]


def user_trades(
    connection: Connection,
    account_id: int,
    market: str | None = None,
    from_trade_id: int | None = None,
    start_ms: int | None = None,
    end_ms: int | None = None,
    order_id: int | None = None,
    limit: int = 500,
    newest: bool = False,
) -> list[FillRecord]:
    """The account's fills by trade id (a self-trade gives its taker side, then its maker side);
    the first `limit` of them, or with `newest` the last (still returned oldest first)."""
    where = _Where().add("account_id = ?", account_id).add("market = ?", market).add("trade_id >= ?", from_trade_id)
    where.add("ts_ms >= ?", start_ms).add("ts_ms <= ?", end_ms).add("order_id = ?", order_id)
    desc = _desc(newest)
    sql = f"SELECT * FROM fills{where.sql()} ORDER BY trade_id{desc}, is_maker{desc} LIMIT ?"
    rows = _oldest_first(_rows(connection, sql, [*where.parameters, limit]), newest)
    return [FillRecord(r[0], bool(r[1]), *r[2:]) for r in rows]


def income(
    connection: Connection,
    account_id: int,
    income_type: str | None = None,
    market: str | None = None,
    start_ms: int | None = None,
    end_ms: int | None = None,
    limit: int = 100,
    newest: bool = False,
) -> list[IncomeRecord]:
    """The account's income by time: the first `limit` entries, or with `newest` the last."""
    where = _Where().add("account_id = ?", account_id).add("income_type = ?", income_type).add("market = ?", market)
    where.add("ts_ms >= ?", start_ms).add("ts_ms <= ?", end_ms)
    desc = _desc(newest)
    sql = (
        "SELECT seq, account_id, income_type, market, amount_micro, ts_ms, trade_id, info, seq * 4 + part"
        f" FROM income{where.sql()} ORDER BY ts_ms{desc}, seq{desc}, part{desc} LIMIT ?"
    )
    return [IncomeRecord(*r) for r in _oldest_first(_rows(connection, sql, [*where.parameters, limit]), newest)]


def balance_changes(
    connection: Connection, account_id: int, start_ms: int | None = None, end_ms: int | None = None, limit: int = 500
) -> list[BalanceChangeRecord]:
    where = _Where().add("account_id = ?", account_id).add("ts_ms >= ?", start_ms).add("ts_ms <= ?", end_ms)
    sql = f"SELECT * FROM balance_changes{where.sql()} ORDER BY seq LIMIT ?"
    return [BalanceChangeRecord(*r) for r in _rows(connection, sql, [*where.parameters, limit])]


def liquidations(
    connection: Connection,
    account_id: int | None = None,
    market: str | None = None,
    start_ms: int | None = None,
    end_ms: int | None = None,
    limit: int = 500,
) -> list[LiquidationRecord]:
    """Liquidation steps, of one account or of everyone (the public forceOrders feed)."""
    where = _Where().add("account_id = ?", account_id).add("market = ?", market)
    where.add("ts_ms >= ?", start_ms).add("ts_ms <= ?", end_ms)
    sql = f"SELECT * FROM liquidations{where.sql()} ORDER BY seq LIMIT ?"
    return [LiquidationRecord(*r) for r in _rows(connection, sql, [*where.parameters, limit])]


def klines(
    connection: Connection,
    market: str,
    period: str,
    start_ms: int | None = None,
    end_ms: int | None = None,
    limit: int = 500,
) -> list[CandleRecord]:
    """Candles with trades whose open is in the window, oldest first; with no start, the newest
    `limit` (periods without a trade have no row: the API carries the last close forward)."""
    where = _Where().add("market = ?", market).add("period = ?", period)
    where.add("open_ms >= ?", start_ms).add("open_ms <= ?", end_ms)
    direction = "ASC" if start_ms is not None else "DESC"
    rows = _rows(
        connection,
        f"SELECT * FROM candles{where.sql()} ORDER BY open_ms {direction} LIMIT ?",
        [*where.parameters, limit],
    )
    return [CandleRecord(*r) for r in sorted(rows, key=lambda r: r[2])]


def funding_rates(
    connection: Connection,
    market: str | None = None,
    start_ms: int | None = None,
    end_ms: int | None = None,
    limit: int = 100,
) -> list[FundingRateRecord]:
    """Settled funding intervals, oldest first; with no start, the newest `limit`."""
    where = _Where().add("market = ?", market).add("funding_time_ms >= ?", start_ms).add("funding_time_ms <= ?", end_ms)
    direction = "ASC" if start_ms is not None else "DESC"
    sql = f"SELECT * FROM funding_rates{where.sql()} ORDER BY funding_time_ms {direction}, market LIMIT ?"
    rows = _rows(connection, sql, [*where.parameters, limit])
    return [FundingRateRecord(*r) for r in sorted(rows, key=lambda r: (r[1], r[0]))]


def historical_trades(
    connection: Connection, market: str, from_trade_id: int | None = None, limit: int = 500
) -> list[TradeRecord]:
    """The market's trades from `from_trade_id` up; with none, the newest `limit`."""
    columns = "trade_id, seq, market, ts_ms, price_ticks, size_lots, taker_side"
    if from_trade_id is None:
        sql = f"SELECT {columns} FROM trades WHERE market = ? ORDER BY trade_id DESC LIMIT ?"
        rows = sorted(_rows(connection, sql, [market, limit]))
    else:
        sql = f"SELECT {columns} FROM trades WHERE market = ? AND trade_id >= ? ORDER BY trade_id LIMIT ?"
        rows = _rows(connection, sql, [market, from_trade_id, limit])
    return [TradeRecord(*r) for r in rows]


def agg_trades(
    connection: Connection,
    market: str,
    from_id: int | None = None,
    start_ms: int | None = None,
    end_ms: int | None = None,
    limit: int = 500,
) -> list[AggTradeRecord]:
    """The market's trades merged where one taker order filled consecutive trades at one price.
    `from_id` is an aggregate's id (its first trade id); with no bound, the newest aggregates."""
    where = _Where().add("market = ?", market).add("trade_id >= ?", from_id)
    where.add("ts_ms >= ?", start_ms).add("ts_ms <= ?", end_ms)
    bounded = from_id is not None or start_ms is not None
    columns = "trade_id, ts_ms, price_ticks, size_lots, taker_side, taker_order_id"
    # enough trades for `limit` aggregates: at most all of them, read in pages
    sql = f"SELECT {columns} FROM trades{where.sql()} ORDER BY trade_id {'ASC' if bounded else 'DESC'} LIMIT ? OFFSET ?"
    aggregates: list[AggTradeRecord] = []
    page, offset = max(limit, 100), 0
    rows: list[tuple[Any, ...]] = []
    while True:
        fetched = _rows(connection, sql, [*where.parameters, page, offset])
        rows.extend(fetched)
        offset += len(fetched)
        aggregates = _aggregate(market, rows if bounded else sorted(rows))
        if len(fetched) < page or len(aggregates) > limit:
            break
    if bounded:
        return aggregates[:limit]
    # newest first was read: the oldest aggregate may be cut short unless everything was read
    return aggregates[-limit:] if len(aggregates) > limit else aggregates


def _aggregate(market: str, rows: list[tuple[Any, ...]]) -> list[AggTradeRecord]:
    found: list[AggTradeRecord] = []
    key: tuple[Any, ...] | None = None
    for trade_id, ts_ms, price, size, taker_side, taker_order_id in rows:
        if key == (taker_order_id, price) and found and found[-1].last_trade_id == trade_id - 1:
            last = found[-1]
            found[-1] = AggTradeRecord(
                last.agg_id, market, price, last.size_lots + size, last.first_trade_id, trade_id, last.ts_ms, taker_side
            )
        else:
            found.append(AggTradeRecord(trade_id, market, price, size, trade_id, trade_id, ts_ms, taker_side))
        key = (taker_order_id, price)
    return found


def indexed_seq(connection: Connection) -> int:
    """The last event seq the history holds (0: none): a reader joining it to the live stream takes
    the stream's events after this seq."""
    rows = _rows(connection, "SELECT last_seq FROM indexer_position WHERE id = 1", [])
    return int(rows[0][0]) if rows else 0
