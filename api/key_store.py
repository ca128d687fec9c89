"""Where API keys live: the async store the api reads, and the sync one `perpx keys` writes."""

import asyncio
import contextlib
import logging
import time
from typing import cast

import redis
import redis.asyncio as aioredis
from cryptography.fernet import Fernet

from api.keys import KEY_PREFIX, NEXT_ACCOUNT, ApiKey, is_well_formed, key_record, new_key_pair, parse_record
from streams.snapshots import wall_clock_ms

log = logging.getLogger("perpx.api.keys")
CACHE_S = 2.0  # how long a verified key record is kept in an api process's memory
MAX_CACHED = 100_000
REVOKED_CHANNEL = "perpx:api:key_revoked"  # pub/sub: the key just revoked, for every api process

_RAISE_TO = (
    "if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end"
)


class KeyStore:
    """Reads keys for the api, keeping each verified record in memory briefly.

    A record's HGETALL and Fernet decryption cost more than the rest of a signed request's checks,
    so a key found is kept for at most `cache_s`. A revocation (`revoke_key`) is announced on
    REVOKED_CHANNEL, which `listen()` follows in every api process: the key is dropped from the
    cache at once. While that subscription is down nothing is cached (every request reads Redis),
    and a record read while a revocation came in is not cached (a generation count says so). A
    record deleted behind revoke_key's back (a raw DEL) still works here for up to `cache_s`.
    """

    def __init__(self, client: aioredis.Redis, server_key: bytes, cache_s: float = CACHE_S) -> None:
        self.client = client
        self.fernet = Fernet(server_key)
        self.cache_s = cache_s
        self.cache: dict[str, tuple[float, ApiKey]] = {}  # key -> (valid until, monotonic; the key)
        self.listening = False
        self.generation = 0  # revocations seen (and resubscriptions): a read across one is not cached

    async def get(self, key: str) -> ApiKey | None:
        if not is_well_formed(key):
            return None
        hit = self.cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        generation = self.generation
        record = cast(dict[bytes, bytes], await self.client.hgetall(KEY_PREFIX + key))
        api_key = parse_record(key, record, self.fernet)
        if api_key is not None and self.listening and self.generation == generation and self.cache_s > 0:
            if len(self.cache) >= MAX_CACHED:
                self.cache.clear()
            self.cache[key] = (time.monotonic() + self.cache_s, api_key)
        return api_key

    def forget(self, key: str) -> None:
        self.generation += 1
        self.cache.pop(key, None)

    async def listen(self) -> None:
        """Follow REVOKED_CHANNEL until cancelled, resubscribing after a failure (nothing cached meanwhile)."""
        while True:
            pubsub = self.client.pubsub()
            try:
                await pubsub.subscribe(REVOKED_CHANNEL)
                while True:
                    message = await pubsub.get_message(timeout=None)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        self.listening = True
                    elif message["type"] == "message":
                        self.forget(message["data"].decode())
            except (redis.RedisError, OSError) as exc:
                log.warning("key revocations unheard (%s): no key cached until resubscribed", exc)
            finally:
                self.listening = False
                self.generation += 1
                self.cache.clear()
                with contextlib.suppress(Exception):
                    await asyncio.shield(pubsub.aclose())
            await asyncio.sleep(1)

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
        """As revoke_key: delete, drop it here, and tell every api process to drop it from its cache."""
        if not is_well_formed(key):
            return False
        deleted = bool(await self.client.delete(KEY_PREFIX + key))
        self.forget(key)
        await self.client.publish(REVOKED_CHANNEL, key)
        return deleted


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
    """Delete the key, then tell every api process to drop it from its cache."""
    deleted = bool(client.delete(KEY_PREFIX + key))
    client.publish(REVOKED_CHANNEL, key)
    return deleted
