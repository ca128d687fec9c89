"""The WebSocket side of one api process: the fan-out, the limits, and the listen-key watch."""

import asyncio
import contextlib
import json
import logging

import redis.asyncio as aioredis

from api.routes.listen_key import listen_key_name
from api.ws.connection import Connection
from api.ws.guard import IpConnections
from api.ws.hub import Hub
from api.ws.settings import WsSettings
from streams.snapshots import wall_clock_ms
from views.accounts import AccountsView
from views.exchange import ExchangeView

log = logging.getLogger("perpx.api.ws")


class WsState:
    def __init__(
        self,
        view: ExchangeView,
        accounts: AccountsView,
        client: aioredis.Redis,
        settings: WsSettings,
        namespace: str,
    ) -> None:
        """`namespace`: whose connection counts these are (the api's limits namespace, else the shard)."""
        self.hub = Hub(view, accounts)
        self.redis = client
        self.settings = settings
        self.ips = IpConnections(client, settings.connections_per_ip, namespace, settings.ip_lease_s)
        self.private: set[Connection] = set()  # /private/ws connections: closed when their key lapses
        self.watch: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.hub.start()
        self.ips.start()
        self.watch = asyncio.create_task(self.watch_listen_keys(), name="ws-listen-keys")

    async def stop(self) -> None:
        await self.hub.stop()
        await self.ips.stop()
        if self.watch is not None:
            self.watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.watch

    async def watch_listen_keys(self) -> None:
        while True:
            await asyncio.sleep(self.settings.listen_key_check_s)
            try:
                await self.expire_lapsed()
            except Exception:
                log.exception("checking listen keys failed")

    async def expire_lapsed(self) -> None:
        """Each subscribed listen key no longer in Redis: listenKeyExpired to its subscribers, who
        are unsubscribed (a /private/ws connection is closed)."""
        for account_id, listen_key in list(self.hub.listen_keys.items()):
            if await self.redis.exists(listen_key_name(listen_key)):
                continue
            frame = json.dumps({"e": "listenKeyExpired", "E": wall_clock_ms(), "listenKey": listen_key})
            for connection in list(self.hub.accounts.get(account_id, ())):
                wrapped = (
                    json.dumps({"stream": listen_key, "data": json.loads(frame)}) if connection.combined else frame
                )
                self.hub.unsubscribe_user(connection, listen_key)
                if connection in self.private:
                    connection.close_soon(wrapped)
                else:
                    connection.offer(wrapped)
