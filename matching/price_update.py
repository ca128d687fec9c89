"""PriceUpdate: the oracle's index and mark price for a market, kept for reference and bands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from messages.commands import PriceUpdate
from messages.enums import RejectReason

if TYPE_CHECKING:
    from matching.engine import Engine


def price_update(engine: Engine, cmd: PriceUpdate) -> None:
    """Records the prices and emits nothing: prices are facts of the command stream already, and
    margin/ adds the consequences (liquidations) as events of their own."""
    market = engine.markets.get(cmd.market)
    if market is None:
        engine.reject(cmd, RejectReason.UNKNOWN_MARKET)
        return
    if cmd.index_price_ticks <= 0 or cmd.mark_price_ticks <= 0:
        engine.reject(cmd, RejectReason.PRICE_NOT_POSITIVE)
        return
    market.index_price_ticks = cmd.index_price_ticks
    market.mark_price_ticks = cmd.mark_price_ticks
