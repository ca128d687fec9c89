"""M market makers over REST: each maker account runs the bots' Maker (bots.maker) on every traded
market, cancel-and-replace ladders around the mark through batchOrders, as the demo's makers do."""

import asyncio

from bots.maker import Maker, MakerConfig
from bots.rest import RestClient
from perpx.loadtest.accounts import Credentials
from perpx.loadtest.marks import Marks


class Makers:
    def __init__(self, url: str, credentials: list[Credentials], symbols: list[str], marks: Marks) -> None:
        self.credentials = credentials
        self.clients = [RestClient(url, c.key, c.secret, max_connections=4) for c in credentials]
        self.bots = [
            Maker(MakerConfig(symbol, seed=i * 1_000 + j), marks.rules[symbol], client)
            for i, client in enumerate(self.clients)
            for j, symbol in enumerate(symbols)
        ]
        self.stopped = False

    async def start(self) -> None:
        await asyncio.gather(*(bot.start() for bot in self.bots))

    async def stop(self) -> None:
        """Stop quoting and cancel the makers' orders (once, however often called)."""
        if self.stopped:
            return
        self.stopped = True
        await asyncio.gather(*(bot.stop() for bot in self.bots))
        await asyncio.gather(*(client.close() for client in self.clients))

    def summary(self) -> dict[str, object]:
        errors: dict[str, int] = {}
        for bot in self.bots:
            for code, count in bot.stats.errors.items():
                errors[code] = errors.get(code, 0) + count
        return {
            "bots": len(self.bots),
            "refreshes": sum(b.stats.steps for b in self.bots),
            "orders_placed": sum(b.stats.orders_placed for b in self.bots),
            "orders_canceled": sum(b.stats.orders_canceled for b in self.bots),
            "errors": dict(sorted(errors.items())),
        }
