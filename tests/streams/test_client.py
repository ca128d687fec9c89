"""Request and response through the streams: a command's events, awaited by its id."""

import asyncio

import pytest
import redis.asyncio as aioredis

from messages.commands import AdvanceClock, CancelOrder, PlaceOrder
from messages.enums import RejectReason, Side
from messages.events import OrderAccepted, OrderRested, Rejected, Trade
from streams.client import CommandClient, append_command
from tests.engine_service.service_thread import running_service


@pytest.fixture
async def aio(redis_server):
    client = aioredis.Redis.from_url(redis_server.url)
    yield client
    await client.aclose()


async def test_results_awaited_by_command_id(redis_server, aio, shard_keys):
    with running_service(redis_server.url, shard_keys):
        async with CommandClient(aio, shard_keys, timeout_s=10) as client:
            sell = PlaceOrder("s1", 0, 1, "AAPLUSDC", Side.SELL, 1000, 20000)
            buy = PlaceOrder("b1", 0, 2, "AAPLUSDC", Side.BUY, 400, 20000)
            placed = await client.submit(sell)
            assert [type(e) for e in placed] == [OrderAccepted, OrderRested]
            both = await asyncio.gather(
                client.submit(buy), client.submit(CancelOrder("c1", 0, 2, "AAPLUSDC", order_id=999))
            )
            traded, rejected = both
            assert [type(e) for e in traded] == [OrderAccepted, Trade]
            assert traded[1].size_lots == 400 and traded[1].maker_order_id == placed[0].order_id
            assert [e.reason for e in rejected] == [RejectReason.ORDER_NOT_FOUND]
            assert all(type(e) is Rejected for e in rejected)

            assert await client.submit(buy) == traded  # a repeat gets the original result back
            assert await client.submit(AdvanceClock("t1", 0)) == []  # applied, nothing to say


async def test_a_result_that_never_comes_times_out(aio, shard_keys):
    async with CommandClient(aio, shard_keys) as client:  # no engine is serving this shard
        with pytest.raises(TimeoutError):
            await client.submit(AdvanceClock("lonely", 0), timeout_s=0.2)
        with pytest.raises(ValueError):
            await client.submit(AdvanceClock("", 0))
    assert await aio.xlen(shard_keys.commands) == 1  # it was appended: a later engine will apply it


def test_append_command_returns_the_entry_id(redis_client, shard_keys):
    entry_id = append_command(redis_client, shard_keys, AdvanceClock("a", 0))
    assert redis_client.xrange(shard_keys.commands)[0][0] == entry_id
