"""Events: what the engine says happened. Frozen values, appended to the event stream in `seq` order.

Every event carries `seq` (global, gap-free, assigned by the engine; consumers deduplicate by it),
`command_id` of the command that caused it and `ts_ms`, that command's clock.

The events of one PlaceOrder come in this order: OrderAccepted, then a Trade per fill (and an
OrderCanceled for each maker removed by self-trade prevention), then, if the order does not rest,
one OrderCanceled for what is left. An accepted order with neither a final Trade (taker remaining 0)
nor an OrderCanceled rests in the book at its price with its remaining size.
"""

import msgspec

from messages.enums import (
    BalanceReason,
    CancelReason,
    LiquidationStep,
    MarketStatus,
    OrderType,
    RejectReason,
    Side,
    TimeInForce,
)
from messages.market_spec import MarketSpec


class Event(msgspec.Struct, frozen=True, tag=True, array_like=True, gc=False):
    seq: int
    command_id: str
    ts_ms: int


class OrderAccepted(Event, frozen=True, gc=False):
    account_id: int
    market: str
    order_id: int
    client_order_id: str
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    price_ticks: int
    size_lots: int
    reduce_only: bool = False
    expire_at_ms: int = 0


class Trade(Event, frozen=True, gc=False):
    market: str
    trade_id: int
    price_ticks: int
    size_lots: int
    taker_side: Side
    taker_order_id: int
    taker_account_id: int
    taker_remaining_lots: int
    maker_order_id: int
    maker_account_id: int
    maker_remaining_lots: int
    taker_fee_micro: int = 0
    maker_fee_micro: int = 0  # negative is a rebate paid to the maker


class OrderCanceled(Event, frozen=True, gc=False):
    account_id: int
    market: str
    order_id: int
    client_order_id: str
    remaining_lots: int
    reason: CancelReason


class OrderAmended(Event, frozen=True, gc=False):
    account_id: int
    market: str
    order_id: int
    client_order_id: str
    price_ticks: int
    size_lots: int  # new total size, filled part included
    remaining_lots: int
    priority_kept: bool


class Rejected(Event, frozen=True, gc=False):
    command_type: str
    reason: RejectReason
    account_id: int = 0
    market: str = ""
    client_order_id: str = ""
    order_id: int = 0  # the order concerned, e.g. the original one of a duplicate client id
    detail: str = ""


class CountdownSet(Event, frozen=True, gc=False):
    """A dead-man switch armed (deadline on the engine's clock) or stopped (deadline 0)."""

    account_id: int
    market: str
    countdown_ms: int
    deadline_ms: int


class MarketListed(Event, frozen=True, gc=False):
    spec: MarketSpec
    status: MarketStatus


class MarketStatusChanged(Event, frozen=True, gc=False):
    market: str
    status: MarketStatus


# -- margin/ (issue 3) ------------------------------------------------------------------------------


class BalanceChanged(Event, frozen=True, gc=False):
    """Collateral moved outside a trade: deposit, withdrawal, liquidation fee, insurance cover."""

    account_id: int
    amount_micro: int  # signed: positive credits the account
    balance_micro: int  # the account's collateral balance after
    reason: BalanceReason


class LeverageSet(Event, frozen=True, gc=False):
    account_id: int
    market: str
    leverage: int


class LiquidationTriggered(Event, frozen=True, gc=False):
    """A bucket's equity fell below its maintenance margin at these marks: liquidation starts."""

    account_id: int
    equity_micro: int
    maintenance_micro: int
    market: str = ""  # "" for the cross bucket, else the isolated market


class PositionLiquidated(Event, frozen=True, gc=False):
    """Part of a liquidated position was closed by `step` at `price_ticks` (book fills print Trades too)."""

    account_id: int
    market: str
    size_lots: int  # signed position change of the liquidated account
    price_ticks: int  # average for BOOK, the bankruptcy price for INSURANCE and ADL
    step: LiquidationStep
    bankruptcy_price_ticks: int


class PositionDeleveraged(Event, frozen=True, gc=False):
    """Auto-deleveraging reduced this account's position at the bankrupt account's bankruptcy price."""

    account_id: int
    market: str
    size_lots: int  # signed position change of this account
    price_ticks: int
    liquidated_account_id: int


class FundingPaid(Event, frozen=True, gc=False):
    """One position's funding for one interval: positive received, negative paid."""

    account_id: int
    market: str
    funding_time_ms: int
    position_lots: int
    amount_micro: int


class FundingSettled(Event, frozen=True, gc=False):
    """A market's funding interval, settled once; payers round up, receivers down, dust to the fee account."""

    market: str
    funding_time_ms: int
    rate_ppb: int
    price_ticks: int
    funding_index: int  # cumulative, in micro-USDC per lot x 1e-9
    paid_micro: int
    received_micro: int
    dust_micro: int


class SplitApplied(Event, frozen=True, gc=False):
    """Ticks and lots keep their integers; their decimal sizes change, so no equity moves."""

    market: str
    ratio_new: int
    ratio_old: int
    tick_size: str
    lot_size: str


class DividendPaid(Event, frozen=True, gc=False):
    """One position's cash dividend: longs receive, shorts pay."""

    account_id: int
    market: str
    position_lots: int
    amount_micro: int


class DividendSettled(Event, frozen=True, gc=False):
    market: str
    amount_micro_per_share: int
    paid_micro: int
    received_micro: int
    dust_micro: int


class MarginModeSet(Event, frozen=True, gc=False):
    account_id: int
    market: str
    isolated: bool


class IsolatedMarginChanged(Event, frozen=True, gc=False):
    """Margin moved between the cross bucket and an isolated position (positive: into the position)."""

    account_id: int
    market: str
    amount_micro: int
    isolated_margin_micro: int  # after
