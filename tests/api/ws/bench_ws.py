"""WebSocket figures (a benchmark, not a test: run it by name, it prints and asserts nothing timed):

    .venv/bin/pytest tests/api/ws/bench_ws.py -s -q

1. order entry: /ws-fapi/v1 connections after session.logon send IOC orders that rest nowhere, open
   loop at each rate of PERPX_BENCH_WS_RATES (default 1000,5000,10000) for PERPX_BENCH_WS_DURATION_S
   (5) seconds; the time from each order's due time to its answer, p50 / p90 / p99 / p99.9 / max;
2. fan-out: 1,000 subscribers of one trade stream while a taker fills against a resting order;
   messages delivered per second, and the api process's CPU time per message built and per frame.
"""

import asyncio
import json
import os
import time
import uuid
from collections.abc import Iterator

import psutil
import pytest
import redis.asyncio as aioredis
import websockets

from messages.commands import PlaceOrder
from messages.enums import OrderType, Side, TimeInForce
from perpx.bench.ws_orders import bench_market_data, bench_ws_orders, describe, describe_market_data, percentile
from streams.client import CommandClient
from tests.api.conftest import Exchange, start_api, stop
from tests.api.ws.test_ws_api import signed

RATES = [int(r) for r in os.environ.get("PERPX_BENCH_WS_RATES", "1000,5000,10000").split(",")]
DURATION_S = float(os.environ.get("PERPX_BENCH_WS_DURATION_S", "5"))
CONNECTIONS = 4
ENGINE_ORDERS = 2_000
MD_SUBSCRIBERS = int(os.environ.get("PERPX_BENCH_MD_SUBSCRIBERS", "1000"))
MD_RATE = int(os.environ.get("PERPX_BENCH_MD_RATE", "100"))
MD_DURATION_S = 5.0
SUBSCRIBERS = 1_000
FILLS = 2_000


@pytest.fixture(scope="module")
def bench_api(exchange: Exchange) -> Iterator[tuple[str, int]]:
    saved = dict(os.environ)
    os.environ["PERPX_WS_CONNECTIONS_PER_IP"] = "5000"
    limits = "ip_weight_per_minute=100000000,key_weight_per_minute=100000000,"
    limits += "orders_per_10s=1000000,orders_per_minute=1000000"
    try:
        process, url = start_api(exchange.redis_url, exchange.keys, limits=limits)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    yield url.replace("http://", "ws://"), process.pid
    stop(process)


def test_order_entry_latency(exchange: Exchange, bench_api: tuple[str, int]) -> None:
    """Open loop at each rate (perpx/bench/ws_orders.py), latency from each order's due time."""
    url, api_pid = bench_api
    keys = [exchange.funded_key() for _ in range(CONNECTIONS)]
    watch = {"api": api_pid, "engine": exchange.engine_pid}
    results = bench_ws_orders(url, keys, RATES, DURATION_S, price="170.00", quantity="0.1", watch=watch)
    print(f"\nws order entry, IOC orders over {CONNECTIONS} connections after session.logon:")
    for result in results:
        print(describe(result))


def test_market_data_delay(exchange: Exchange, bench_api: tuple[str, int]) -> None:
    """PERPX_BENCH_MD_SUBSCRIBERS (1,000) connections on aaplusdc@trade while IOC buys at
    PERPX_BENCH_MD_RATE (100) orders/s each fill against one resting sell: the delay from each
    trade's engine time to its receipt by each subscriber."""
    url, _ = bench_api
    maker, takers = exchange.funded_key("100000000"), [exchange.funded_key("100000000") for _ in range(2)]
    orders, md = bench_market_data(
        url, maker, takers, MD_SUBSCRIBERS, MD_RATE, MD_DURATION_S, "AAPLUSDC", "230.00", "0.1"
    )
    print(f"\nmarket data at {MD_RATE:,} trades/s to {MD_SUBSCRIBERS:,} subscribers:")
    print(describe(orders))
    print(describe_market_data(md))


def test_engine_round_trip(exchange: Exchange) -> None:
    """The engine service's share of an order's latency: one IOC order at a time through a
    CommandClient (XADD, the engine's blocking read wakes, applies, writes its event entry, the
    client's blocking read wakes), without the api. Then the same open loop at 1,000/s."""
    account = exchange.funded_key().account_id

    def order(i: int) -> PlaceOrder:
        return PlaceOrder(
            f"bench-engine-{uuid.uuid4().hex}-{i}",
            0,
            account,
            "NVDAUSDC",
            Side.BUY,
            100,
            17_000,
            OrderType.LIMIT,
            TimeInForce.IOC,
        )

    async def run() -> tuple[list[float], list[float]]:
        client = aioredis.Redis.from_url(exchange.redis_url, max_connections=10_000)  # the open loop's XADDs at once
        async with CommandClient(client, exchange.keys) as commands:
            for i in range(100):  # warm up
                await commands.submit(order(i))
            one_at_a_time = []
            for i in range(ENGINE_ORDERS):
                started = time.perf_counter()
                await commands.submit(order(i))
                one_at_a_time.append(time.perf_counter() - started)
            t0 = time.perf_counter()

            async def paced(i: int) -> float:
                await asyncio.sleep(max(0.0, t0 + i / 1000 - time.perf_counter()))
                await commands.submit(order(i))
                return time.perf_counter() - (t0 + i / 1000)

            open_loop = await asyncio.gather(*(paced(i) for i in range(ENGINE_ORDERS)))
        await client.aclose()
        return sorted(one_at_a_time), sorted(open_loop)

    one, paced = asyncio.run(run())
    for name, values in (("one at a time", one), ("1,000/s open loop", paced)):
        ms = [v * 1000 for v in values]
        print(
            f"\nengine round trip (XADD to result, no api), {name}, {len(ms)} IOC orders: "
            f"p50 {percentile(ms, 0.5):.2f} "
            f"p90 {percentile(ms, 0.9):.2f} p99 {percentile(ms, 0.99):.2f} max {ms[-1]:.2f} ms"
        )


def test_fan_out(exchange: Exchange, bench_api: tuple[str, int]) -> None:
    url, api_pid = bench_api
    maker, taker = exchange.funded_key("100000000"), exchange.funded_key("100000000")
    api = psutil.Process(api_pid)

    async def run() -> tuple[int, float, float]:
        received = [0] * SUBSCRIBERS
        subscribers = [
            await websockets.connect(url + "/ws/mstrusdc@trade", ping_interval=None) for _ in range(SUBSCRIBERS)
        ]

        async def read(index: int, ws: websockets.ClientConnection) -> None:
            while received[index] < FILLS:
                await ws.recv()
                received[index] += 1

        readers = [asyncio.ensure_future(read(i, ws)) for i, ws in enumerate(subscribers)]
        async with websockets.connect(url + "/ws-fapi/v1", ping_interval=None) as orders:
            rest = {"symbol": "MSTRUSDC", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "price": "150.00"}
            await orders.send(
                json.dumps({"id": 0, "method": "order.place", "params": signed(maker, {**rest, "quantity": "300"})})
            )
            assert json.loads(await orders.recv())["status"] == 200
            await orders.send(json.dumps({"id": 1, "method": "session.logon", "params": signed(taker, {})}))
            assert json.loads(await orders.recv())["status"] == 200
            cpu_before = sum(api.cpu_times()[:2])
            start = time.perf_counter()
            buy = {"symbol": "MSTRUSDC", "side": "BUY", "type": "MARKET", "quantity": "0.1"}
            for i in range(FILLS):
                await orders.send(json.dumps({"id": i + 2, "method": "order.place", "params": buy}))
            for _ in range(FILLS):
                await orders.recv()
            await asyncio.wait_for(asyncio.gather(*readers), 120)
            elapsed = time.perf_counter() - start
            cpu = sum(api.cpu_times()[:2]) - cpu_before
        for ws in subscribers:
            await ws.close()
        return sum(received), elapsed, cpu

    delivered, elapsed, cpu = asyncio.run(run())
    print(
        f"\nfan-out: {FILLS} trades to {SUBSCRIBERS} subscribers: {delivered} messages in {elapsed:.2f} s = "
        f"{delivered / elapsed:,.0f} messages/s; api CPU {cpu:.2f} s = {cpu / delivered * 1e6:.1f} us per frame "
        f"delivered ({cpu / FILLS * 1e3:.2f} ms per trade, order entry and matching included)"
    )
