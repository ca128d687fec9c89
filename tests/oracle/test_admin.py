"""Admin instructions reach the service: halts, posted prices, scheduled corporate actions; and
unreadable or invalid ones are refused and counted, never fatal."""

import redis.asyncio as aioredis

from matching.engine import Engine
from messages.commands import Command, PriceUpdate, Split
from messages.enums import MarketSession, PriceSource
from oracle.admin import (
    Halt,
    ListInbox,
    PostPrice,
    RedisInbox,
    Resume,
    ScheduleCashDividend,
    ScheduleSplit,
    admin_stream,
    send_admin,
)
from oracle.book_view import EngineBookReader
from oracle.service import OracleService
from oracle.sessions import UsEquityCalendar
from streams.embedded import EmbeddedRedis
from streams.keys import ShardKeys
from tests.oracle.conftest import ms
from tests.oracle.harness import NVDA

TUESDAY_10 = ms("2026-11-24T10:00-05:00")


def service_with_inbox(calendar: UsEquityCalendar, inbox: ListInbox, sent: list[Command]) -> OracleService:
    async def publish(command: Command) -> None:
        sent.append(command)

    return OracleService([NVDA], [], calendar, publish, EngineBookReader(Engine([NVDA])), admin=inbox)


async def test_posted_prices_halts_and_schedules(calendar: UsEquityCalendar) -> None:
    inbox, sent = ListInbox(), []
    service = service_with_inbox(calendar, inbox, sent)
    inbox.put(PostPrice("NVDA", "180.25", TUESDAY_10))
    await service.step(TUESDAY_10)
    assert isinstance(sent[-1], PriceUpdate) and sent[-1].index_price_ticks == 18_025
    assert sent[-1].index_source is PriceSource.EXTERNAL

    inbox.put(Halt("NVDA"))
    inbox.put(ScheduleSplit("NVDA-2-1", "NVDAUSDC", "2026-11-24T10:00:05-05:00", "2:1"))
    inbox.put(PostPrice("NVDA", "0", TUESDAY_10 + 2_000))  # gated: a zero price never counts
    await service.step(TUESDAY_10 + 2_000)
    assert sent[-1].session is MarketSession.CLOSED  # type: ignore[union-attr]
    assert service.metrics.get("quote_rejected", "admin", "price_not_positive") == 1

    inbox.put(Resume("NVDA"))
    inbox.put(PostPrice("NVDA", "90.10", TUESDAY_10 + 5_000))
    published = await service.step(TUESDAY_10 + 5_000)
    assert isinstance(published[0], Split) and published[0].command_id == "ca:NVDA-2-1"
    assert isinstance(published[1], PriceUpdate) and published[1].index_price_ticks == 9_010
    assert published[1].session is MarketSession.REGULAR


async def test_invalid_instructions_are_refused(calendar: UsEquityCalendar) -> None:
    inbox, sent = ListInbox(), []
    service = service_with_inbox(calendar, inbox, sent)
    inbox.put(PostPrice("NVDA", "1e3", TUESDAY_10))
    inbox.put(ScheduleCashDividend("d", "NVDAUSDC", "2026-11-30", "0.0000001"))
    inbox.put(ScheduleSplit("s", "NVDAUSDC", "whenever", "2:1"))
    await service.step(TUESDAY_10)
    assert service.metrics.total("admin_refused") == 3
    assert service.corporate_actions.pending() == []
    assert sent == []


async def test_the_redis_inbox_reads_everything_once_and_survives_garbage(
    redis_server: EmbeddedRedis, shard_keys: ShardKeys
) -> None:
    client = aioredis.from_url(redis_server.url)
    await send_admin(client, shard_keys, Halt("NVDA"))
    await client.xadd(admin_stream(shard_keys), {"a": b'{"op": "explode"}'})
    await send_admin(client, shard_keys, PostPrice("NVDA", "180.25", 5))
    inbox = RedisInbox(client, shard_keys)
    ops = await inbox.take()
    assert ops[0] == Halt("NVDA") and ops[2] == PostPrice("NVDA", "180.25", 5)
    assert isinstance(ops[1], str)
    assert await inbox.take() == []
    await send_admin(client, shard_keys, Resume("NVDA"))
    assert await inbox.take() == [Resume("NVDA")]
    # a restarted oracle reads the stream from the start: the halt is not forgotten
    assert (await RedisInbox(client, shard_keys).take())[0] == Halt("NVDA")
    await client.aclose()
