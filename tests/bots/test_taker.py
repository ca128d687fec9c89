"""Takers against a maker on a real exchange: they fill at a rate over REST and the WebSocket API,
their positions are the maker's opposite, and a taker past its limit trades back toward flat."""

from decimal import Decimal

import pytest

from bots.ladder import LadderShape
from bots.maker import Maker, MakerConfig
from bots.markets import markets_of
from bots.rest import RestClient
from bots.taker import Taker, TakerConfig
from bots.ws_api import WsApiClient
from tests.api.conftest import Exchange
from tests.bots.conftest import clean_up, eventually, new_rest

SHAPE = LadderShape(levels=4, first_bps=10, spacing_bps=10, level_notional=Decimal(3000))


@pytest.mark.parametrize("transport", ["rest", "ws"])
async def test_takers_fill_against_the_maker_and_positions_agree(
    exchange: Exchange, rest: RestClient, other_rest: RestClient, transport: str
) -> None:
    rules = markets_of(await rest.exchange_info())
    maker = Maker(MakerConfig("MSTRUSDC", SHAPE, refresh_s=0.1), rules["MSTRUSDC"], other_rest)
    taker_rest = await new_rest(exchange)
    ws = WsApiClient(exchange.url, taker_rest.key, taker_rest.secret) if transport == "ws" else None
    config = TakerConfig(("MSTRUSDC",), rate_per_s=40, notional=Decimal(300), transport=transport, seed=7)
    taker = Taker(config, rules, taker_rest, ws)
    await maker.start()
    try:
        await eventually(lambda: len(maker.live) == 2 * SHAPE.levels)
        await taker.start()
        await eventually(lambda: taker.stats.fills >= 20)
        await taker.stop()
        assert taker.stats.errors == {}
        assert {"MARKET", "LIMIT"} <= taker.sent_types
        taker_position = await taker_rest.position("MSTRUSDC")
        assert taker_position == taker.positions["MSTRUSDC"] != 0
        assert await other_rest.position("MSTRUSDC") == -taker_position
    finally:
        await taker.stop()
        await maker.stop()
        if ws is not None:
            await ws.close()
        await clean_up(taker_rest)
    assert await other_rest.open_orders() == []


async def test_a_taker_past_its_limit_trades_back_toward_flat(exchange: Exchange, rest: RestClient) -> None:
    rules = markets_of(await rest.exchange_info())
    config = TakerConfig(("MSTRUSDC",), max_position_notional=Decimal(1000))
    taker = Taker(config, rules, rest)
    taker.positions["MSTRUSDC"] = Decimal(10)  # 1,500 USDC long at 150
    assert {taker.side_for("MSTRUSDC", Decimal(150)) for _ in range(20)} == {"SELL"}
    taker.positions["MSTRUSDC"] = Decimal(-10)
    assert {taker.side_for("MSTRUSDC", Decimal(150)) for _ in range(20)} == {"BUY"}
    taker.positions["MSTRUSDC"] = Decimal(1)
    assert {taker.side_for("MSTRUSDC", Decimal(150)) for _ in range(50)} == {"BUY", "SELL"}
    with pytest.raises(ValueError):
        Taker(TakerConfig(("MSTRUSDC",), transport="ws"), rules, rest)
