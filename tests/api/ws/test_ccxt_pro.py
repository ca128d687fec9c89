"""ccxt.pro's binanceusdm, unchanged, with its WebSocket URLs pointed at perpx (the client is the truth)."""

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

import ccxt.pro
import httpx

from tests.api.conftest import Exchange, leave_no_orders
from tests.api.test_ccxt import binanceusdm as rest_client
from tests.api.ws.test_streams import random_orders

SYMBOL = "NVDA/USDC:USDC"


def pro_client(exchange: Exchange, key: str = "", secret: str = "") -> Any:
    client = ccxt.pro.binanceusdm(
        {"apiKey": key, "secret": secret, "options": {"fetchCurrencies": False, "fetchMargins": False}}
    )
    rest = rest_client(exchange, key, secret)
    client.urls["api"].update({name: url for name, url in rest.urls["api"].items() if name.startswith("fapi")})
    ws_base = exchange.url.replace("http://", "ws://")
    client.urls["api"]["ws"]["future"] = ws_base + "/ws"
    client.urls["api"]["ws"]["ws-api"]["future"] = ws_base + "/ws-fapi/v1"
    return client


async def watch_while(watch: Awaitable[Any], act: Callable[[], Any], delay_s: float = 0.5) -> Any:
    """Start `watch`, do `act` (in a thread: REST calls block) once it is subscribed, return what it saw."""
    task = asyncio.ensure_future(watch)
    await asyncio.sleep(delay_s)
    await asyncio.to_thread(act)
    return await asyncio.wait_for(task, 10)


def test_watch_trades_ticker_and_mark_price(exchange: Exchange) -> None:
    maker_key, taker_key = exchange.funded_key(), exchange.funded_key()
    maker, taker = (
        rest_client(exchange, maker_key.key, maker_key.secret),
        rest_client(exchange, taker_key.key, taker_key.secret),
    )
    maker.load_markets()
    taker.load_markets()

    def trade() -> None:
        maker.create_order(SYMBOL, "limit", "sell", 0.5, 181.0)
        taker.create_order(SYMBOL, "market", "buy", 0.2)

    async def scenario() -> None:
        client = pro_client(exchange)
        try:
            await client.load_markets()
            trades = await watch_while(client.watch_trades(SYMBOL), trade)
            assert trades[-1]["price"] == 181.0 and trades[-1]["amount"] == 0.2 and trades[-1]["side"] == "buy"
            ticker = await asyncio.wait_for(client.watch_ticker(SYMBOL), 5)
            assert ticker["symbol"] == SYMBOL and ticker["last"] == 181.0
            mark = await asyncio.wait_for(client.watch_mark_price(SYMBOL), 5)
            assert mark["symbol"] == SYMBOL and mark["markPrice"] == 180.0
        finally:
            await client.close()

    try:
        asyncio.run(scenario())
    finally:
        leave_no_orders(exchange.signed(maker_key))
        leave_no_orders(exchange.signed(taker_key))


def test_create_and_cancel_order_ws_with_watch_orders_and_my_trades(exchange: Exchange) -> None:
    key, other_key = exchange.funded_key(), exchange.funded_key()
    other = rest_client(exchange, other_key.key, other_key.secret)
    other.load_markets()

    async def scenario() -> None:
        client = pro_client(exchange, key.key, key.secret)
        try:
            await client.load_markets()
            watching = asyncio.ensure_future(client.watch_orders(SYMBOL))
            await asyncio.sleep(0.5)
            order = await client.create_order_ws(SYMBOL, "limit", "sell", 0.3, 182.0)
            assert order["status"] == "open" and order["price"] == 182.0 and order["amount"] == 0.3
            seen = await asyncio.wait_for(watching, 5)
            assert seen[-1]["id"] == order["id"] and seen[-1]["status"] == "open"
            fills = asyncio.ensure_future(client.watch_my_trades(SYMBOL))
            await asyncio.sleep(0.2)
            await asyncio.to_thread(other.create_order, SYMBOL, "market", "buy", 0.1)
            mine = await asyncio.wait_for(fills, 5)
            assert mine[-1]["order"] == order["id"] and mine[-1]["amount"] == 0.1 and mine[-1]["price"] == 182.0
            assert mine[-1]["takerOrMaker"] == "maker"
            canceled = await client.cancel_order_ws(order["id"], SYMBOL)
            assert canceled["status"] == "canceled"
        finally:
            await client.close()

    try:
        asyncio.run(scenario())
    finally:
        leave_no_orders(exchange.signed(key))
        leave_no_orders(exchange.signed(other_key))


def test_watch_order_book_stays_in_sync(exchange: Exchange) -> None:
    keys = [exchange.funded_key(), exchange.funded_key()]
    clients = [exchange.signed(k) for k in keys]
    rng = random.Random(11)

    async def scenario() -> None:
        client = pro_client(exchange)
        try:
            await client.load_markets()
            book = await asyncio.wait_for(client.watch_order_book(SYMBOL), 10)
            trading = asyncio.ensure_future(asyncio.to_thread(random_orders, rng, clients, "NVDAUSDC", 18_000, 600))
            updates = 0
            while not trading.done():
                # the last update may come before the trading thread is seen done: wait for either
                watching = asyncio.ensure_future(client.watch_order_book(SYMBOL))
                await asyncio.wait({watching, trading}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
                if watching.done():
                    book = watching.result()
                    updates += 1
                else:
                    assert trading.done(), "no book update in 10 s while orders went on"
                    watching.cancel()
            await trading
            await asyncio.sleep(0.5)
            rest = httpx.get(exchange.url + "/fapi/v1/depth", params={"symbol": "NVDAUSDC", "limit": 1000}).json()
            while book["nonce"] < rest["lastUpdateId"]:
                book = await asyncio.wait_for(client.watch_order_book(SYMBOL), 10)
            assert book["nonce"] == rest["lastUpdateId"] and updates > 5
            assert book["bids"] == [[float(p), float(q)] for p, q in rest["bids"]]
            assert book["asks"] == [[float(p), float(q)] for p, q in rest["asks"]]
        finally:
            await client.close()

    try:
        asyncio.run(scenario())
    finally:
        for client in clients:
            leave_no_orders(client)


def test_watch_balance_and_positions(exchange: Exchange) -> None:
    key, other_key = exchange.funded_key("20000"), exchange.funded_key()
    other = rest_client(exchange, other_key.key, other_key.secret)
    other.load_markets()

    async def scenario() -> None:
        client = pro_client(exchange, key.key, key.secret)
        try:
            await client.load_markets()
            positions = asyncio.ensure_future(client.watch_positions([SYMBOL]))
            await asyncio.sleep(0.5)
            balance = asyncio.ensure_future(client.watch_balance())
            await asyncio.sleep(0.3)
            await client.create_order_ws(SYMBOL, "limit", "buy", 0.4, 179.0)
            await asyncio.to_thread(other.create_order, SYMBOL, "market", "sell", 0.4)
            seen_balance = await asyncio.wait_for(balance, 5)
            assert seen_balance["USDC"]["total"] is not None and seen_balance["USDC"]["total"] < 20000
            seen = await asyncio.wait_for(positions, 5)
            if not seen:  # the first answer was the REST snapshot, taken before the fill: the cache has it
                await asyncio.sleep(1.0)
                seen = [p for p in client.positions["future"] if p["symbol"] == SYMBOL and p["contracts"]]
            assert seen[-1]["symbol"] == SYMBOL and seen[-1]["contracts"] == 0.4 and seen[-1]["side"] == "long"
            assert seen[-1]["entryPrice"] == 179.0
        finally:
            await client.close()

    try:
        asyncio.run(scenario())
    finally:
        leave_no_orders(exchange.signed(key))
        leave_no_orders(exchange.signed(other_key))
