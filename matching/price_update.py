"""PriceUpdate: the oracle's index and mark price for a market, kept for reference and bands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from messages.commands import PriceUpdate
from messages.enums import RejectReason
from messages.events import PriceApplied

if TYPE_CHECKING:
    from matching.engine import Engine


def price_update(engine: Engine, cmd: PriceUpdate) -> None:
    apply_prices(engine, cmd)


def apply_prices(engine: Engine, cmd: PriceUpdate) -> bool:
    """Record the prices and say what is now in force (PriceApplied): the prices, and the
    market-order band they put around the mark. False if refused (a Rejected says why); margin/
    adds the consequences of an applied price (liquidations)."""
    market = engine.markets.get(cmd.market)
    if market is None:
        engine.reject(cmd, RejectReason.UNKNOWN_MARKET)
        return False
    if cmd.index_price_ticks <= 0 or cmd.mark_price_ticks <= 0:
        engine.reject(cmd, RejectReason.PRICE_NOT_POSITIVE)
        return False
    market.index_price_ticks = cmd.index_price_ticks
    market.mark_price_ticks = cmd.mark_price_ticks
    engine.out.append(
        PriceApplied(
            engine.take_seq(),
            engine.command_id,
            engine.ts_ms,
            market.symbol,
            cmd.index_price_ticks,
            cmd.mark_price_ticks,
            cmd.session,
            cmd.index_source,
            market.market_order_limit_ticks(False),
            market.market_order_limit_ticks(True),
            cmd.discovery_low_ticks,
            cmd.discovery_high_ticks,
        )
    )
    return True
