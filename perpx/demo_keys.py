"""Demo key pairs that `perpx up` prints in the local default setup: two funded accounts, marked demo;
and the accounts of the demo's bots (`perpx demo`), kept in a list of their own.

Created once per data directory (each list of demo keys is kept in Redis, their secrets encrypted
like every key's) and funded by Deposit commands with fixed ids, so a restart neither creates
new accounts nor deposits twice within the engine's idempotence window (and a marker keeps it
from depositing again after).
"""

import asyncio
import logging
from typing import cast

import redis
import redis.asyncio as aioredis
from cryptography.fernet import Fernet

from api.key_store import create_key
from api.keys import KEY_PREFIX, ApiKey, parse_record, permissions_for
from messages.commands import Deposit
from streams.client import CommandClient
from streams.keys import ShardKeys
from streams.snapshots import wall_clock_ms

log = logging.getLogger("perpx.up")
DEMO_KEYS = "perpx:api:demo_keys"  # list of the demo API keys
BOT_KEYS = "perpx:api:demo_bot_keys"  # list of the demo bots' API keys
FUNDED = "perpx:api:demo_funded"  # set of demo accounts already funded
DEMO_ACCOUNTS = 2
DEMO_USDC = 100_000


def ensure_demo_keys(
    client: redis.Redis, server_key: bytes, count: int = DEMO_ACCOUNTS, listed_in: str = DEMO_KEYS
) -> list[ApiKey]:
    """The first `count` keys of the list `listed_in`, created (each with a new account) if missing."""
    fernet = Fernet(server_key)
    found = [
        parse_record(k.decode(), cast(dict[bytes, bytes], client.hgetall(KEY_PREFIX + k.decode())), fernet)
        for k in cast(list[bytes], client.lrange(listed_in, 0, -1))
    ]
    keys = [k for k in found if k is not None]
    while len(keys) < count:
        api_key = create_key(client, server_key, None, permissions_for())
        client.rpush(listed_in, api_key.key)
        keys.append(api_key)
    return keys[:count]


async def fund(url: str, keys: ShardKeys, accounts: list[int], timeout_s: float = 60.0, usdc: int = DEMO_USDC) -> None:
    client = aioredis.Redis.from_url(url)
    try:
        async with CommandClient(client, keys, timeout_s=5.0) as commands:
            for account in accounts:
                if await client.sismember(FUNDED, str(account)):
                    continue
                command = Deposit(f"demo-deposit-{account}", wall_clock_ms(), account, usdc * 1_000_000)
                deadline = asyncio.get_running_loop().time() + timeout_s
                while True:  # the engine may still be starting: the same command id again is safe
                    try:
                        await commands.submit(command)
                        break
                    except TimeoutError:
                        if asyncio.get_running_loop().time() > deadline:
                            raise
                await client.sadd(FUNDED, str(account))
    finally:
        await client.aclose()


def print_demo_keys(keys: list[ApiKey], api_url: str) -> None:
    lines = [f"DEMO keys (local demo only, {DEMO_USDC:,} USDC each), REST at {api_url}:"]
    lines += [f"  DEMO account {k.account_id}: key {k.key} secret {k.secret}" for k in keys]
    print("\n".join(lines), flush=True)
