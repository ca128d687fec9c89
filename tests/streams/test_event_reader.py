"""Tailing the event stream: every subscriber sees every event once, by seq."""

import asyncio

import msgspec
import pytest
import redis.asyncio as aioredis

from messages.codec import encode
from messages.enums import CancelReason
from messages.events import OrderCanceled
from streams.embedded import EmbeddedRedis
from streams.event_batch import entry_fields, skipped_by_reader
from streams.event_reader import EventHub, events_by_seq, last_entry_id, tail_events
from streams.stream_ids import ZERO


def canceled(seq: int) -> OrderCanceled:
    return OrderCanceled(seq, f"c{seq}", 0, 1, "AAPLUSDC", seq, "", 1, CancelReason.USER)


async def write_entry(client, keys, seqs: list[int], entry_id: str) -> None:
    events = [canceled(s) for s in seqs]
    await client.xadd(keys.events, entry_fields(encode(events) if events else None, [], b"1-0"), id=entry_id)


@pytest.fixture
async def aio(redis_server):
    client = aioredis.Redis.from_url(redis_server.url)
    yield client
    await client.aclose()


async def test_hub_fans_out_to_every_subscriber(aio, shard_keys):
    await write_entry(aio, shard_keys, [1, 2], "2-0")
    hub = EventHub(aio, shard_keys)
    first, second = hub.subscribe(), hub.subscribe()
    await hub.start()  # from the end: entry 2-0 is history
    await write_entry(aio, shard_keys, [3], "3-0")
    await write_entry(aio, shard_keys, [], "3-1")
    await write_entry(aio, shard_keys, [4, 5], "5-0")
    for queue in (first, second):
        batches = [await asyncio.wait_for(queue.get(), 5) for _ in range(3)]
        assert [[e.seq for e in b.events] for b in batches] == [[3], [], [4, 5]]
    await hub.stop()
    assert first.get_nowait() is None  # told that the hub stopped


async def test_a_slow_subscriber_is_dropped_not_waited_for(aio, shard_keys):
    hub = EventHub(aio, shard_keys, max_queue=2)
    slow, fast = hub.subscribe(), hub.subscribe()
    await hub.start(after=ZERO)
    for seq in range(1, 5):
        await write_entry(aio, shard_keys, [seq], f"{seq}-0")
    got = [await asyncio.wait_for(fast.get(), 5) for _ in range(2)]
    assert [b.events[0].seq for b in got] == [1, 2]
    while hub.position < (4, 0):
        await asyncio.sleep(0.01)
    assert [slow.get_nowait() for _ in range(3)][-1] is None
    assert slow not in hub.subscribers
    await hub.stop()


async def test_tail_never_hands_out_a_seq_twice(aio, shard_keys):
    await write_entry(aio, shard_keys, [1, 2, 3], "3-0")
    await write_entry(aio, shard_keys, [4], "4-0")
    tail = tail_events(aio, shard_keys, after=(2, 0), block_ms=50)  # resumes mid-entry: seqs 1-2 were seen
    first = await anext(tail)
    second = await anext(tail)
    await tail.aclose()
    assert [e.seq for e in first.events] == [3] and [e.seq for e in second.events] == [4]
    assert await last_entry_id(aio, shard_keys) == (4, 0)


async def test_events_by_seq_spans_entries(aio, shard_keys):
    await write_entry(aio, shard_keys, [1, 2], "2-0")
    await write_entry(aio, shard_keys, [], "2-1")
    await write_entry(aio, shard_keys, [3, 4, 5], "5-0")
    await write_entry(aio, shard_keys, [6], "6-0")
    assert [e.seq for e in await events_by_seq(aio, shard_keys, 2, 3)] == [2, 3, 4]
    assert [e.seq for e in await events_by_seq(aio, shard_keys, 6, 1)] == [6]
    assert await events_by_seq(aio, shard_keys, 7, 1) == []


async def test_the_hub_resumes_after_redis_comes_back(tmp_path, shard_keys):
    server = EmbeddedRedis(tmp_path, appendfsync="always").start()
    client = aioredis.Redis.from_url(server.url, socket_timeout=10)  # a read on a dead socket must not hang
    try:
        hub = EventHub(client, shard_keys)
        queue = hub.subscribe()
        await hub.start(after=ZERO)
        await write_entry(client, shard_keys, [1], "1-0")
        assert [e.seq for e in (await asyncio.wait_for(queue.get(), 5)).events] == [1]
        server.kill()
        await asyncio.sleep(0.3)  # the tail fails and waits
        server = EmbeddedRedis(tmp_path, port=server.port, appendfsync="always").start()
        await write_entry(client, shard_keys, [2], "2-0")
        assert [e.seq for e in (await asyncio.wait_for(queue.get(), 10)).events] == [2]
        await hub.stop()
    finally:
        await client.aclose()
        server.stop()


async def test_an_entry_that_does_not_decode_is_skipped_and_counted(aio, shard_keys):
    """A damaged entry, or one holding an event type this code does not know, is passed over: the
    reader goes on with the next entry instead of failing at the same entry on every restart."""
    skipped_before = skipped_by_reader.get("event tail", 0)
    await write_entry(aio, shard_keys, [1], "1-0")
    await aio.xadd(shard_keys.events, {"c": b"1-0", "e": b"\xc1 not msgpack"}, id="1-1")
    await aio.xadd(shard_keys.events, {"c": b"1-0", "e": msgspec.msgpack.encode([["NewEvent", 2, "x", 0]])}, id="2-0")
    await write_entry(aio, shard_keys, [3], "3-0")
    tail = tail_events(aio, shard_keys, ZERO, block_ms=100)
    seqs = [[e.seq for e in (await anext(tail)).events] for _ in range(2)]
    assert seqs == [[1], [3]]
    assert skipped_by_reader["event tail"] == skipped_before + 2
    assert [e.seq for e in await events_by_seq(aio, shard_keys, 1, 3)] == [1, 3]
