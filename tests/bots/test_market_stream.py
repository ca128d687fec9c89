"""bots.market_stream against a real exchange: combined frames, each with its receipt time."""

import asyncio
from decimal import Decimal

import pytest

from bots.market_stream import MarketStream, streams_url
from bots.rest import RestClient
from tests.api.conftest import Exchange


def test_streams_url() -> None:
    assert streams_url("http://h:1", ["a@trade", "b@depth"]) == "ws://h:1/stream?streams=a@trade/b@depth"
    with pytest.raises(ValueError):
        MarketStream("http://h:1", [])


async def test_a_trade_reaches_the_subscriber_with_its_delay(
    exchange: Exchange, rest: RestClient, other_rest: RestClient
) -> None:
    async with MarketStream(exchange.url, ["mstrusdc@trade", "mstrusdc@depth@100ms"]) as stream:
        await asyncio.sleep(0.3)  # the subscription is in place before the trade
        sell = {"symbol": "MSTRUSDC", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": Decimal("1")}
        await other_rest.place_order({**sell, "price": Decimal("151.00")})
        await rest.place_order({"symbol": "MSTRUSDC", "side": "BUY", "type": "MARKET", "quantity": Decimal("1")})
        seen: dict[str, object] = {}
        async with asyncio.timeout(10):
            async for message in stream.messages():
                seen.setdefault(message.stream, message)
                if "mstrusdc@trade" in seen:
                    break
        trade = seen["mstrusdc@trade"]
        assert trade.data["p"] == "151.00" and trade.data["q"] == "1.000"
        delay = trade.event_delay_ms()
        assert delay is not None and 0 <= delay < 10_000
    await rest.place_order({**sell, "price": Decimal("150.00")})  # flat again
    await other_rest.place_order({"symbol": "MSTRUSDC", "side": "BUY", "type": "MARKET", "quantity": Decimal("1")})


async def test_messages_reconnect_after_a_drop(exchange: Exchange, rest: RestClient, other_rest: RestClient) -> None:
    stream = MarketStream(exchange.url, ["mstrusdc@trade"])
    messages = stream.messages(reconnect=True)
    try:
        await stream.connect()
        await stream.socket.close()  # dropped, as a network would drop it
        sell = {"symbol": "MSTRUSDC", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": Decimal("1")}

        async def trade_soon() -> None:
            await asyncio.sleep(1.0)  # after the reconnection
            await other_rest.place_order({**sell, "price": Decimal("149.00")})
            await rest.place_order({"symbol": "MSTRUSDC", "side": "BUY", "type": "MARKET", "quantity": Decimal("1")})

        trading = asyncio.create_task(trade_soon())
        async with asyncio.timeout(10):
            message = await anext(messages)
        await trading
        assert message.stream == "mstrusdc@trade" and message.data["p"] == "149.00"
    finally:
        await messages.aclose()
        await stream.close()
