"""A listed market inside the engine: its spec, trading status, book and reference prices."""

from matching.book import OrderBook
from messages.enums import MarketStatus
from messages.limits import MAX_POSITION_VALUE_PER_TICK_MICRO
from messages.market_spec import MarketSpec


class Market:
    __slots__ = (
        "book",
        "book_update_id",
        "index_price_ticks",
        "last_trade_ticks",
        "maker_fee_ppm",
        "mark_price_ticks",
        "max_order_lots",
        "max_position_lots",
        "micro_per_tick_lot",
        "min_notional_micro",
        "risk_handle",
        "spec",
        "status",
        "symbol",
        "taker_fee_ppm",
    )

    def __init__(
        self, spec: MarketSpec, status: MarketStatus = MarketStatus.ACTIVE, book_type: type = OrderBook
    ) -> None:
        self.spec = spec
        self.symbol = spec.symbol
        self.status = status
        self.book: OrderBook = book_type()
        # the id of the book's last change: +1 on each change, carried by the event that says it
        # (messages/events.py), so depth snapshots and diffs line up (Binance's lastUpdateId, U, u)
        self.book_update_id = 0
        self.micro_per_tick_lot = spec.micro_per_tick_lot
        self.max_order_lots = spec.max_order_lots  # copied from the spec: read on every order
        # margin/ caps a position with its orders on one side at this (messages/limits.py); a split
        # keeps micro per tick lot, hence this too
        self.max_position_lots = MAX_POSITION_VALUE_PER_TICK_MICRO // self.micro_per_tick_lot
        self.min_notional_micro = spec.min_notional_micro
        self.maker_fee_ppm = spec.maker_fee_ppm  # read on every fill
        self.taker_fee_ppm = spec.taker_fee_ppm
        self.last_trade_ticks = 0  # 0 until the first trade
        self.mark_price_ticks = 0  # 0 until the oracle's first PriceUpdate
        self.index_price_ticks = 0
        # whatever the risk policy keeps at hand for this market (margin/: its tiers); not state
        self.risk_handle: object = None

    def notional_micro(self, price_ticks: int, size_lots: int) -> int:
        return price_ticks * size_lots * self.micro_per_tick_lot

    def reference_price_ticks(self, is_buy: bool) -> int:
        """Where a market order's protection band is centred: the mark price, else the last
        trade, else the best opposite price; 0 when none exists (the book side is then empty)."""
        if self.mark_price_ticks:
            return self.mark_price_ticks
        if self.last_trade_ticks:
            return self.last_trade_ticks
        best = self.book.best_ask_ticks if is_buy else self.book.best_bid_ticks
        return best or 0

    def market_order_limit_ticks(self, is_buy: bool) -> int:
        """The worst price a market order may fill at: reference +/- the band, rounded inward."""
        reference = self.reference_price_ticks(is_buy)
        band_ppm = self.spec.market_order_band_ppm
        if is_buy:
            return reference * (1_000_000 + band_ppm) // 1_000_000  # round down: never past the band
        return (reference * (1_000_000 - band_ppm) + 999_999) // 1_000_000  # round up
