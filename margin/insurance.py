"""The insurance fund unwinds what it took over: into the book, never worse than the mark.

After a mark update (and its liquidations), if the fund holds a position in that market and the
book has liquidity at the mark or better for it, the fund sends a reduce-only IOC order limited at
the mark. It so gives its positions back to the market over time without ever selling below (or
buying above) the price its equity is already valued at, and pays no taker fee.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from margin.ledger import INSURANCE_ACCOUNT
from matching.market import Market
from matching.place_order import place_order
from messages.commands import PlaceOrder
from messages.enums import OrderType, SelfTradePrevention, Side, TimeInForce

if TYPE_CHECKING:
    from margin.engine import MarginEngine


def maybe_unwind_insurance(engine: MarginEngine, market: Market) -> None:
    risk = engine.margin
    position = risk.ledger.accounts[INSURANCE_ACCOUNT].positions.get(market.symbol)
    mark = market.mark_price_ticks
    if position is None or not position.size_lots or not mark:
        return
    size = position.size_lots
    best = market.book.best_bid_ticks if size > 0 else market.book.best_ask_ticks
    if best is None or (best < mark if size > 0 else best > mark):
        return  # nothing in the book at the mark or better: wait for the next update
    risk.liquidating.add(INSURANCE_ACCOUNT)  # the fund passes the pre-trade check and pays no taker fee
    try:
        place_order(
            engine,
            PlaceOrder(
                engine.command_id,
                engine.ts_ms,
                INSURANCE_ACCOUNT,
                market.symbol,
                Side.SELL if size > 0 else Side.BUY,
                abs(size),
                mark,
                OrderType.LIMIT,
                TimeInForce.IOC,
                reduce_only=True,
                self_trade_prevention=SelfTradePrevention.NONE,
            ),
        )
    finally:
        risk.liquidating.discard(INSURANCE_ACCOUNT)
