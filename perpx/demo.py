"""`perpx demo` (`perpx up --demo`): the exchange with bots trading on it, so that it moves at once.

The bots run as one more supervised service, `perpx demo-bots`, started after the api: a market
maker on every market (every other one over the WebSocket API, the rest over REST), two takers
(one over each) and one leveraged trader. They speak the public API only (bots/); their accounts
and keys are made here, in perpx, where keys are made: demo keys of their own (perpx.demo_keys,
a separate list from the two keys printed for people), funded once by Deposit commands.

Each maker quotes around the index plus its own view: a standing lean of 10 to 30 bps (past the 5 bps
within which funding is just the interest rate) and a mean-reverting random walk around it. So
books, trades and candles move even when no external price does, the predicted funding rate moves
with each premium sample, and off-hours the oracle's internal index follows the book (slowly: an
average over minutes).
"""

import argparse
import asyncio
import contextlib
import logging
import os
import random
import signal
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from api.keys import ApiKey
from bots.bot import Bot
from bots.ladder import LadderShape
from bots.leveraged import LeveragedConfig, LeveragedTrader
from bots.maker import Maker, MakerConfig, Transport
from bots.markets import MarketRules, markets_of
from bots.rest import RestClient
from bots.taker import Taker, TakerConfig
from bots.ws_api import WsApiClient
from ops.logs import setup_logging

log = logging.getLogger("perpx.demo")

# every bot speaks from 127.0.0.1: the api's per-IP weight budget is raised for the demo
DEMO_LIMITS = "ip_weight_per_minute=600000,key_weight_per_minute=600000"
TAKERS = 2
MAKER_USDC = 1_000_000
TAKER_USDC = 200_000
LEVERAGED_USDC = 1_000
SUMMARY_EVERY_S = 30.0


@dataclass(frozen=True)
class DemoAccounts:
    makers: list[ApiKey]  # one per market, in the order of exchangeInfo
    takers: list[ApiKey]
    leveraged: ApiKey


def add_demo_bots_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = commands.add_parser(
        "demo-bots",
        help="the demo's bots (run by `perpx demo`): makers on every market, takers, a leveraged trader",
    )
    parser.add_argument("--api-url", required=True, help="the exchange's REST API, e.g. http://127.0.0.1:8000")
    parser.add_argument("--data-dir", type=Path, default=None, help="where the server key is (default PERPX_DATA_DIR)")
    parser.add_argument("--maker-refresh-s", type=float, default=1.0, help="how often each maker requotes")
    parser.add_argument("--taker-rate", type=float, default=2.0, help="orders a second of each taker")
    parser.set_defaults(run=run_demo_bots)


def run_demo_bots(args: argparse.Namespace) -> int:
    from api.server_key import load_server_key
    from streams.connection import DEFAULT_DATA_DIR, must_get_redis_url

    setup_logging()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    data_dir = args.data_dir or Path(os.environ.get("PERPX_DATA_DIR") or DEFAULT_DATA_DIR)
    redis_url = must_get_redis_url()
    server_key = load_server_key(data_dir)
    return asyncio.run(demo(args.api_url, redis_url, server_key, args.maker_refresh_s, args.taker_rate))


async def demo(api_url: str, redis_url: str, server_key: bytes, maker_refresh_s: float, taker_rate: float) -> int:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    async with RestClient(api_url) as public:
        markets = await wait_for_markets(public, stopping)
    if markets is None:
        return 0
    accounts = await asyncio.to_thread(demo_accounts, redis_url, server_key, len(markets))
    await fund_accounts(redis_url, accounts)
    log.info("demo bots: %d makers, %d takers, 1 leveraged trader at %s", len(markets), TAKERS, api_url)
    bots, clients = build_bots(api_url, markets, accounts, maker_refresh_s, taker_rate)
    started: list[Bot] = []
    try:
        for bot in bots:
            await bot.start()
            started.append(bot)
        while not stopping.is_set():
            try:
                await asyncio.wait_for(stopping.wait(), SUMMARY_EVERY_S)
            except TimeoutError:
                log.info("demo bots: %s", summary(started))
    finally:
        log.info("demo bots stopping: canceling their orders")
        await asyncio.gather(*(bot.stop() for bot in started), return_exceptions=True)
        for client in clients:
            await client.close()
        log.info("demo bots stopped: %s", summary(started))
    return 0


async def wait_for_markets(public: RestClient, stopping: asyncio.Event) -> list[MarketRules] | None:
    """The markets once the api answers (it binds its port after its views caught up)."""
    while not stopping.is_set():
        try:
            return sorted(markets_of(await public.exchange_info()).values(), key=lambda m: m.symbol)
        except Exception as error:
            log.debug("the api is not answering yet: %s", error)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), 0.5)
    return None


def demo_accounts(redis_url: str, server_key: bytes, makers: int) -> DemoAccounts:
    from perpx.demo_keys import BOT_KEYS, ensure_demo_keys
    from streams.connection import connect

    client = connect(redis_url)
    try:
        keys = ensure_demo_keys(client, server_key, makers + TAKERS + 1, BOT_KEYS)
    finally:
        client.close()
    # the leveraged trader and the takers first, so that a market listed later only adds a maker
    return DemoAccounts(makers=keys[TAKERS + 1 :], takers=keys[1 : TAKERS + 1], leveraged=keys[0])


async def fund_accounts(redis_url: str, accounts: DemoAccounts) -> None:
    from perpx.demo_keys import fund
    from streams.keys import ShardKeys

    for keys, usdc in (
        (accounts.makers, MAKER_USDC),
        (accounts.takers, TAKER_USDC),
        ([accounts.leveraged], LEVERAGED_USDC),
    ):
        await fund(redis_url, ShardKeys(), [k.account_id for k in keys], usdc=usdc)


def build_bots(
    api_url: str, markets: list[MarketRules], accounts: DemoAccounts, maker_refresh_s: float, taker_rate: float
) -> tuple[list[Bot], list[RestClient | WsApiClient]]:
    clients: list[RestClient | WsApiClient] = []

    def rest_of(key: ApiKey) -> RestClient:
        client = RestClient(api_url, key.key, key.secret)
        clients.append(client)
        return client

    def ws_of(key: ApiKey) -> WsApiClient:
        client = WsApiClient(api_url, key.key, key.secret)
        clients.append(client)
        return client

    bots: list[Bot] = []
    # 20,000 USDC a side: more than the 10,000 impact notional that funding and the internal index read
    shape = LadderShape(levels=5, first_bps=5, spacing_bps=5, level_notional=Decimal(4000))
    seed = time.time_ns()
    for i, (rules, key) in enumerate(zip(markets, accounts.makers, strict=False)):
        transport: Transport = "ws" if i % 2 else "rest"
        config = MakerConfig(
            rules.symbol,
            shape,
            maker_refresh_s,
            transport,
            reference="index",  # quoting the index plus its own view: the premium that funding samples
            bias_bps=bias_of(seed + i),
            wander_bps=8,
            max_wander_bps=80,
            requote_bps=4,
            seed=seed + i,
        )
        bots.append(Maker(config, rules, rest_of(key), ws_of(key) if transport == "ws" else None))
    by_symbol = {m.symbol: m for m in markets}
    symbols = tuple(by_symbol)
    for i, key in enumerate(accounts.takers):
        transport = "ws" if i % 2 else "rest"
        taking = TakerConfig(symbols, taker_rate, Decimal(1000), transport=transport, seed=seed + 1000 + i)
        bots.append(Taker(taking, by_symbol, rest_of(key), ws_of(key) if transport == "ws" else None))
    if markets:
        leveraged = LeveragedConfig(markets[0].symbol, reopen_after_s=30.0)
        bots.append(LeveragedTrader(leveraged, markets[0], rest_of(accounts.leveraged)))
    return bots, clients


def bias_of(seed: int) -> int:
    """A market's standing premium in the demo, 10 to 30 bps either way: past funding's 5 bps clamp
    around the interest rate, so that the predicted funding rate moves with every premium sample."""
    chooser = random.Random(seed)
    return chooser.choice((-1, 1)) * chooser.randint(10, 30)


def summary(bots: list[Bot]) -> str:
    placed = sum(b.stats.orders_placed for b in bots)
    fills = sum(b.stats.fills for b in bots)
    errors: dict[str, int] = {}
    for bot in bots:
        for kind, count in bot.stats.errors.items():
            errors[kind] = errors.get(kind, 0) + count
    running = sum(b.running for b in bots)
    return f"{running} running, {placed:,} orders placed, {fills:,} fills, errors {errors or 'none'}"
