"""A real exchange for the bots (an engine and an api on their own shard, tests/api/conftest.py), and
clients of it that speak only the public API, as the bots do."""

import asyncio
import inspect
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from bots.rest import RestClient
from tests.api.conftest import MARKS, Exchange, running_exchange

# bots send many orders: the per-account order counts of Binance's defaults would refuse them
LIMITS = "ip_weight_per_minute=1000000,key_weight_per_minute=1000000,orders_per_10s=100000,orders_per_minute=100000"


@pytest.fixture(scope="package")
def exchange(redis_server) -> Iterator[Exchange]:
    with running_exchange(redis_server.url, "bots", LIMITS) as started:
        yield started


async def eventually(check, timeout_s: float = 15.0):
    """The first true answer of `check` (a plain or an async function), polled until the timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        assert time.monotonic() < deadline, "not in time"
        await asyncio.sleep(0.1)


async def new_rest(exchange: Exchange, usdc: str = "1000000") -> RestClient:
    key = exchange.funded_key(usdc)
    return RestClient(exchange.url, key.key, key.secret)


async def clean_up(client: RestClient) -> None:
    """Tests share the books: each test's orders go when it ends."""
    try:
        for symbol in MARKS:
            await client.cancel_all(symbol)
    finally:
        await client.close()


@pytest.fixture
async def rest(exchange: Exchange) -> AsyncIterator[RestClient]:
    client = await new_rest(exchange)
    yield client
    await clean_up(client)


@pytest.fixture
async def other_rest(exchange: Exchange) -> AsyncIterator[RestClient]:
    client = await new_rest(exchange)
    yield client
    await clean_up(client)
