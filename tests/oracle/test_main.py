"""`perpx oracle` wired to a real Redis and a real engine service: prices reach the engine, the
books come back from the event stream, a corporate action is sent once across restarts."""

import asyncio
from pathlib import Path

import redis

from messages.codec import decode_command
from messages.commands import CashDividend, Command, PlaceOrder, PriceUpdate
from messages.enums import PriceSource, Side
from oracle.clock import SteppedClock
from oracle.main import serve
from oracle.status import decode_pending_actions, decode_status, pending_actions_key, status_key
from streams.client import append_command
from streams.embedded import EmbeddedRedis
from streams.keys import ShardKeys
from tests.engine_service.service_thread import running_service, wait_until_covered
from tests.oracle.conftest import ms

TUESDAY_10 = ms("2026-11-24T10:00-05:00")


class StepsThenStop(SteppedClock):
    def __init__(self, start_ms: int, steps: int, stop: asyncio.Event) -> None:
        super().__init__(start_ms)
        self.steps_left, self.stop = steps, stop

    async def sleep_until_ms(self, ts_ms: int) -> None:
        await super().sleep_until_ms(ts_ms)
        self.steps_left -= 1
        if self.steps_left <= 0:
            self.stop.set()


def commands(client: redis.Redis, keys: ShardKeys) -> list[Command]:
    return [decode_command(fields[b"c"]) for _, fields in client.xrange(keys.commands) if b"c" in fields]


async def run_oracle(url: str, keys: ShardKeys, actions: Path, steps: int) -> None:
    stop = asyncio.Event()
    service = await serve(url, keys, stop, actions_path=actions, clock=StepsThenStop(TUESDAY_10, steps, stop))
    assert service.metrics.total("fetch_failed") == 0


async def test_prices_reach_the_engine_and_the_book_comes_back(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, shard_keys: ShardKeys, tmp_path: Path
) -> None:
    actions = tmp_path / "actions.toml"
    actions.write_text(
        '[[cash_dividend]]\nid = "NVDA-q4"\nmarket = "NVDAUSDC"\n'
        'effective = "2026-11-24T00:00-05:00"\namount = "0.01"\n'
        '[[split]]\nid = "NVDA-2099"\nmarket = "NVDAUSDC"\neffective = "2099-01-05"\nratio = "2:1"\n'
    )
    with running_service(redis_server.url, shard_keys) as engine_service:
        for side, price_ticks in ((Side.BUY, 17_990), (Side.SELL, 18_010)):
            append_command(
                redis_client, shard_keys, PlaceOrder(f"mm-{side}", 0, 7, "NVDAUSDC", side, 200_000, price_ticks)
            )
        await run_oracle(redis_server.url, shard_keys, actions, steps=6)
        sent = commands(redis_client, shard_keys)
        updates = [c for c in sent if isinstance(c, PriceUpdate)]
        assert {u.market for u in updates} >= {"NVDAUSDC", "AAPLUSDC", "SPYUSDC"}
        assert all(u.index_source is PriceSource.EXTERNAL for u in updates)
        assert [c.command_id for c in sent if isinstance(c, CashDividend)] == ["ca:NVDA-q4"]

        status = decode_status(redis_client.hget(status_key(shard_keys), "NVDAUSDC"))  # type: ignore[arg-type]
        assert status.sources_used == ("sim",) and status.conf > 0 and not status.stale
        assert status.index_price_ticks == [u for u in updates if u.market == "NVDAUSDC"][-1].index_price_ticks
        # what is still to come is published for the api (the due dividend is gone from it)
        pending = decode_pending_actions(redis_client.get(pending_actions_key(shard_keys)))  # type: ignore[arg-type]
        assert [(a.action_id, a.kind, a.ratio_new, a.ratio_old) for a in pending] == [("NVDA-2099", "split", 2, 1)]

        # restarted, the oracle does not send the dividend again
        await run_oracle(redis_server.url, shard_keys, actions, steps=2)
        sent = commands(redis_client, shard_keys)
        assert sum(isinstance(c, CashDividend) for c in sent) == 1

        last_id = redis_client.xrevrange(shard_keys.commands, count=1)[0][0]
        wait_until_covered(engine_service, tuple(int(p) for p in last_id.decode().split("-")))  # type: ignore[arg-type]
        nvda = engine_service.engine.markets["NVDAUSDC"]
        last_nvda = [u for u in sent if isinstance(u, PriceUpdate) and u.market == "NVDAUSDC"][-1]
        assert nvda.index_price_ticks == last_nvda.index_price_ticks
        assert nvda.mark_price_ticks == last_nvda.mark_price_ticks


async def test_the_view_book_reader_sees_the_engine_book(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, shard_keys: ShardKeys
) -> None:
    import redis.asyncio as aioredis

    from matching.markets import load_markets
    from oracle.book_view import ViewBookReader

    with running_service(redis_server.url, shard_keys) as engine_service:
        for i, (side, price_ticks) in enumerate([(Side.BUY, 17_990), (Side.SELL, 18_010), (Side.BUY, 17_980)]):
            append_command(redis_client, shard_keys, PlaceOrder(f"o{i}", 0, 7, "NVDAUSDC", side, 100_000, price_ticks))
        append_command(redis_client, shard_keys, PlaceOrder("take", 0, 8, "NVDAUSDC", Side.SELL, 50_000, 17_990))
        last_id = redis_client.xrevrange(shard_keys.commands, count=1)[0][0]
        wait_until_covered(engine_service, tuple(int(p) for p in last_id.decode().split("-")))  # type: ignore[arg-type]
        client = aioredis.from_url(redis_server.url)
        reader = ViewBookReader(client, shard_keys, load_markets())
        await reader.refresh()
        top = await reader.book_top("NVDAUSDC")
        await client.aclose()
    engine_market = engine_service.engine.markets["NVDAUSDC"]
    assert (top.best_bid_ticks, top.best_ask_ticks, top.last_trade_ticks) == (17_990, 18_010, 17_990)
    assert top.best_bid_ticks == engine_market.book.best_bid_ticks
    assert top.impact_bid_ticks == engine_market.book.impact_price_ticks(
        False, engine_market.spec.impact_notional_micro, engine_market.micro_per_tick_lot
    )


async def test_the_view_book_reader_starts_from_a_snapshot_with_resting_orders(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, shard_keys: ShardKeys
) -> None:
    """The crash of issue 13: a reader seeded from a snapshot that holds resting orders (stored as
    rows) reads them with the engine's own loader; the events before the snapshot may be gone."""
    import redis.asyncio as aioredis

    from matching.markets import load_markets
    from oracle.book_view import ViewBookReader

    with running_service(redis_server.url, shard_keys) as engine_service:
        for i, (side, price_ticks) in enumerate([(Side.BUY, 17_990), (Side.SELL, 18_010)]):
            append_command(redis_client, shard_keys, PlaceOrder(f"o{i}", 0, 7, "NVDAUSDC", side, 100_000, price_ticks))
        append_command(redis_client, shard_keys, PlaceOrder("take", 0, 8, "NVDAUSDC", Side.SELL, 40_000, 17_990))
        last_id = redis_client.xrevrange(shard_keys.commands, count=1)[0][0]
        wait_until_covered(engine_service, tuple(int(p) for p in last_id.decode().split("-")))  # type: ignore[arg-type]
    engine_service.take_snapshot()
    engine_service.close()
    redis_client.delete(shard_keys.events)  # only the snapshot is left to tell the book
    client = aioredis.from_url(redis_server.url)
    reader = ViewBookReader(client, shard_keys, load_markets())
    await reader.refresh()
    top = await reader.book_top("NVDAUSDC")
    await client.aclose()
    assert (top.best_bid_ticks, top.best_ask_ticks, top.last_trade_ticks) == (17_990, 18_010, 17_990)
    engine_book = engine_service.engine.markets["NVDAUSDC"].book
    assert reader.view.books.must_get("NVDAUSDC").book.depth(5) == engine_book.depth(5)
