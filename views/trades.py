"""Recent trades per market, newest last, and Binance's aggregate trades over them.

An aggregate trade is Binance's aggTrade: the consecutive fills of one taker order at one price
(one command, as one order's fills are contiguous), their sizes summed. Its id is the id of its
first trade, so it is stable however far back a reader starts.
"""

from collections import deque
from collections.abc import Mapping
from typing import NamedTuple

from matching.engine import Engine
from messages.enums import Side
from messages.events import MarketListed, Trade
from views.projection import EventHandler

DEFAULT_KEPT = 1_000


class TradeRecord(NamedTuple):
    trade_id: int
    price_ticks: int
    size_lots: int
    taker_side: Side
    taker_order_id: int
    maker_order_id: int
    ts_ms: int

    @property
    def buyer_is_maker(self) -> bool:
        return self.taker_side is Side.SELL


class AggTrade(NamedTuple):
    agg_id: int  # the first trade's id
    price_ticks: int
    size_lots: int
    first_trade_id: int
    last_trade_id: int
    ts_ms: int
    buyer_is_maker: bool
    taker_order_id: int


class TradesView:
    name = "trades"

    def __init__(self, kept: int = DEFAULT_KEPT) -> None:
        self.kept = kept
        self.trades: dict[str, deque[TradeRecord]] = {}

    def seed(self, engine: Engine, last_seq: int) -> None:
        """A snapshot holds no trade history: the recent trades start empty (the indexer keeps history)."""
        self.trades = {symbol: deque(maxlen=self.kept) for symbol in sorted(engine.markets)}

    def handlers(self) -> Mapping[type, EventHandler]:
        return {MarketListed: self.listed, Trade: self.traded}

    def listed(self, event: MarketListed) -> None:
        self.trades.setdefault(event.spec.symbol, deque(maxlen=self.kept))

    def traded(self, event: Trade) -> None:
        self.trades[event.market].append(
            TradeRecord(
                event.trade_id,
                event.price_ticks,
                event.size_lots,
                event.taker_side,
                event.taker_order_id,
                event.maker_order_id,
                event.ts_ms,
            )
        )

    # -- queries ---------------------------------------------------------------------------------

    def recent(self, symbol: str, limit: int = 500) -> list[TradeRecord]:
        """The latest `limit` trades, oldest first."""
        trades = self.trades[symbol]
        return list(trades)[-limit:] if limit < len(trades) else list(trades)

    def agg_trades(self, symbol: str, limit: int = 500) -> list[AggTrade]:
        """The latest `limit` aggregate trades, oldest first (the oldest may be cut short by the
        window of kept trades)."""
        groups: list[AggTrade] = []
        for trade in self.trades[symbol]:
            last = groups[-1] if groups else None
            if last is not None and _same_group(last, trade):
                groups[-1] = last._replace(size_lots=last.size_lots + trade.size_lots, last_trade_id=trade.trade_id)
            else:
                groups.append(
                    AggTrade(
                        trade.trade_id,
                        trade.price_ticks,
                        trade.size_lots,
                        trade.trade_id,
                        trade.trade_id,
                        trade.ts_ms,
                        trade.buyer_is_maker,
                        trade.taker_order_id,
                    )
                )
        return groups[-limit:]

    def last_price_ticks(self, symbol: str) -> int | None:
        trades = self.trades.get(symbol)
        return trades[-1].price_ticks if trades else None


def _same_group(group: AggTrade, trade: TradeRecord) -> bool:
    return (
        trade.trade_id == group.last_trade_id + 1
        and trade.price_ticks == group.price_ticks
        and trade.ts_ms == group.ts_ms
        and trade.buyer_is_maker == group.buyer_is_maker
        and group.taker_order_id == trade.taker_order_id
    )
