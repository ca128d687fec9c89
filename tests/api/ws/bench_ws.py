"""WebSocket figures (a benchmark, not a test: run it by name, it prints and asserts nothing timed):

    .venv/bin/pytest tests/api/ws/bench_ws.py -s -q

1. order entry: one /ws-fapi/v1 connection after session.logon sends IOC orders that rest nowhere at
   1,000 a second; the time from each send to its answer, p50 / p99;
2. fan-out: 1,000 subscribers of one trade stream while a taker fills against a resting order;
   messages delivered per second, and the api process's CPU time per message built and per frame.
"""

import asyncio
import json
import os
import statistics
import time
from collections.abc import Iterator

import psutil
import pytest
import websockets

from tests.api.conftest import Exchange, start_api, stop
from tests.api.ws.test_ws_api import signed

ORDERS = 3_000
RATE_PER_S = 1_000
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
    url, _ = bench_api
    key = exchange.funded_key()

    async def run() -> list[float]:
        async with websockets.connect(url + "/ws-fapi/v1", max_size=None, ping_interval=None) as ws:
            await ws.send(json.dumps({"id": "logon", "method": "session.logon", "params": signed(key, {})}))
            assert json.loads(await ws.recv())["status"] == 200
            sent: dict[int, float] = {}
            latencies: list[float] = []

            async def read() -> None:
                while len(latencies) < ORDERS:
                    answer = json.loads(await ws.recv())
                    assert answer["status"] == 200, answer
                    latencies.append(time.perf_counter() - sent[answer["id"]])

            reader = asyncio.ensure_future(read())
            order = {"symbol": "NVDAUSDC", "side": "BUY", "type": "LIMIT", "timeInForce": "IOC", "quantity": "0.1"}
            start = time.perf_counter()
            for i in range(ORDERS):
                delay = start + i / RATE_PER_S - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                sent[i] = time.perf_counter()
                await ws.send(json.dumps({"id": i, "method": "order.place", "params": {**order, "price": "170.00"}}))
            await reader
            return latencies

    latencies = sorted(asyncio.run(run()))
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    print(
        f"\nws order entry, {ORDERS} IOC orders at {RATE_PER_S}/s on one connection: p50 {p50:.2f} ms, p99 {p99:.2f} ms"
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
