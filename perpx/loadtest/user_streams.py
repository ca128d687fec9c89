"""The user data streams of the load test's accounts (a listenKey each, `/ws/<listenKey>`), read
only to count what happened to them: ACCOUNT_UPDATE by reason (LIQUIDATION, AUTO_DELEVERAGE ...)."""

import asyncio
import contextlib
from collections import Counter
from typing import Any

import msgspec
import websockets

from bots.rest import RestClient
from bots.ws_api import ws_base
from perpx.loadtest.accounts import Credentials


class UserStreams:
    def __init__(self, url: str, accounts: list[Credentials]) -> None:
        self.url = url
        self.accounts = accounts
        self.reasons: Counter[str] = Counter()  # ACCOUNT_UPDATE reasons over every account
        self.sockets: list[Any] = []
        self.tasks: list[asyncio.Task[None]] = []

    async def open(self) -> None:
        for credentials in self.accounts:
            async with RestClient(self.url, credentials.key, credentials.secret) as rest:
                listen_key = (await rest.signed("POST", "/fapi/v1/listenKey"))["listenKey"]
            socket = await websockets.connect(f"{ws_base(self.url)}/ws/{listen_key}", max_size=None)
            self.sockets.append(socket)
            self.tasks.append(asyncio.create_task(self.read(socket)))

    async def read(self, socket: Any) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for frame in socket:
                message = msgspec.json.decode(frame)
                if isinstance(message, dict) and message.get("e") == "ACCOUNT_UPDATE":
                    self.reasons[str(message.get("a", {}).get("m", ""))] += 1

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        for socket in self.sockets:
            with contextlib.suppress(Exception):
                await socket.close()
