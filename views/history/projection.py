"""What one batch of events makes of the history tables: rows gathered per table, written at once.

`BatchProjection.add(event)` folds events in seq order; `write(cursor)` then writes every row, the
orders' final states included. Appended rows carry their event's seq in their key, and the writes
use ON CONFLICT DO NOTHING, so a row is never written twice; the indexer's position (written in
the same transaction) is what keeps the non-idempotent parts (orders, candles) from seeing an
event twice.
"""

import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from messages.events import (
    BalanceChanged,
    DividendPaid,
    DividendSettled,
    Event,
    FundingPaid,
    FundingSettled,
    LiquidationTriggered,
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    OrderRested,
    PositionDeleveraged,
    PositionLiquidated,
    SplitApplied,
    Trade,
)
from views.entries import UndecodableEvent
from views.history.candles import UPSERT_CANDLE, CandleBuffer
from views.history.orders import LoadOrder, OrderTracker
from views.history.records import ORDER_COLUMNS
from views.history.sql import Cursor
from views.own_activity import BALANCE_INCOME

log = logging.getLogger("perpx.indexer")

# Events that change no history table (the views and the API fold them from the stream).
NOT_HISTORY = frozenset(
    {
        "Rejected",
        "MarketListed",
        "MarketStatusChanged",
        "PriceApplied",
        "LeverageSet",
        "MarginModeSet",
        "IsolatedMarginChanged",
        "AccountUpdated",
    }
)

_INSERTS: dict[str, str] = {
    "trades": "INSERT INTO trades VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "fills": "INSERT INTO fills VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "income": "INSERT INTO income VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "balance_changes": "INSERT INTO balance_changes VALUES (?, ?, ?, ?, ?, ?)",
    "funding_payments": "INSERT INTO funding_payments VALUES (?, ?, ?, ?, ?, ?, ?)",
    "funding_rates": "INSERT INTO funding_rates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "dividend_payments": "INSERT INTO dividend_payments VALUES (?, ?, ?, ?, ?, ?)",
    "dividends": "INSERT INTO dividends VALUES (?, ?, ?, ?, ?, ?, ?)",
    "splits": "INSERT INTO splits VALUES (?, ?, ?, ?, ?, ?, ?)",
    "liquidations": "INSERT INTO liquidations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "order_events": "INSERT INTO order_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
}

_UPSERT_ORDER = (
    f"INSERT INTO orders ({ORDER_COLUMNS}) VALUES ({', '.join('?' * len(ORDER_COLUMNS.split(', ')))}) "
    "ON CONFLICT (order_id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in ORDER_COLUMNS.split(", ")[1:])
)


class BatchProjection:
    """The rows one batch of events adds to or changes in the history tables."""

    def __init__(self, load_order: LoadOrder) -> None:
        self.orders = OrderTracker(load_order)
        self.candles = CandleBuffer()
        self.rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in _INSERTS if table != "order_events"}
        self.unknown: Counter[str] = Counter()  # event types this indexer does not know, by name

    def add(self, event: Event | UndecodableEvent) -> None:
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event)
        elif isinstance(event, UndecodableEvent):  # a newer engine's event: counted, its seq kept
            self.unknown[event.tag] += 1
        elif type(event).__name__ not in NOT_HISTORY:
            self.unknown[type(event).__name__] += 1

    def _accepted(self, e: OrderAccepted) -> None:
        self.orders.accepted(e)

    def _rested(self, e: OrderRested) -> None:
        self.orders.rested(e)

    def _canceled(self, e: OrderCanceled) -> None:
        self.orders.canceled(e)

    def _amended(self, e: OrderAmended) -> None:
        self.orders.amended(e)

    def _funding_settled(self, e: FundingSettled) -> None:
        self.rows["funding_rates"].append(
            (e.market, e.funding_time_ms, e.seq, e.rate_ppb, e.price_ticks, e.funding_index, e.paid_micro,
             e.received_micro, e.dust_micro)
        )  # fmt: skip

    def _dividend_settled(self, e: DividendSettled) -> None:
        self.rows["dividends"].append(
            (e.seq, e.market, e.ts_ms, e.amount_micro_per_share, e.paid_micro, e.received_micro, e.dust_micro)
        )

    def _split(self, e: SplitApplied) -> None:
        self.rows["splits"].append((e.seq, e.market, e.ts_ms, e.ratio_new, e.ratio_old, e.tick_size, e.lot_size))

    def _trade(self, e: Trade) -> None:
        self.orders.filled(e)
        self.candles.add(e)
        self.rows["trades"].append(
            (
                e.trade_id,
                e.seq,
                e.market,
                e.ts_ms,
                e.price_ticks,
                e.size_lots,
                e.taker_side.value,
                e.taker_order_id,
                e.taker_account_id,
                e.maker_order_id,
                e.maker_account_id,
                e.taker_fee_micro,
                e.maker_fee_micro,
                e.taker_realized_pnl_micro,
                e.maker_realized_pnl_micro,
                e.book_update_id,
            )
        )
        maker_side = "SELL" if e.taker_side.value == "BUY" else "BUY"
        for is_maker, account_id, order_id, side, fee, pnl in (
            (
                0,
                e.taker_account_id,
                e.taker_order_id,
                e.taker_side.value,
                e.taker_fee_micro,
                e.taker_realized_pnl_micro,
            ),
            (1, e.maker_account_id, e.maker_order_id, maker_side, e.maker_fee_micro, e.maker_realized_pnl_micro),
        ):
            self.rows["fills"].append(
                (
                    e.trade_id,
                    is_maker,
                    e.seq,
                    account_id,
                    e.market,
                    order_id,
                    e.ts_ms,
                    side,
                    e.price_ticks,
                    e.size_lots,
                    fee,
                    pnl,
                )
            )
            income = self.rows["income"]
            if pnl:
                income.append((e.seq, account_id, "REALIZED_PNL", 2 * is_maker, e.market, pnl, e.ts_ms, e.trade_id, ""))
            if fee:  # a fee paid is negative income, a rebate positive
                income.append(
                    (e.seq, account_id, "COMMISSION", 2 * is_maker + 1, e.market, -fee, e.ts_ms, e.trade_id, "")
                )

    def _balance(self, e: BalanceChanged) -> None:
        self.rows["balance_changes"].append(
            (e.seq, e.account_id, e.ts_ms, e.amount_micro, e.balance_micro, e.reason.value)
        )
        income_type = BALANCE_INCOME.get(e.reason, e.reason.value)
        self.rows["income"].append(
            (e.seq, e.account_id, income_type, 0, "", e.amount_micro, e.ts_ms, None, e.reason.value)
        )

    def _funding_paid(self, e: FundingPaid) -> None:
        self.rows["funding_payments"].append(
            (e.seq, e.account_id, e.market, e.ts_ms, e.funding_time_ms, e.position_lots, e.amount_micro)
        )
        self.rows["income"].append((e.seq, e.account_id, "FUNDING_FEE", 0, e.market, e.amount_micro, e.ts_ms, None, ""))

    def _dividend_paid(self, e: DividendPaid) -> None:
        self.rows["dividend_payments"].append((e.seq, e.account_id, e.market, e.ts_ms, e.position_lots, e.amount_micro))
        self.rows["income"].append((e.seq, e.account_id, "DIVIDEND", 0, e.market, e.amount_micro, e.ts_ms, None, ""))

    def _liquidation(self, e: LiquidationTriggered | PositionLiquidated | PositionDeleveraged) -> None:
        row: tuple[Any, ...]
        if isinstance(e, LiquidationTriggered):
            row = (
                e.seq,
                e.account_id,
                e.market,
                e.ts_ms,
                "TRIGGERED",
                0,
                0,
                None,
                0,
                0,
                e.equity_micro,
                e.maintenance_micro,
            )
        elif isinstance(e, PositionLiquidated):
            row = (
                e.seq,
                e.account_id,
                e.market,
                e.ts_ms,
                "LIQUIDATED",
                e.size_lots,
                e.price_ticks,
                e.step.value,
                e.bankruptcy_price_ticks,
                0,
                0,
                0,
            )
        else:
            row = (
                e.seq,
                e.account_id,
                e.market,
                e.ts_ms,
                "DELEVERAGED",
                e.size_lots,
                e.price_ticks,
                None,
                0,
                e.liquidated_account_id,
                0,
                0,
            )
        self.rows["liquidations"].append(row)

    def write(self, cursor: Cursor) -> None:
        """Every row of the batch; the caller commits (with its position) or rolls back."""
        for table, rows in self.rows.items():
            if rows:
                cursor.executemany(_INSERTS[table] + " ON CONFLICT DO NOTHING", rows)
        if self.orders.events:
            cursor.executemany(_INSERTS["order_events"] + " ON CONFLICT DO NOTHING", self.orders.events)
        order_rows = self.orders.rows()
        if order_rows:
            cursor.executemany(_UPSERT_ORDER, order_rows)
        candle_rows = self.candles.rows()
        if candle_rows:
            cursor.executemany(UPSERT_CANDLE, candle_rows)
        if self.unknown:
            log.warning("events this indexer does not know, skipped: %s", dict(self.unknown))


_HANDLERS: dict[type, Callable[[BatchProjection, Any], None]] = {
    Trade: BatchProjection._trade,
    OrderAccepted: BatchProjection._accepted,
    OrderRested: BatchProjection._rested,
    OrderCanceled: BatchProjection._canceled,
    OrderAmended: BatchProjection._amended,
    BalanceChanged: BatchProjection._balance,
    FundingPaid: BatchProjection._funding_paid,
    FundingSettled: BatchProjection._funding_settled,
    DividendPaid: BatchProjection._dividend_paid,
    DividendSettled: BatchProjection._dividend_settled,
    SplitApplied: BatchProjection._split,
    LiquidationTriggered: BatchProjection._liquidation,
    PositionLiquidated: BatchProjection._liquidation,
    PositionDeleveraged: BatchProjection._liquidation,
}
