"""The funding view for other processes: after each step the service writes every market's
PremiumIndex (current premium, predicted rate, next funding time, last rate) to one Redis hash, so
an api replica answers premiumIndex without samples of its own; history is read from the ledger."""

from typing import cast

import msgspec
import redis

from funding.queries import FundingQueries, PremiumIndex
from streams.keys import ShardKeys

_decoder = msgspec.msgpack.Decoder(PremiumIndex)


def premium_index_key(keys: ShardKeys) -> str:
    return f"{keys.prefix}:funding:premium_index"


def publish_premium_index(client: redis.Redis, keys: ShardKeys, queries: FundingQueries, now_ms: int) -> None:
    mapping = {
        spec.symbol: msgspec.msgpack.encode(queries.premium_index(spec.symbol, now_ms))
        for spec in queries.service.source.market_specs()
    }
    if mapping:
        client.hset(premium_index_key(keys), mapping=mapping)  # type: ignore[arg-type]


def get_premium_index(client: redis.Redis, keys: ShardKeys, market: str) -> PremiumIndex | None:
    """The latest published view of `market`; None before the funding service first ran."""
    raw = cast(bytes | None, client.hget(premium_index_key(keys), market))
    return _decoder.decode(raw) if raw is not None else None
