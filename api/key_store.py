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

    async def create(self, account_id: int | None, permissions: frozenset[str]) -> ApiKey:
        """As create_key, for the admin endpoint: the same account numbering, the same record."""
        if account_id is None:
            account_id = int(await self.client.incr(NEXT_ACCOUNT))
        else:
            await self.client.eval(_RAISE_TO, 1, NEXT_ACCOUNT, str(account_id))
        api_key = _new_api_key(account_id, permissions)
        record = key_record(api_key, self.fernet, wall_clock_ms())
        await self.client.hset(KEY_PREFIX + api_key.key, mapping=record)  # type: ignore[arg-type]
        return api_key

    async def revoke(self, key: str) -> bool:
        return bool(await self.client.delete(KEY_PREFIX + key)) if is_well_formed(key) else False


def create_key(client: redis.Redis, server_key: bytes, account_id: int | None, permissions: frozenset[str]) -> ApiKey:
    """A new key pair for `account_id` (a fresh account when None), stored encrypted."""
    if account_id is None:
        account_id = int(client.incr(NEXT_ACCOUNT))
    else:  # accounts handed out later start above any named one
        client.eval(_RAISE_TO, 1, NEXT_ACCOUNT, account_id)
    api_key = _new_api_key(account_id, permissions)
    client.hset(KEY_PREFIX + api_key.key, mapping=key_record(api_key, Fernet(server_key), wall_clock_ms()))  # type: ignore[arg-type]
    return api_key


def _new_api_key(account_id: int, permissions: frozenset[str]) -> ApiKey:
    key, secret = new_key_pair()
    return ApiKey(key, secret, account_id, permissions)


def revoke_key(client: redis.Redis, key: str) -> bool:
    return bool(client.delete(KEY_PREFIX + key))
