"""The FastAPI app: one factory, the shared clients in `app.state`, weights and limits on every request.

Per process (each uvicorn worker runs its own lifespan): one Redis client, one CommandClient that
awaits the engine's events, the key store and the limiter (whose state is in Redis, shared by
every replica) and the read side (api.read_side: the views, kept current by one follower task), the
only exchange state an api process holds.
"""

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
from fastapi import FastAPI

from api.errors import install_error_handlers
from api.gateway import Gateway
from api.history import HistoryReader
from api.key_store import KeyStore
from api.limits import Limiter
from api.markets import MarketCatalog
from api.order_desk import OrderDesk
from api.read_side import ReadSide
from api.routes import (
    account,
    account_info,
    admin,
    demo,
    listen_key,
    market_data,
    order_reads,
    orders,
    public,
    session,
)
from api.settings import ApiSettings
from api.web import routes as web
from api.weights import WeightMiddleware
from api.ws import market_routes, ws_api
from api.ws.settings import WsSettings
from api.ws.state import WsState
from streams.client import CommandClient
from streams.keys import ShardKeys

DESCRIPTION = """perpx speaks Binance's USD-M futures REST API: point ccxt's `binanceusdm` or Binance's
`binance-futures-connector` at this base URL. Signed endpoints take HMAC-SHA256 signatures exactly as
Binance checks them; errors are `{"code": -NNNN, "msg": "..."}`. Decimal strings in and out."""


def quiet_gc() -> None:
    """Once the views are loaded: keep what exists now out of the cyclic collector's walks (it
    lives as long as the process) and collect young objects every 50,000 allocations instead
    of 700, so that a collection is rarely the pause behind an order's latency."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def create_app(settings: ApiSettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # requests wait for a free connection past the pool's size (redis-py's default pool refuses them)
        pool = aioredis.BlockingConnectionPool.from_url(settings.redis_url, max_connections=256, timeout=5)
        client = aioredis.Redis(connection_pool=pool)
        # the read side's follower feeds the command client: each event entry is read once
        commands = CommandClient(client, ShardKeys(settings.shard), settings.command_timeout_s, own_reader=False)
        app.state.settings = settings
        app.state.redis = client
        app.state.keys = keys = KeyStore(client, settings.server_key)
        revocations = asyncio.create_task(keys.listen(), name="key-revocations")
        app.state.limiter = Limiter(client, settings.limits, settings.limits_namespace or settings.shard)
        app.state.shard_keys = ShardKeys(settings.shard)
        history = HistoryReader(settings.history_db) if settings.history_db is not None else None
        read_side = ReadSide(client, ShardKeys(settings.shard), history=history)
        app.state.gateway = Gateway(commands, read_side.note_command)
        app.state.order_desk = OrderDesk(client, app.state.limiter, commands, ShardKeys(settings.shard))
        read_side.feed_results(commands)
        app.state.read_side = read_side
        app.state.markets = MarketCatalog(read_side.view.markets)
        await read_side.start()
        await commands.start()
        quiet_gc()
        ws = app.state.ws = WsState(
            read_side.view,
            read_side.accounts,
            client,
            WsSettings.from_env(),
            settings.limits_namespace or settings.shard,
        )
        read_side.add_listener(ws.hub.on_batch)  # no await since start: the hub seeds from the same view
        read_side.add_reseed_listener(ws.hub.reseed)
        ws.start()
        try:
            yield
        finally:
            await ws.stop()
            revocations.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await revocations
            await read_side.stop()
            if history is not None:
                history.close()
            await commands.stop()
            app.state.order_desk.close()
            await client.aclose()
            await pool.disconnect()

    app = FastAPI(title="perpx", version="1", description=DESCRIPTION, lifespan=lifespan)
    install_error_handlers(app)

    app.add_middleware(WeightMiddleware)
    routers = (public, market_data, session, orders, order_reads, account, account_info, listen_key, admin)
    for module in (*routers, market_routes, ws_api, web):
        app.include_router(module.router)
    if settings.demo:  # the local demo's key pairs for the page's picker: never outside `perpx up`'s demo
        app.include_router(demo.router)
    app.mount("/web", web.static_files(), name="web")
    return app
