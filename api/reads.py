"""What the read endpoints need from views/ and the history database, and nothing more.

The api never holds an engine or folds events itself: every read endpoint (depth, trades,
aggTrades, klines, ticker, premiumIndex, fundingRate, openInterest, openOrder(s), allOrders,
userTrades, income, account, balance, positionRisk) is served from an implementation of `Reads`,
which views/ (live state folded from the event stream) and the history indexer (SQL) provide.
Integers throughout, in the engine's units; the routes turn them into Binance's decimal strings.
Not implemented in this round: the read endpoints come with views/.
"""

from dataclasses import dataclass
from typing import Protocol

from messages.enums import MarketSession, MarketStatus, OrderType, PriceSource, Side, TimeInForce
from messages.market_spec import MarketSpec


@dataclass(frozen=True)
class MarketState:
    """A listed market as it stands now: its spec (split-adjusted tick and lot sizes) and status."""

    spec: MarketSpec
    status: MarketStatus


@dataclass(frozen=True)
class Depth:
    """GET depth: levels best first, and the book update id the WebSocket diffs continue from."""

    last_update_id: int
    ts_ms: int  # engine time of the last change (Binance's T)
    bids: list[tuple[int, int]]  # (price_ticks, size_lots)
    asks: list[tuple[int, int]]


@dataclass(frozen=True)
class PublicTrade:
    """trades / historicalTrades / aggTrades (one fill is one aggregate: the book prints each)."""

    trade_id: int
    price_ticks: int
    size_lots: int
    ts_ms: int
    buyer_is_maker: bool


@dataclass(frozen=True)
class Candle:
    open_ms: int
    close_ms: int
    open_ticks: int
    high_ticks: int
    low_ticks: int
    close_ticks: int
    volume_lots: int
    quote_volume_micro: int
    trades: int
    taker_buy_volume_lots: int
    taker_buy_quote_volume_micro: int


@dataclass(frozen=True)
class DayStats:
    """ticker/24hr over the rolling 24 hours up to `close_ms`."""

    open_ms: int
    close_ms: int
    open_ticks: int
    high_ticks: int
    low_ticks: int
    last_ticks: int
    last_size_lots: int
    volume_lots: int
    quote_volume_micro: int
    first_trade_id: int
    last_trade_id: int
    trades: int


@dataclass(frozen=True)
class Prices:
    """premiumIndex and the perpx extras: mark, index, the oracle's session and source, funding."""

    mark_ticks: int
    index_ticks: int
    ts_ms: int
    session: MarketSession
    index_source: PriceSource
    lower_bound_ticks: int  # discovery bounds in force (internal index)
    upper_bound_ticks: int
    last_funding_rate_ppb: int
    predicted_funding_rate_ppb: int
    next_funding_ms: int
    interest_rate_ppb: int


@dataclass(frozen=True)
class FundingRecord:
    funding_time_ms: int
    rate_ppb: int
    mark_ticks: int


@dataclass(frozen=True)
class BestQuote:
    bid_ticks: int
    bid_lots: int
    ask_ticks: int
    ask_lots: int
    ts_ms: int


@dataclass(frozen=True)
class OrderState:
    """An order as openOrder / allOrders / GET order show it (open or, from history, closed)."""

    order_id: int
    client_order_id: str
    market: str
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    price_ticks: int
    size_lots: int
    filled_lots: int
    filled_quote_micro: int
    reduce_only: bool
    expire_at_ms: int
    status: str  # NEW, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED, EXPIRED_IN_MATCH
    created_ms: int
    updated_ms: int


@dataclass(frozen=True)
class OwnTrade:
    """userTrades: one fill of the account's, with its fee."""

    trade_id: int
    order_id: int
    market: str
    side: Side
    price_ticks: int
    size_lots: int
    fee_micro: int  # negative: a rebate
    realized_pnl_micro: int
    is_maker: bool
    ts_ms: int


@dataclass(frozen=True)
class Income:
    """income: realized PnL, fees, funding, dividends, transfers, liquidation fees."""

    income_type: str  # REALIZED_PNL, COMMISSION, FUNDING_FEE, TRANSFER, INSURANCE_CLEAR, ...
    market: str
    amount_micro: int
    ts_ms: int
    trade_id: int
    seq: int  # the event's seq: Binance's tranId


@dataclass(frozen=True)
class PositionState:
    """positionRisk and the account's positions, with the margin figures margin/ computes."""

    market: str
    size_lots: int  # signed
    entry_price_ticks: int
    mark_ticks: int
    unrealized_pnl_micro: int
    liquidation_price_ticks: int  # 0 when there is none
    leverage: int
    isolated: bool
    isolated_margin_micro: int
    initial_margin_micro: int
    maintenance_margin_micro: int
    notional_micro: int  # signed
    adl_rank: int
    updated_ms: int


@dataclass(frozen=True)
class AccountState:
    """account and balance (USDC only): the margin figures of the cross bucket and all positions."""

    account_id: int
    balance_micro: int
    equity_micro: int
    unrealized_pnl_micro: int
    available_micro: int
    initial_margin_micro: int
    maintenance_margin_micro: int
    open_order_margin_micro: int
    max_withdraw_micro: int
    updated_ms: int
    positions: list[PositionState]


class Reads(Protocol):
    """Each method is what one or more read endpoints need; None where the thing does not exist."""

    # -- markets (exchangeInfo, every symbol check) ------------------------------------------------
    def markets(self) -> list[MarketState]: ...

    # -- public market data ------------------------------------------------------------------------
    def depth(self, market: str, levels: int) -> Depth: ...
    def recent_trades(self, market: str, limit: int) -> list[PublicTrade]: ...
    def historical_trades(self, market: str, from_id: int | None, limit: int) -> list[PublicTrade]: ...
    def trades_between(
        self, market: str, start_ms: int, end_ms: int, from_id: int | None, limit: int
    ) -> list[PublicTrade]: ...
    def candles(
        self, market: str, interval: str, price: str, start_ms: int | None, end_ms: int | None, limit: int
    ) -> list[Candle]:
        """klines (price "last"), markPriceKlines ("mark"), indexPriceKlines ("index")."""
        ...

    def day_stats(self, market: str) -> DayStats | None: ...
    def best_quote(self, market: str) -> BestQuote | None: ...
    def prices(self, market: str) -> Prices | None: ...
    def funding_history(
        self, market: str, start_ms: int | None, end_ms: int | None, limit: int
    ) -> list[FundingRecord]: ...
    def open_interest_lots(self, market: str) -> tuple[int, int]:
        """(open interest in lots, engine time)."""
        ...

    # -- one account's (the caller's only: every method takes the signed key's account) -----------
    def open_order(self, account_id: int, market: str, order_id: int, client_order_id: str) -> OrderState | None: ...
    def open_orders(self, account_id: int, market: str | None) -> list[OrderState]: ...
    def open_order_count(self, account_id: int) -> int:
        """For the per-account cap on open orders (MAX_NUM_ORDERS)."""
        ...

    def order(self, account_id: int, market: str, order_id: int, client_order_id: str) -> OrderState | None:
        """GET order: open or from history."""
        ...

    def all_orders(
        self,
        account_id: int,
        market: str,
        from_order_id: int | None,
        start_ms: int | None,
        end_ms: int | None,
        limit: int,
    ) -> list[OrderState]: ...
    def own_trades(
        self, account_id: int, market: str, from_id: int | None, start_ms: int | None, end_ms: int | None, limit: int
    ) -> list[OwnTrade]: ...
    def income(
        self,
        account_id: int,
        market: str | None,
        income_type: str | None,
        start_ms: int | None,
        end_ms: int | None,
        limit: int,
    ) -> list[Income]: ...
    def account(self, account_id: int) -> AccountState | None: ...
