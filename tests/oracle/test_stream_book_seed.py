"""The oracle's books after a restart: seeded from the engine's snapshot (resting orders and the last
trade), then the events after it, equal to the engine's own."""

import redis
import redis.asyncio as aioredis
from oracle.stream_book import StreamBookReader

from matching.markets import load_markets
from messages.commands import PlaceOrder
from messages.enums import Side
from streams.client import append_command
from streams.embedded import EmbeddedRedis
from streams.keys import ShardKeys
from tests.engine_service.service_thread import running_service, wait_until_covered


async def test_seeded_from_a_snapshot_with_resting_orders(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, shard_keys: ShardKeys
) -> None:
    with running_service(redis_server.url, shard_keys) as engine_service:
        for i, (side, price_ticks) in enumerate([(Side.BUY, 17_990), (Side.SELL, 18_010), (Side.BUY, 17_980)]):
            append_command(redis_client, shard_keys, PlaceOrder(f"o{i}", 0, 7, "NVDAUSDC", side, 100_000, price_ticks))
        last_id = append_command(redis_client, shard_keys, PlaceOrder("t", 0, 8, "NVDAUSDC", Side.SELL, 50_000, 17_990))
        wait_until_covered(engine_service, tuple(int(p) for p in last_id.decode().split("-")))  # type: ignore[arg-type]
        engine_service.take_snapshot()  # the snapshot now holds the resting orders and the last trade
        append_command(redis_client, shard_keys, PlaceOrder("after", 0, 7, "NVDAUSDC", Side.SELL, 100_000, 18_005))
        last_id = redis_client.xrevrange(shard_keys.commands, count=1)[0][0]
        wait_until_covered(engine_service, tuple(int(p) for p in last_id.decode().split("-")))  # type: ignore[arg-type]
        client = aioredis.from_url(redis_server.url)
        reader = StreamBookReader(client, shard_keys, load_markets())
        await reader.refresh()
        top = await reader.book_top("NVDAUSDC")
        await client.aclose()
    book = engine_service.engine.markets["NVDAUSDC"].book
    assert (top.best_bid_ticks, top.best_ask_ticks, top.last_trade_ticks) == (17_990, 18_005, 17_990)
    assert (top.best_bid_ticks, top.best_ask_ticks) == (book.best_bid_ticks, book.best_ask_ticks)
