"""What other services publish beside the event stream, brought into the views: the funding
service's PremiumIndex per market (predicted rate, premium, next funding time; see prices.py for
why the views take it rather than compute it). A reader calls this as often as it wants the
prediction fresh (the funding service publishes once per sample slot, every 5 s by default)."""

import redis
import redis.asyncio as aioredis

from streams.funding_index import get_premium_indexes, get_premium_indexes_async
from streams.keys import ShardKeys
from views.prices import PricesView


def refresh_funding(prices: PricesView, client: redis.Redis, keys: ShardKeys) -> int:
    """Take every market's latest published PremiumIndex; return how many markets had one."""
    published = get_premium_indexes(client, keys)
    for index in published.values():
        prices.set_published(index)
    return len(published)


async def refresh_funding_async(prices: PricesView, client: aioredis.Redis, keys: ShardKeys) -> int:
    published = await get_premium_indexes_async(client, keys)
    for index in published.values():
        prices.set_published(index)
    return len(published)
