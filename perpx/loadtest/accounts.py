"""The load test's own accounts: created, funded, and their keys revoked at the end.

Two ways in, as every perpx tool has: an admin key (`--admin-key/--admin-secret`), with which keys
are made by POST /perpx/v1/admin/apiKey and money by /perpx/v1/admin/deposit, so the exchange may be
anywhere; or the `--data-dir` of a running `perpx up` on this machine, where an admin key is made
directly in its Redis (as `perpx keys create --admin` does) and the rest goes the first way.
"""

import asyncio
import logging
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx

from api.key_store import create_key, revoke_key
from api.keys import permissions_for
from api.server_key import load_server_key
from bots.errors import ApiError
from bots.rest import RestClient
from streams.connection import connect

log = logging.getLogger("perpx.loadtest")


@dataclass(frozen=True)
class Credentials:
    account: int
    key: str
    secret: str


class Accounts:
    """Makes funded accounts through the admin API and remembers every key it made, to revoke them."""

    def __init__(self, url: str, admin: Credentials, usdc: str, local_data_dir: Path | None = None) -> None:
        self.admin = RestClient(url, admin.key, admin.secret, max_connections=8)
        self.admin_credentials = admin
        self.usdc = Decimal(usdc)
        self.local_data_dir = local_data_dir  # the admin key was made there: revoke it there too
        self.made: list[Credentials] = []

    async def funded(self, count: int, usdc: Decimal | None = None) -> list[Credentials]:
        """`count` new accounts, each with a trading key and `usdc` (default: --usdc) deposited."""
        made = await asyncio.gather(*(self._one(usdc or self.usdc) for _ in range(count)))
        self.made += made
        return list(made)

    async def _one(self, usdc: Decimal) -> Credentials:
        answer = await self.admin.signed("POST", "/perpx/v1/admin/apiKey")
        credentials = Credentials(int(answer["account"]), str(answer["apiKey"]), str(answer["secretKey"]))
        await self.admin.deposit(credentials.account, usdc)
        return credentials

    async def close(self) -> None:
        """Revoke every key made (the accounts and their money stay, as the history needs them)."""
        for credentials in self.made:
            try:
                await self.admin.signed("DELETE", "/perpx/v1/admin/apiKey", {"apiKey": credentials.key})
            except (ApiError, httpx.TransportError) as error:  # the figures matter more than a key
                log.warning("could not revoke the key of account %d: %s", credentials.account, error)
        await self.admin.close()
        if self.local_data_dir is not None:
            revoke_local_admin(self.local_data_dir, self.admin_credentials.key)


def local_admin(data_dir: Path) -> Credentials:
    """An admin key made in the Redis of the `perpx up` running over `data_dir`."""
    from perpx.exchange import exchange_redis

    with exchange_redis(data_dir) as (url, running):
        if not running:
            raise SystemExit(
                f"perpx loadtest: no running perpx up found for --data-dir {data_dir} (nor REDIS_URL); "
                "start one, or give --admin-key and --admin-secret"
            )
        client = connect(url)
        try:
            api_key = create_key(client, load_server_key(data_dir), 0, permissions_for(admin=True))
        finally:
            client.close()
    return Credentials(0, api_key.key, api_key.secret)


def revoke_local_admin(data_dir: Path, key: str) -> None:
    from perpx.exchange import exchange_redis

    with exchange_redis(data_dir) as (url, _):
        client = connect(url)
        try:
            revoke_key(client, key)
        finally:
            client.close()
