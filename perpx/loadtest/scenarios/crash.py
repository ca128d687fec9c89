"""crash: leveraged traders (bots.leveraged) hold high-leverage longs in the first traded market,
then its underlying's oracle price is pushed 30% down through the admin API (/perpx/v1/admin/price),
and again every 2 s so that the posted price stays fresh, until the run ends. The mark follows
(bounded per update); the longs are liquidated and, where the insurance fund cannot take a position
over, the most profitable shorts (the makers', the traders') are deleveraged.

The posted price must be the price: the oracle's other sources outvote a lone admin quote, so the
exchange runs with `perpx up --oracle-config perpx/loadtest/crash_oracle.toml` (the admin source
weighted 100). The findings say whether the index really fell, how many liquidations the market
streams showed (`!forceOrder@arr`) and what the accounts' own streams said (ACCOUNT_UPDATE reasons).
"""

import asyncio
import contextlib
from decimal import Decimal

import httpx

from bots.errors import ApiError
from bots.leveraged import LeveragedConfig, LeveragedTrader
from bots.market_stream import MarketStream
from bots.rest import RestClient
from perpx.loadtest.accounts import Credentials
from perpx.loadtest.run import Run
from perpx.loadtest.scenarios.base import Scenario
from perpx.loadtest.user_streams import UserStreams

CRASH = Decimal("0.70")  # the price after the crash, as a share of the price before
REPOST_S = 2.0
LEVERAGED = 4
LEVERAGED_USDC = Decimal(200)  # 95% of it as margin at the highest leverage: a position the makers' book can fill


class Crash(Scenario):
    name = "crash"

    def __init__(self, run: Run) -> None:
        super().__init__(run)
        self.credentials: list[Credentials] = []
        self.bots: list[LeveragedTrader] = []
        self.clients: list[RestClient] = []
        self.force_orders = 0
        self.force_task: asyncio.Task[None] | None = None
        self.user_streams: UserStreams | None = None
        self.index_before: Decimal | None = None
        self.index_after: Decimal | None = None
        self.mark_lowest: Decimal | None = None  # the lowest mark the traders priced from after the crash

    @property
    def symbol(self) -> str:
        return self.run.symbols[0]

    def crash_at_s(self) -> float:
        options = self.run.options
        return (options.duration_s / 3) if options.duration_s is not None else 3.0

    async def prepare(self) -> None:
        run = self.run
        self.credentials = await run.accounts.funded(LEVERAGED, LEVERAGED_USDC)
        rules = run.marks.rules[self.symbol]
        for credentials in self.credentials:
            client = RestClient(run.options.url, credentials.key, credentials.secret)
            self.clients.append(client)
            config = LeveragedConfig(self.symbol, "BUY", margin_pct=95, check_s=0.5, reopen_after_s=None)
            self.bots.append(LeveragedTrader(config, rules, client))
        await asyncio.gather(*(bot.start() for bot in self.bots))
        makers = run.makers.credentials if run.makers is not None else []
        self.user_streams = UserStreams(
            run.options.url, [*self.credentials, *(t.credentials for t in run.traders), *makers]
        )
        await self.user_streams.open()
        self.force_task = asyncio.create_task(self.count_force_orders())
        for _ in range(40):  # up to 10 s for the longs to open
            if all(bot.position > 0 for bot in self.bots):
                break
            await asyncio.sleep(0.25)

    async def count_force_orders(self) -> None:
        async with MarketStream(self.run.options.url, ["!forceOrder@arr"]) as stream:
            async for _ in stream.messages():
                self.force_orders += 1

    async def during(self) -> None:
        run = self.run
        await asyncio.sleep(max(0.0, self.crash_at_s() - run.clock.now_s()))
        underlying = run.marks.rules[self.symbol].underlying
        index = Decimal((await run.public.premium_index(self.symbol))["indexPrice"])
        self.index_before = index
        crashed = run.marks.rules[self.symbol].price_down(index * CRASH)
        run.mark_event(f"{underlying} -30%")
        while not run.stop.is_set():
            with contextlib.suppress(ApiError, httpx.TransportError):
                await run.accounts.admin.push_price(underlying, crashed)
            mark = run.marks.marks.get(self.symbol)
            if mark is not None and (self.mark_lowest is None or mark < self.mark_lowest):
                self.mark_lowest = mark
            await asyncio.sleep(REPOST_S)

    async def finish(self) -> dict[str, object]:
        with contextlib.suppress(ApiError, httpx.TransportError):
            self.index_after = Decimal((await self.run.public.premium_index(self.symbol))["indexPrice"])
        applied = (
            self.index_before is not None
            and self.index_after is not None
            and self.index_after <= self.index_before * Decimal("0.75")
        )
        reasons = dict(self.user_streams.reasons) if self.user_streams is not None else {}
        return {
            "market": self.symbol,
            "index_before": str(self.index_before),
            "index_after": str(self.index_after),
            "mark_lowest": str(self.mark_lowest),
            "crash_applied": applied,
            "leveraged_traders": len(self.bots),
            "leveraged_opened": sum(1 for bot in self.bots if bot.stats.fills),
            "leveraged_liquidated": sum(1 for bot in self.bots if bot.liquidations),
            "force_orders_seen": self.force_orders,
            "account_updates_by_reason": reasons,
            "ok": applied,
        }

    async def close(self) -> None:
        await asyncio.gather(*(bot.stop() for bot in self.bots))
        for client in self.clients:
            await client.close()
        if self.force_task is not None:
            self.force_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.force_task
        if self.user_streams is not None:
            await self.user_streams.close()
