"""The funding view for other processes: after each step the service writes every market's
PremiumIndex (current premium, predicted rate, next funding time, last rate) to one Redis hash
(streams/funding_index.py), so an api replica answers premiumIndex without samples of its own;
history is read from the ledger."""

import redis

from funding.queries import FundingQueries
from streams.funding_index import encode_premium_index, get_premium_index, premium_index_key
from streams.keys import ShardKeys

__all__ = ["get_premium_index", "publish_premium_index"]


def publish_premium_index(client: redis.Redis, keys: ShardKeys, queries: FundingQueries, now_ms: int) -> None:
    mapping = {
        spec.symbol: encode_premium_index(queries.premium_index(spec.symbol, now_ms))
        for spec in queries.service.source.market_specs()
    }
    if mapping:
        client.hset(premium_index_key(keys), mapping=mapping)  # type: ignore[arg-type]
