"""`perpx bench-rest`: REST order round trips against a running exchange (`perpx up`).

Resting limit orders (far below the market, so nothing trades) through the real HTTP API, signed
as Binance's clients sign: the round trip (request to response, one connection, one at a time)
p50/p99, then orders/s over N connections at once, one account each. Orders are cancelled after.
Run `perpx up` with PERPX_API_LIMITS="orders_per_10s=100000000,orders_per_minute=100000000" so that
Binance's per-account order limits do not cap the figure.
"""

import argparse
import asyncio
import hashlib
import hmac
import json
import statistics
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from api.key_store import create_key
from api.keys import ApiKey, permissions_for
from api.server_key import load_server_key
from streams.connection import DEFAULT_DATA_DIR, connect

CANCEL_EVERY = 100  # resting orders per account before they are cancelled (the cap is 200)


def add_bench_rest_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = commands.add_parser("bench-rest", help="REST order round trip and throughput against a running perpx up")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--symbol", default="NVDAUSDC")
    parser.add_argument("--price", default="1.00", help="a resting buy price far below the market")
    parser.add_argument("--quantity", default="10.000", help="enough for the minimum notional at --price")
    parser.add_argument("--round-trips", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--orders", type=int, default=5000, help="orders over all connections")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(run=run_bench_rest)


def signed(api_key: ApiKey, params: dict[str, Any]) -> tuple[str, dict[str, str]]:
    query = urlencode({**params, "recvWindow": 60000, "timestamp": int(time.time() * 1000)})
    signature = hmac.new(api_key.secret.encode(), query.encode(), hashlib.sha256).hexdigest()
    return f"{query}&signature={signature}", {"X-MBX-APIKEY": api_key.key}


async def place(client: httpx.AsyncClient, api_key: ApiKey, order: dict[str, Any]) -> float:
    query, headers = signed(api_key, order)
    started = time.perf_counter()
    response = await client.post(f"/fapi/v1/order?{query}", headers=headers)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"order refused: {response.text}")
    return elapsed


async def cancel_all(client: httpx.AsyncClient, api_key: ApiKey, symbol: str) -> None:
    query, headers = signed(api_key, {"symbol": symbol})
    await client.delete(f"/fapi/v1/allOpenOrders?{query}", headers=headers)


async def bench(args: argparse.Namespace, keys: list[ApiKey], admin: ApiKey) -> dict[str, Any]:
    order = {"symbol": args.symbol, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": args.quantity}
    order["price"] = args.price
    limits = httpx.Limits(max_connections=args.connections + 1)
    async with httpx.AsyncClient(base_url=args.url, timeout=30, limits=limits) as client:
        for api_key in keys:
            query, headers = signed(admin, {"account": api_key.account_id, "amount": "10000000"})
            response = await client.post(f"/perpx/v1/admin/deposit?{query}", headers=headers)
            response.raise_for_status()
        one = keys[0]
        for _ in range(20):  # warm up
            await place(client, one, order)
        await cancel_all(client, one, args.symbol)
        latencies = []
        for done in range(args.round_trips):  # an account holds at most MAX_OPEN_ORDERS (-2025)
            if done and done % CANCEL_EVERY == 0:
                await cancel_all(client, one, args.symbol)
            latencies.append(await place(client, one, order))
        latencies.sort()
        await cancel_all(client, one, args.symbol)
        per_connection = args.orders // args.connections
        if per_connection > CANCEL_EVERY:
            raise SystemExit(f"--orders / --connections must be at most {CANCEL_EVERY} (Binance's open-order cap)")

        async def worker(api_key: ApiKey) -> None:
            for _ in range(per_connection):
                await place(client, api_key, order)

        started = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in keys))
        elapsed = time.perf_counter() - started
        await asyncio.gather(*(cancel_all(client, k, args.symbol) for k in keys))
    return {
        "round_trips": args.round_trips,
        "p50_ms": round(statistics.median(latencies) * 1000, 3),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 3),
        "connections": args.connections,
        "orders": per_connection * args.connections,
        "orders_per_s": round(per_connection * args.connections / elapsed),
    }


def run_bench_rest(args: argparse.Namespace) -> int:
    from perpx.exchange import exchange_redis

    with exchange_redis(args.data_dir) as (url, running):
        if not running:
            raise SystemExit("no running perpx up found (REDIS_URL, or --data-dir of a running perpx up)")
        server_key = load_server_key(args.data_dir)
        client = connect(url)
        try:
            admin = create_key(client, server_key, 0, permissions_for(admin=True))
            keys = [create_key(client, server_key, None, permissions_for()) for _ in range(args.connections)]
        finally:
            client.close()
    result = asyncio.run(bench(args, keys, admin))
    print(f"perpx bench-rest against {args.url}: resting limit orders on {args.symbol}")
    print(
        f"  one connection, {result['round_trips']} round trips: p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms"
    )
    print(f"  {result['connections']} connections, {result['orders']} orders: {result['orders_per_s']:,} orders/s")
    if args.json:
        print(json.dumps(result))
    return 0
