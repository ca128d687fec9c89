"""The funding service's published prediction reaches the views (sync and asyncio readers)."""

import asyncio

import redis
import redis.asyncio as aioredis

from matching.markets import load_markets
from messages.funding_index import FundingRate, PremiumIndex
from streams.embedded import EmbeddedRedis
from streams.funding_index import encode_premium_index, premium_index_key
from streams.keys import ShardKeys
from views.engine_state import genesis_engine
from views.exchange import ExchangeView
from views.published import refresh_funding, refresh_funding_async

H = 3_600_000


def test_the_published_prediction_is_what_the_views_show(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, shard_keys: ShardKeys
) -> None:
    view = ExchangeView()
    view.seed(genesis_engine(load_markets()), 0)
    assert refresh_funding(view.prices, redis_client, shard_keys) == 0
    index = PremiumIndex("AAPLUSDC", 1_500, FundingRate(12_000, 1_500, 600, 720, True, False), 7 * H, 12_500, 10_000)
    redis_client.hset(premium_index_key(shard_keys), "AAPLUSDC", encode_premium_index(index))
    assert refresh_funding(view.prices, redis_client, shard_keys) == 1
    figures = view.prices.funding("AAPLUSDC", 6 * H + 5)
    assert (figures.predicted_rate_ppb, figures.premium_ppb, figures.next_funding_time_ms) == (12_000, 1_500, 7 * H)
    assert figures.last_rate_ppb == 10_000  # none settled since this view started: the published one

    async def read_async() -> int:
        client = aioredis.Redis.from_url(redis_server.url)
        try:
            return await refresh_funding_async(ExchangeView().prices, client, shard_keys)
        finally:
            await client.aclose()

    assert asyncio.run(read_async()) == 1
