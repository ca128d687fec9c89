"""The history's rows as the API gets them: frozen records with exact integers in the engine's units
(ticks, lots, micro-USDC). Prices and sizes keep their integers across a split (SplitApplied), as the
engine's do, so history read with the market's current tick and lot is split-adjusted; a quote
volume in tick-lots is the same money before and after a split (tick x lot does not change)."""

from dataclasses import dataclass, fields
from typing import Any


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
    TRANSFER, INSURANCE_CLEAR (the liquidation fee and the insurance fund's cover).
    `tran_id` is unique: seq x 4 + part."""

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


ORDER_COLUMNS = ", ".join(f.name for f in fields(OrderRecord))  # the orders table's, in order


def order_from_row(row: tuple[Any, ...]) -> OrderRecord:
    """An orders table row (SQLite gives its booleans back as 0 and 1)."""
    values = list(row)
    values[13] = bool(values[13])  # reduce_only
    values[17] = bool(values[17])  # resting
    return OrderRecord(*values)
