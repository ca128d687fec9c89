"""Where API keys live: the async store the api reads, and the sync one `perpx keys` writes."""

from typing import cast

import redis
import redis.asyncio as aioredis
from cryptography.fernet import Fernet

from api.keys import KEY_PREFIX, NEXT_ACCOUNT, ApiKey, is_well_formed, key_record, new_key_pair, parse_record
from streams.snapshots import wall_clock_ms

_RAISE_TO = (
    "if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end"
)


class KeyStore:
    """Reads keys for the api; one HGETALL per signed request, so a revoked key stops at once."""

    def __init__(self, client: aioredis.Redis, server_key: bytes) -> None:
        self.client = client
        self.fernet = Fernet(server_key)

    async def get(self, key: str) -> ApiKey | None:
        if not is_well_formed(key):
            return None
        record = cast(dict[bytes, bytes], await self.client.hgetall(KEY_PREFIX + key))
        return parse_record(key, record, self.fernet)


def create_key(client: redis.Redis, server_key: bytes, account_id: int | None, permissions: frozenset[str]) -> ApiKey:
    """A new key pair for `account_id` (a fresh account when None), stored encrypted."""
    if account_id is None:
        account_id = int(client.incr(NEXT_ACCOUNT))
    else:  # accounts handed out later start above any named one
        client.eval(_RAISE_TO, 1, NEXT_ACCOUNT, account_id)
    key, secret = new_key_pair()
    api_key = ApiKey(key, secret, account_id, permissions)
    client.hset(KEY_PREFIX + key, mapping=key_record(api_key, Fernet(server_key), wall_clock_ms()))  # type: ignore[arg-type]
    return api_key


def revoke_key(client: redis.Redis, key: str) -> bool:
    return bool(client.delete(KEY_PREFIX + key))
