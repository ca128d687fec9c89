"""Admin commands on markets: list a new market, change a market's status, move the clock."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matching.market import Market
from messages.commands import AdvanceClock, ListMarket, SetMarketStatus
from messages.enums import CancelReason, MarketStatus, RejectReason
from messages.events import MarketListed, MarketStatusChanged

if TYPE_CHECKING:
    from matching.engine import Engine


def list_market(engine: Engine, cmd: ListMarket) -> None:
    if cmd.spec.symbol in engine.markets:
        engine.reject(cmd, RejectReason.MARKET_EXISTS, cmd.spec.symbol)
        return
    problem = cmd.spec.validate()
    if problem is not None:
        engine.reject(cmd, RejectReason.INVALID_SPEC, problem)
        return
    engine.markets[cmd.spec.symbol] = Market(cmd.spec, cmd.status, engine.book_type)
    engine.out.append(MarketListed(engine.take_seq(), engine.command_id, engine.ts_ms, cmd.spec, cmd.status))


def set_market_status(engine: Engine, cmd: SetMarketStatus) -> None:
    """Halting keeps the book, so trading resumes where it stopped (cancels still work meanwhile).
    A move to REDUCE_ONLY cancels the resting orders that are not reduce-only: they could only add risk."""
    market = engine.markets.get(cmd.market)
    if market is None:
        engine.reject(cmd, RejectReason.UNKNOWN_MARKET)
        return
    market.status = cmd.status
    engine.out.append(
        MarketStatusChanged(engine.take_seq(), engine.command_id, engine.ts_ms, market.symbol, cmd.status)
    )
    if cmd.status is MarketStatus.REDUCE_ONLY:
        for order_id in sorted(market.book.orders):
            order = market.book.orders[order_id]
            if not order.reduce_only:
                engine.cancel_resting(market, order, CancelReason.MARKET_STATE)


def advance_clock(engine: Engine, cmd: AdvanceClock) -> None:
    """Nothing to do beyond what apply() does for every command: move the clock, expire orders."""
