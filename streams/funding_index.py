"""Where the funding service publishes each market's PremiumIndex: one Redis hash per shard, market ->
msgpack. Written by funding/publisher.py after every step; read by any process (views, api)."""

from typing import cast

import msgspec
import redis
import redis.asyncio as aioredis

from messages.funding_index import PremiumIndex
from streams.keys import ShardKeys

_decoder = msgspec.msgpack.Decoder(PremiumIndex)


def premium_index_key(keys: ShardKeys) -> str:
    return f"{keys.prefix}:funding:premium_index"


def encode_premium_index(index: PremiumIndex) -> bytes:
    return msgspec.msgpack.encode(index)


def get_premium_index(client: redis.Redis, keys: ShardKeys, market: str) -> PremiumIndex | None:
    """The latest published view of `market`; None before the funding service first ran."""
    raw = cast(bytes | None, client.hget(premium_index_key(keys), market))
    return _decoder.decode(raw) if raw is not None else None


def get_premium_indexes(client: redis.Redis, keys: ShardKeys) -> dict[str, PremiumIndex]:
    """Every market's latest published view (none before the funding service first ran)."""
    raw = cast(dict[bytes, bytes], client.hgetall(premium_index_key(keys)))
    return {market.decode(): _decoder.decode(value) for market, value in sorted(raw.items())}


async def get_premium_indexes_async(client: aioredis.Redis, keys: ShardKeys) -> dict[str, PremiumIndex]:
    """Every market's latest published view (none before the funding service first ran)."""
    raw = cast(dict[bytes, bytes], await client.hgetall(premium_index_key(keys)))
    return {market.decode(): _decoder.decode(value) for market, value in sorted(raw.items())}
