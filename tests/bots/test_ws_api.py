"""bots.ws_api against a real exchange: many requests in flight on one connection, answers matched by
id with their times, both ways of authenticating, errors as values, reconnection."""

import asyncio
from decimal import Decimal

import pytest

from bots.errors import ApiError
from bots.rest import RestClient
from bots.ws_api import WsApiClient, ws_base
from tests.api.conftest import Exchange

ORDER = {"symbol": "TSLAUSDC", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": Decimal("0.100")}


def test_ws_base() -> None:
    assert ws_base("http://127.0.0.1:8000/") == "ws://127.0.0.1:8000"
    assert ws_base("https://x.example") == "wss://x.example"
    assert ws_base("ws://h:1") == "ws://h:1"


@pytest.mark.parametrize("logon", [True, False])
async def test_pipelined_orders_are_matched_by_id(exchange: Exchange, rest: RestClient, logon: bool) -> None:
    client = WsApiClient(exchange.url, rest.key, rest.secret, logon=logon)
    await client.connect()
    try:
        assert client.logged_on is logon
        prices = [Decimal("300.00") + Decimal(i) / 100 for i in range(40)]
        futures = [await client.send("order.place", {**ORDER, "price": p}) for p in prices]
        assert len(client.pending) > 1 or all(f.done() for f in futures)  # sent before any answer was awaited
        answers = await asyncio.gather(*futures)
        assert [a.result["price"] for a in answers] == [f"{p:.2f}" for p in prices]
        assert all(a.status == 200 and a.error is None and a.method == "order.place" for a in answers)
        assert all(0 < a.latency_ns < 10_000_000_000 for a in answers)
        assert len({a.id for a in answers}) == len(answers)
        assert len(await rest.open_orders("TSLAUSDC")) == len(prices)
        cancels = [
            await client.send("order.cancel", {"symbol": "TSLAUSDC", "orderId": a.result["orderId"]}) for a in answers
        ]
        assert {(await c).must_result()["status"] for c in cancels} == {"CANCELED"}
        assert await rest.open_orders("TSLAUSDC") == []
    finally:
        await client.close()


async def test_errors_modify_and_reconnect(exchange: Exchange, rest: RestClient) -> None:
    client = WsApiClient(exchange.url, rest.key, rest.secret)
    await client.connect()
    try:
        placed = await client.place_order({**ORDER, "price": Decimal("310.00")})
        modified = await client.modify_order("TSLAUSDC", placed["orderId"], "BUY", Decimal("0.200"), Decimal("311.00"))
        assert (modified["orderId"], modified["price"], modified["origQty"]) == (placed["orderId"], "311.00", "0.200")
        await client.cancel_order("TSLAUSDC", placed["orderId"])
        with pytest.raises(ApiError) as unknown:
            await client.cancel_order("TSLAUSDC", placed["orderId"])
        assert unknown.value.code == -2011
        answer = await (await client.send("no.such", {}))
        assert answer.status == 400 and answer.error is not None and answer.result is None
        await client.close()
        assert not client.connected
        with pytest.raises(ConnectionError):
            await client.send("order.place", {**ORDER, "price": Decimal("310.00")})
        await client.ensure_connected()
        again = await client.place_order({**ORDER, "price": Decimal("312.00")})
        assert again["status"] == "NEW"
    finally:
        await client.close()


async def test_a_dropped_connection_fails_what_is_in_flight(exchange: Exchange, rest: RestClient) -> None:
    client = WsApiClient(exchange.url, rest.key, rest.secret)
    await client.connect()
    futures = [await client.send("order.place", {**ORDER, "price": Decimal("305.00")}) for _ in range(5)]
    await client.socket.close()  # the connection goes, as a network drop would take it
    results = await asyncio.gather(*futures, return_exceptions=True)
    assert all(isinstance(r, ConnectionError) or r.status == 200 for r in results)
    assert not client.pending and not client.connected
    await client.close()
