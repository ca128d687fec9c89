"""Events: what the engine says happened. Frozen values, appended to the event stream in `seq` order.

Every event carries `seq` (global, gap-free, assigned by the engine; consumers deduplicate by it),
`command_id` of the command that caused it and `ts_ms`, that command's clock.

The events are a contract for readers (views/, the indexer, the API): folded in `seq` order from
the empty state (or from a snapshot), they give every book, open order, price and account exactly,
with nothing inferred. In particular:
- an order is in a book exactly from its OrderRested to the event that takes it out: a Trade with
  `maker_remaining_lots == 0`, an OrderCanceled with `book_update_id != 0`, or an OrderAmended with
  `priority_kept=False` (after which it rests again only if a new OrderRested says so);
- within a price level, orders queue in the order of their OrderRested (`book_update_id`
  ascending); an OrderAmended with `priority_kept=True` shrinks an order in place;
- `book_update_id` is per market: it increases by exactly one on each event that changes that
  market's book (OrderRested; Trade, which always reduces the maker; OrderAmended; OrderCanceled of
  a resting order) and is 0 on events that do not (an OrderCanceled of an order that never rested).
  The engine keeps the last one given in its state and snapshot (`Market.book_update_id`): it is
  Binance's `lastUpdateId` for a depth snapshot taken after it, and the first and last ids of a
  batch of events are a depth diff's `U` and `u` (`pu` is the previous diff's `u`);
- with margin (MarginEngine), every command that changed an account's collateral balance or
  positions ends with one AccountUpdated per such account (ids > 0; system accounts are not
  reported), in ascending account id, giving the new balance and each changed position in full.

The events of one command come in this order:
1. OrderCanceled (reason EXPIRED) for each GTD order whose time the command's clock reached, in
   expiry order, whatever the command is (a rejected one too).
2. The command's own events:
   - a rejected command: one Rejected, and nothing else changes;
   - PlaceOrder: OrderAccepted; then, in book priority, a Trade per fill and an OrderCanceled
     (SELF_TRADE) per maker removed by self-trade prevention; then OrderCanceled (REDUCE_ONLY) or
     OrderAmended (priority kept) of reduce-only orders of the accounts whose positions the fills
     moved (ascending account id); then the taker's end: an OrderRested if what is left rests, an
     OrderCanceled (`book_update_id` 0) if it is left but does not rest, nothing if the last Trade
     filled it (`taker_remaining_lots == 0`); a reduce-only order that rests may be followed by the
     OrderAmended / OrderCanceled (REDUCE_ONLY) that keep its account's reduce-only orders in the
     market within the position (oldest first keeps its size);
   - AmendOrder: OrderAmended; if priority was lost at a crossing price, its fills as above; then
     OrderRested, or OrderCanceled (SELF_TRADE) if self-trade prevention expired it as a taker, or
     nothing if it filled; priority lost at a non-crossing price: OrderAmended then OrderRested;
   - CancelOrder: OrderCanceled (USER); CancelAll: one OrderCanceled per order in order-id order;
   - PriceUpdate: PriceApplied, then any liquidations it caused (margin/, below);
   - SetMarketStatus: MarketStatusChanged, then OrderCanceled (MARKET_STATE) per order removed,
     in order-id order; ListMarket: MarketListed;
   - FundingSettle: FundingPaid per holder (ascending account id), then FundingSettled; CashDividend:
     DividendPaid per holder, then DividendSettled; Split: SplitApplied;
   - Deposit, Withdraw: BalanceChanged; SetLeverage: LeverageSet; SetMarginMode: MarginModeSet;
     AdjustIsolatedMargin: IsolatedMarginChanged;
   - liquidations (margin/, after any command that moved an account's equity, cascades included):
     LiquidationTriggered, OrderCanceled (LIQUIDATION) of the account's orders, then the closing
     orders' events as for PlaceOrder, PositionLiquidated per step, PositionDeleveraged per
     counterparty, BalanceChanged (LIQUIDATION_FEE, INSURANCE_COVER); a price update may also let the
     insurance fund unwind what it holds through the book (PlaceOrder's events).
3. AccountUpdated, one per changed account, ascending account id (margin/ only).
A repeated command id emits nothing.
"""

import msgspec

from messages.enums import (
    BalanceReason,
    CancelReason,
    LiquidationStep,
    MarketSession,
    MarketStatus,
    OrderType,
    PriceSource,
    RejectReason,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from messages.market_spec import MarketSpec


class Event(msgspec.Struct, frozen=True, tag=True, array_like=True, gc=False):
    seq: int
    command_id: str
    ts_ms: int


class OrderAccepted(Event, frozen=True, gc=False):
    """An order passed every check and got its id: a PlaceOrder's first own event (after any
    expiries its clock caused; a rejected order has a Rejected instead). `size_lots` is what was
    accepted (a reduce-only order may be cut to the position). Whether it then trades, rests or
    ends, the events after it say."""

    account_id: int
    market: str
    order_id: int
    client_order_id: str
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    price_ticks: int  # 0 for a market order
    size_lots: int
    reduce_only: bool = False
    expire_at_ms: int = 0
    self_trade_prevention: SelfTradePrevention = SelfTradePrevention.EXPIRE_TAKER


class OrderRested(Event, frozen=True, gc=False):
    """The order (what is left of it) joined the back of its price level in the book: emitted when a
    placed order, or an amended one that lost its priority, comes to rest after any fills. From
    here until it leaves, it is an open order in the book with `remaining_lots`; its place in the
    level's queue is this event's `book_update_id` (earlier ids trade first)."""

    account_id: int
    market: str
    order_id: int
    client_order_id: str
    side: Side
    price_ticks: int
    remaining_lots: int
    book_update_id: int


class Trade(Event, frozen=True, gc=False):
    """One fill between a taker and a resting maker, at the maker's price. Both remaining sizes are
    after the fill: a maker with `maker_remaining_lots` 0 has left the book, a taker with
    `taker_remaining_lots` 0 is done. Every Trade reduces the maker, so it carries the market's
    next `book_update_id` (never 0: the default is for events built by hand). Fees (negative: a
    rebate) and the trading PnL each side realized by this fill (margin/ only; 0 with the matching
    engine alone) are booked in the same command."""

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
    book_update_id: int = 0
    taker_realized_pnl_micro: int = 0
    maker_realized_pnl_micro: int = 0


class OrderCanceled(Event, frozen=True, gc=False):
    """The order ended with `remaining_lots` unfilled, for `reason` (CancelReason: a user cancel,
    an expiry, what an IOC / FOK / post-only / market order could not do, self-trade prevention,
    reduce-only, a market state, a liquidation). `book_update_id` is the market's next id if the
    order was resting (the book lost it), and 0 if it never rested (a taker's end: the book did not
    change)."""

    account_id: int
    market: str
    order_id: int
    client_order_id: str
    remaining_lots: int
    reason: CancelReason
    book_update_id: int = 0


class OrderAmended(Event, frozen=True, gc=False):
    """A resting order changed (AmendOrder, or the engine shrinking a reduce-only order to the
    position). `priority_kept`: it was shrunk in place to `remaining_lots` and keeps its place. Not
    kept (a new price or a larger size): it has left the book, and trades at `price_ticks` as a
    taker and/or rests again, as the events after it say (an OrderRested if it rests). Either way
    the book changed once: `book_update_id` is the market's next id."""

    account_id: int
    market: str
    order_id: int
    client_order_id: str
    price_ticks: int
    size_lots: int  # new total size, filled part included
    remaining_lots: int
    priority_kept: bool
    book_update_id: int = 0


class Rejected(Event, frozen=True, gc=False):
    """The command changed nothing (beyond the expiries its clock caused), for `reason`."""

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
    """A new market with an empty book (`book_update_id` 0) and no prices."""

    spec: MarketSpec
    status: MarketStatus


class MarketStatusChanged(Event, frozen=True, gc=False):
    """The market's trading status is now `status` (orders it no longer allows are canceled by the
    OrderCanceled events after it)."""

    market: str
    status: MarketStatus


class PriceApplied(Event, frozen=True, gc=False):
    """A PriceUpdate was applied: the market's index and mark are now these, and so are the bounds
    they put in force. An accepted PriceUpdate's first own event (after any expiries its clock
    caused; a refused one is a Rejected), before the liquidations it causes.

    `band_low_ticks` / `band_high_ticks`: the market-order protection band around the mark, the
    worst prices a market sell / buy may fill at (rounded inward). `discovery_low_ticks` /
    `discovery_high_ticks`: the bounds an internal index is kept within, as the oracle sent them
    (0 when it sent none, as for an external index)."""

    market: str
    index_price_ticks: int
    mark_price_ticks: int
    session: MarketSession
    index_source: PriceSource
    band_low_ticks: int
    band_high_ticks: int
    discovery_low_ticks: int = 0
    discovery_high_ticks: int = 0


# -- margin/ (issue 3) ------------------------------------------------------------------------------


class BalanceChanged(Event, frozen=True, gc=False):
    """Collateral moved outside a trade: deposit, withdrawal, liquidation fee, insurance cover."""

    account_id: int
    amount_micro: int  # signed: positive credits the account
    balance_micro: int  # the account's collateral balance after
    reason: BalanceReason


class LeverageSet(Event, frozen=True, gc=False):
    """The account's leverage in the market (its initial margin rate is 1/leverage or the tier's)."""

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
    """The market's tick and lot are now `tick_size` and `lot_size`. Ticks and lots keep their
    integers (order prices and sizes, positions, entry costs), only their decimal meaning changes, so
    no equity moves, no book update id is taken and no AccountUpdated follows: a reader rescales
    its decimal views."""

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
    """A market's cash dividend, settled: longs receive the floor, shorts pay the ceiling, dust to the fee account."""

    market: str
    amount_micro_per_share: int
    paid_micro: int
    received_micro: int
    dust_micro: int


class MarginModeSet(Event, frozen=True, gc=False):
    """The account's margin mode in the market: isolated, or cross (the default)."""

    account_id: int
    market: str
    isolated: bool


class IsolatedMarginChanged(Event, frozen=True, gc=False):
    """Margin moved between the cross bucket and an isolated position (positive: into the position)."""

    account_id: int
    market: str
    amount_micro: int
    isolated_margin_micro: int  # after


class PositionState(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """One position of an account in full, as AccountUpdated reports it. Exact integers: the
    decimal entry price is `cost_micro / (size_lots x micro per tick lot)` ticks (0 when flat),
    unrealized PnL at a price P is `size_lots x P x micro_per_tick_lot - cost_micro`."""

    market: str
    size_lots: int  # signed: positive long, 0 flat
    cost_micro: int  # signed entry value of the open size (long positive), 0 when flat
    realized_pnl_micro: int  # cumulative trading PnL of this position (fees and funding apart)
    leverage: int  # in force: the account's setting, else the market's maximum
    isolated: bool  # margin mode: isolated (True) or cross
    isolated_margin_micro: int  # the part of the balance set aside as its margin; 0 when cross


class AccountUpdated(Event, frozen=True, gc=False):
    """The account's state after a command that changed it, emitted by margin/ at the end of the
    command (after every other event, cascades included), one per changed trader account in
    ascending account id. `balance_micro` is the collateral balance (isolated margins included);
    `positions` holds, in market order, each position whose size, entry cost, realized PnL,
    leverage, margin mode or isolated margin the command changed (empty when only the balance
    moved). Positions not listed are as they were."""

    account_id: int
    balance_micro: int
    positions: tuple[PositionState, ...]
