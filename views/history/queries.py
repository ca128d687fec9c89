"""What the API asks of the history: typed rows with exact integers, in the engine's units.

Each function takes a connection (views.history.sql) and returns frozen records, oldest first.
Private queries take the account id and never return another account's rows. Binance's defaults
(which window when no time is given, the largest limit) are the API's to apply; here a missing
bound means unbounded, and `limit` is required. Windows are inclusive at both ends, as Binance's.
"""

from dataclasses import dataclass

from views.history.orders import ORDER_COLUMNS
from views.history.sql import Connection


@dataclass(frozen=True)
class OrderRecord:
    """An order's current state (allOrders, GET /order). `status`: NEW, PARTIALLY_FILLED, FILLED,
    CANCELED, EXPIRED or EXPIRED_IN_MATCH; the average fill price is filled_notional_tick_lots /
    filled_lots ticks."""

    order_id: int
    account_id: int
    market: str
    client_order_id: str
    side: str
    order_type: str
    time_in_force: str
    price_ticks: int
    orig_size_lots: int
    size_lots: int
    filled_lots: int
    remaining_lots: int
    filled_notional_tick_lots: int
    reduce_only: bool
    expire_at_ms: int
    self_trade_prevention: str
    status: str
    resting: bool
    cancel_reason: str | None
    created_seq: int
    created_ms: int
    updated_seq: int
    updated_ms: int


@dataclass(frozen=True)
class OrderEventRecord:
    """One state an order passed through: ACCEPTED, RESTED, FILLED, AMENDED, CANCELED, EXPIRED."""

    seq: int
    order_id: int
    account_id: int
    market: str
    ts_ms: int
    kind: str
    price_ticks: int
    size_lots: int
    remaining_lots: int
    trade_id: int | None
    reason: str | None


@dataclass(frozen=True)
class FillRecord:
    """One side of a trade as its account saw it (userTrades). `fee_micro` is paid (negative: a rebate)."""

    trade_id: int
    is_maker: bool
    seq: int
    account_id: int
    market: str
    order_id: int
    ts_ms: int
    side: str
    price_ticks: int
    size_lots: int
    fee_micro: int
    realized_pnl_micro: int


@dataclass(frozen=True)
class TradeRecord:
    """A trade as the market saw it (historicalTrades); `taker_side` BUY means the buyer took."""

    trade_id: int
    seq: int
    market: str
    ts_ms: int
    price_ticks: int
    size_lots: int
    taker_side: str


@dataclass(frozen=True)
class AggTradeRecord:
    """Consecutive trades of one taker order at one price (aggTrades); its id is its first trade's."""

    agg_id: int
    market: str
    price_ticks: int
    size_lots: int
    first_trade_id: int
    last_trade_id: int
    ts_ms: int
    taker_side: str


@dataclass(frozen=True)
class IncomeRecord:
    """Money in (positive) or out of an account: REALIZED_PNL, COMMISSION, FUNDING_FEE, DIVIDEND,
    TRANSFER, LIQUIDATION_FEE, INSURANCE_CLEAR. `tran_id` is unique: seq x 4 + part."""

    seq: int
    account_id: int
    income_type: str
    market: str
    amount_micro: int
    ts_ms: int
    trade_id: int | None
    info: str
    tran_id: int


@dataclass(frozen=True)
class CandleRecord:
    market: str
    period: str
    open_ms: int
    open_ticks: int
    high_ticks: int
    low_ticks: int
    close_ticks: int
    volume_lots: int
    quote_volume_tick_lots: int
    taker_buy_volume_lots: int
    taker_buy_quote_tick_lots: int
    trades: int
    first_trade_id: int
    last_trade_id: int


@dataclass(frozen=True)
class FundingRateRecord:
    market: str
    funding_time_ms: int
    seq: int
    rate_ppb: int
    price_ticks: int
    funding_index: int
    paid_micro: int
    received_micro: int
    dust_micro: int


@dataclass(frozen=True)
class BalanceChangeRecord:
    seq: int
    account_id: int
    ts_ms: int
    amount_micro: int
    balance_micro: int
    reason: str


@dataclass(frozen=True)
class LiquidationRecord:
    """kind TRIGGERED (equity, maintenance), LIQUIDATED (size, price, step, bankruptcy price) or
    DELEVERAGED (size, price, the liquidated account)."""

    seq: int
    account_id: int
    market: str
    ts_ms: int
    kind: str
    size_lots: int
    price_ticks: int
    step: str | None
    bankruptcy_price_ticks: int
    liquidated_account_id: int
    equity_micro: int
    maintenance_micro: int


def _rows(connection: Connection, sql: str, parameters: list[object]) -> list[tuple]:
    cursor = connection.cursor()
    cursor.execute(sql, parameters)
    return list(cursor.fetchall())


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


def _order(row: tuple) -> OrderRecord:
    values = list(row)
    values[13] = bool(values[13])  # reduce_only
    values[17] = bool(values[17])  # resting
    return OrderRecord(*values)


def all_orders(
    connection: Connection,
    account_id: int,
    market: str | None = None,
    from_order_id: int | None = None,
    start_ms: int | None = None,
    end_ms: int | None = None,
    limit: int = 500,
) -> list[OrderRecord]:
    """The account's orders by id: from `from_order_id` up if given, else created in the window."""
    where = _Where().add("account_id = ?", account_id).add("market = ?", market).add("order_id >= ?", from_order_id)
    where.add("created_ms >= ?", start_ms).add("created_ms <= ?", end_ms)
    sql = f"SELECT {ORDER_COLUMNS} FROM orders{where.sql()} ORDER BY order_id LIMIT ?"
    return [_order(r) for r in _rows(connection, sql, [*where.parameters, limit])]


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
    return _order(rows[0]) if rows else None


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
) -> list[FillRecord]:
    """The account's fills by trade id (a self-trade gives its taker side, then its maker side)."""
    where = _Where().add("account_id = ?", account_id).add("market = ?", market).add("trade_id >= ?", from_trade_id)
    where.add("ts_ms >= ?", start_ms).add("ts_ms <= ?", end_ms).add("order_id = ?", order_id)
    sql = f"SELECT * FROM fills{where.sql()} ORDER BY trade_id, is_maker LIMIT ?"
    return [FillRecord(r[0], bool(r[1]), *r[2:]) for r in _rows(connection, sql, [*where.parameters, limit])]


def income(
    connection: Connection,
    account_id: int,
    income_type: str | None = None,
    market: str | None = None,
    start_ms: int | None = None,
    end_ms: int | None = None,
    limit: int = 100,
) -> list[IncomeRecord]:
    where = _Where().add("account_id = ?", account_id).add("income_type = ?", income_type).add("market = ?", market)
    where.add("ts_ms >= ?", start_ms).add("ts_ms <= ?", end_ms)
    sql = (
        "SELECT seq, account_id, income_type, market, amount_micro, ts_ms, trade_id, info, seq * 4 + part"
        f" FROM income{where.sql()} ORDER BY ts_ms, seq, part LIMIT ?"
    )
    return [IncomeRecord(*r) for r in _rows(connection, sql, [*where.parameters, limit])]


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
    rows: list[tuple] = []
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


def _aggregate(market: str, rows: list[tuple]) -> list[AggTradeRecord]:
    found: list[AggTradeRecord] = []
    key: tuple | None = None
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
