"""The leveraged trader: it opens at the market's highest leverage, a 30% fall of the oracle price
liquidates it, it counts that, and on stop it holds nothing and has no orders."""

import asyncio
import time
from decimal import Decimal

from bots.ladder import LadderShape
from bots.leveraged import LeveragedConfig, LeveragedTrader
from bots.maker import Maker, MakerConfig
from bots.markets import markets_of
from bots.rest import RestClient
from messages.commands import PriceUpdate
from streams.client import append_command
from tests.api.conftest import MARKS, Exchange
from tests.bots.conftest import clean_up, eventually, new_rest

SHAPE = LadderShape(levels=4, first_bps=10, spacing_bps=10, level_notional=Decimal(3000))


def push_mark(exchange: Exchange, symbol: str, ticks: int) -> None:
    """What the oracle would do: a new index and mark for the market (there is no oracle here)."""
    append_command(
        exchange.client,
        exchange.keys,
        PriceUpdate(f"test-{symbol}-{ticks}", int(time.time() * 1000), symbol, ticks, ticks),
    )


async def test_a_30_percent_fall_liquidates_the_leveraged_long(
    exchange: Exchange, rest: RestClient, other_rest: RestClient
) -> None:
    rules = markets_of(await rest.exchange_info())["TSLAUSDC"]
    maker = Maker(MakerConfig("TSLAUSDC", SHAPE, refresh_s=0.1), rules, other_rest)
    trader_rest = await new_rest(exchange, "1000")
    trader = LeveragedTrader(LeveragedConfig("TSLAUSDC", check_s=0.1, reopen_after_s=None), rules, trader_rest)
    await maker.start()
    try:
        await eventually(lambda: len(maker.live) == 2 * SHAPE.levels)
        await trader.start()
        opened = await eventually(lambda: trader.position)
        # half of 1,000 USDC as margin at the highest leverage, at about the mark of 400
        assert abs(opened * 400 - 500 * rules.max_leverage) < 500 * rules.max_leverage * Decimal("0.01")
        push_mark(exchange, "TSLAUSDC", MARKS["TSLAUSDC"] * 7 // 10)
        await eventually(lambda: trader.liquidations == 1)
        assert trader.position == 0 == await trader_rest.position("TSLAUSDC")
        await asyncio.sleep(0.5)
        assert trader.stats.orders_sent == 1  # stays out: reopen_after_s is None
    finally:
        await trader.stop()
        await maker.stop()
        push_mark(exchange, "TSLAUSDC", MARKS["TSLAUSDC"])
        await clean_up(trader_rest)


async def test_stop_closes_the_position(exchange: Exchange, rest: RestClient, other_rest: RestClient) -> None:
    rules = markets_of(await rest.exchange_info())["NVDAUSDC"]
    maker = Maker(MakerConfig("NVDAUSDC", SHAPE, refresh_s=0.1), rules, other_rest)
    trader_rest = await new_rest(exchange, "1000")
    trader = LeveragedTrader(LeveragedConfig("NVDAUSDC", side="SELL", check_s=0.1), rules, trader_rest)
    await maker.start()
    try:
        await eventually(lambda: len(maker.live) == 2 * SHAPE.levels)
        await trader.start()
        assert await eventually(lambda: trader.position) < 0
        await trader.stop()
        assert await trader_rest.position("NVDAUSDC") == 0 and trader.liquidations == 0
        assert await trader_rest.open_orders() == []
    finally:
        await trader.stop()
        await maker.stop()
        await clean_up(trader_rest)
