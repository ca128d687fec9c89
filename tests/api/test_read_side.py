"""The api's read side over a real event stream: listeners get each batch once, in seq order, after
the views applied it; a failing listener stops nothing; wait_for_seq is read-your-writes."""

import asyncio

import redis
import redis.asyncio as aioredis

from api.read_side import ReadSide
from matching.engine import Engine
from messages.events import Event
from streams.keys import ShardKeys
from tests.matching.random_commands import SPECS, random_commands
from tests.views.stream_writer import StreamWriter
from tests.views.test_follower import write_random


def genesis() -> Engine:
    return Engine(SPECS)


def test_listeners_see_every_batch_after_the_views(
    redis_server, redis_client: redis.Redis, shard_keys: ShardKeys
) -> None:  # type: ignore[no-untyped-def]
    writer = StreamWriter(redis_client, shard_keys, Engine(SPECS))
    before = write_random(writer, 21, 40)

    async def scenario() -> None:
        client = aioredis.Redis.from_url(redis_server.url)
        side = ReadSide(client, shard_keys, genesis=genesis)
        seen: list[Event] = []
        view_seq_at_call: list[int] = []

        def record(events: list[Event]) -> None:
            view_seq_at_call.append(side.view.last_seq)
            seen.extend(events)

        def broken(events: list[Event]) -> None:
            raise RuntimeError("a listener that fails")

        side.add_listener(broken)
        side.add_listener(record)
        await side.start()
        assert side.last_seq == before[-1].seq  # start() caught up before returning
        assert seen == before
        later = write_random(writer, 22, 60)
        assert await side.wait_for_seq(later[-1].seq, 10.0)
        assert seen == before + later
        assert [e.seq for e in seen] == list(range(1, len(seen) + 1))
        assert all(seq >= 1 for seq in view_seq_at_call)
        assert side.listener_errors >= 2
        assert not await side.wait_for_seq(side.last_seq + 1, 0.2)  # nothing comes: False in time
        waiting = asyncio.ensure_future(side.wait_for_seq(side.last_seq + 1, 10.0))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        write_random(writer, 23, 7)
        assert await waiting
        await side.stop()
        await client.aclose()

    asyncio.run(scenario())


def test_wait_for_account_waits_for_that_accounts_own_writes(
    redis_server, redis_client: redis.Redis, shard_keys: ShardKeys
) -> None:  # type: ignore[no-untyped-def]
    writer = StreamWriter(redis_client, shard_keys, Engine(SPECS))

    async def scenario() -> None:
        client = aioredis.Redis.from_url(redis_server.url)
        side = ReadSide(client, shard_keys, genesis=genesis)
        await side.start()
        assert await side.wait_for_account(7, 0.1)  # no writes of its own: nothing to wait for
        commands = random_commands(25, 7)
        events = [event for command in commands for event in writer.engine.apply(command)]
        side.note_write(7, events)  # the command's result is known before the stream has it
        assert not await side.wait_for_account(7, 0.1)
        assert await side.wait_for_account(8, 0.1)  # another account's write is not waited for
        writer.commands_applied += len(commands)
        writer.write(events)
        assert await side.wait_for_account(7, 10.0)
        assert side.last_seq == events[-1].seq
        await side.stop()
        await client.aclose()

    asyncio.run(scenario())
