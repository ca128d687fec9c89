"""After the run: cancel every order the load test's accounts left open, then ask again to be sure.

Over REST, per account and market (DELETE /fapi/v1/allOpenOrders), a few accounts at once; then
GET /fapi/v1/openOrders per account, whose total is what the run reports as left (it must be 0).
"""

import asyncio

import httpx

from bots.errors import ApiError
from bots.rest import RestClient
from perpx.loadtest.accounts import Credentials

AT_ONCE = 8
ATTEMPTS = 5


async def cancel_everything(url: str, accounts: list[Credentials], symbols: list[str]) -> int:
    """Orders still open after the clean-up, over all `accounts` (-1 for an account that could not
    be asked)."""
    gate = asyncio.Semaphore(AT_ONCE)

    async def one(credentials: Credentials) -> int:
        async with gate, RestClient(url, credentials.key, credentials.secret, max_connections=2) as rest:
            for _ in range(ATTEMPTS):  # an engine that was just killed answers after its restart
                try:
                    for symbol in symbols:
                        await rest.cancel_all(symbol)
                    return len(await rest.open_orders())
                except (ApiError, httpx.TransportError):
                    await asyncio.sleep(1.0)
            return -1

    counts = await asyncio.gather(*(one(c) for c in accounts))
    return -1 if -1 in counts else sum(counts)
