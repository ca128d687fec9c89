"""The follower through the real Redis: every event once in seq order, from a snapshot or the
start; repeats skipped; a gap resyncs from a snapshot instead of being stepped over; an event a
view cannot use is counted, never a crash loop."""

import asyncio

import pytest
import redis
import redis.asyncio as aioredis

from matching.engine import Engine
from messages.codec import encode
from messages.events import Event
from streams.embedded import EmbeddedRedis
from streams.event_batch import entry_fields
from streams.keys import ShardKeys
from tests.matching.random_commands import SPECS, random_commands
from tests.views.stream_writer import StreamWriter
from views.follower import AsyncFollower, Follower


class RecordingView:
    """Remembers what it was seeded with and every event after, and fails on the events it is told to."""

    def __init__(self, fail_on: type | None = None) -> None:
        self.seeded_at: list[int] = []
        self.events: list[Event] = []
        self.fail_on = fail_on

    def seed(self, engine: Engine, last_seq: int) -> None:
        self.seeded_at.append(last_seq)
        self.events = []

    def apply(self, event: Event) -> None:
        if self.fail_on is not None and isinstance(event, self.fail_on):
            raise ValueError("cannot use it")
        self.events.append(event)


def genesis() -> Engine:
    return Engine(SPECS)


def write_random(writer: StreamWriter, seed: int, n: int, per_entry: int = 7) -> list[Event]:
    commands = random_commands(seed, n)
    events: list[Event] = []
    for i in range(0, n, per_entry):
        events += writer.apply(commands[i : i + per_entry])
    return events


def test_catch_up_from_the_start_gives_every_event_once(redis_client: redis.Redis, shard_keys: ShardKeys) -> None:
    writer = StreamWriter(redis_client, shard_keys, Engine(SPECS))
    view = RecordingView()
    follower = Follower(redis_client, shard_keys, view, genesis=genesis, batch=5)
    written = write_random(writer, 1, 120)
    assert follower.catch_up() == len(written)
    more = write_random(writer, 2, 60)
    assert follower.catch_up() == len(more)
    assert [e.seq for e in view.events] == list(range(1, len(written) + len(more) + 1))
    assert view.events == written + more
    assert follower.catch_up() == 0
    assert view.seeded_at == [0]


def test_starts_from_the_newest_snapshot(redis_client: redis.Redis, shard_keys: ShardKeys) -> None:
    writer = StreamWriter(redis_client, shard_keys, Engine(SPECS))
    write_random(writer, 3, 100)
    writer.snapshot()
    later = write_random(writer, 4, 50)
    view = RecordingView()
    Follower(redis_client, shard_keys, view, genesis=genesis).catch_up()
    assert view.seeded_at == [later[0].seq - 1]
    assert view.events == later


def test_a_repeated_entry_is_skipped_by_seq(redis_client: redis.Redis, shard_keys: ShardKeys) -> None:
    writer = StreamWriter(redis_client, shard_keys, Engine(SPECS))
    events = write_random(writer, 5, 40)
    writer.write(events[-3:])  # the same events again, in a later entry
    after = write_random(writer, 6, 20)
    view = RecordingView()
    follower = Follower(redis_client, shard_keys, view, genesis=genesis)
    follower.catch_up()
    assert view.events == events + after
    assert follower.metrics.duplicates._value.get() == 3


def test_a_gap_resyncs_from_a_snapshot_never_skips(redis_client: redis.Redis, shard_keys: ShardKeys) -> None:
    engine = Engine(SPECS)
    writer = StreamWriter(redis_client, shard_keys, engine)
    first = write_random(writer, 7, 30)
    view = RecordingView()
    follower = Follower(redis_client, shard_keys, view, genesis=genesis)
    follower.catch_up()
    # events the stream never got: the follower must not step over them
    commands = random_commands(8, 40)
    lost = [e for c in commands[:20] for e in engine.apply(c)]
    assert lost
    writer.commands_applied += 20
    after_gap = writer.apply(commands[20:])
    assert follower.catch_up() == 0
    assert view.events == first  # stopped at the gap, nothing after it applied
    assert follower.metrics.gaps._value.get() == 1
    writer.snapshot()  # the engine's snapshot reaches past the gap
    follower.backoff.retry_at = 0  # (the backoff would otherwise wait 0.1 s)
    newest = writer.apply(random_commands(9, 10))
    follower.catch_up()
    assert view.seeded_at[-1] == after_gap[-1].seq
    assert view.events == newest
    assert follower.last_seq == newest[-1].seq


def test_an_event_the_view_cannot_use_is_counted_and_skipped(redis_client: redis.Redis, shard_keys: ShardKeys) -> None:
    from views.exchange import ExchangeView

    writer = StreamWriter(redis_client, shard_keys, Engine(SPECS))
    view = ExchangeView()

    def broken(event: Event) -> None:
        raise ValueError("broken")

    view.dispatch.setdefault(type(write_random(writer, 10, 30)[0]), []).append(("broken", broken))
    follower = Follower(redis_client, shard_keys, view, genesis=genesis, metrics=view.metrics)
    follower.catch_up()
    assert follower.last_seq == writer.engine.next_seq - 1
    assert sum(s.value for m in view.metrics.unusable.collect() for s in m.samples if s.name.endswith("_total")) > 0


def test_an_unknown_event_type_is_counted_and_stepped_over(redis_client: redis.Redis, shard_keys: ShardKeys) -> None:
    writer = StreamWriter(redis_client, shard_keys, Engine(SPECS))
    events = write_random(writer, 11, 20)
    last = events[-1].seq
    unknown = encode([["EventFromTheFuture", last + 1, "c", 0, 42], *events[:0]])
    redis_client.xadd(shard_keys.events, entry_fields(unknown, [], b"0-1"), id=f"{last + 1}-0")
    writer.entry_id = (last + 1, 0)
    writer.engine.next_seq = last + 2
    after = write_random(writer, 12, 20)
    view = RecordingView()
    follower = Follower(redis_client, shard_keys, view, genesis=genesis)
    follower.catch_up()
    assert view.events == events + after
    assert follower.metrics.unusable.labels("decoder", "EventFromTheFuture")._value.get() == 1


def test_the_async_follower_tails_and_survives_a_redis_restart(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A Redis server of its own (the shared one must not be disturbed), restarted under the follower."""
    keys = ShardKeys("restart")

    async def scenario(server: EmbeddedRedis) -> None:
        sync_client = redis.Redis.from_url(server.url)
        writer = StreamWriter(sync_client, keys, Engine(SPECS))
        client = aioredis.Redis.from_url(server.url)
        view = RecordingView()
        follower = AsyncFollower(client, keys, view, genesis=genesis)
        follower.start()
        first = write_random(writer, 13, 50)
        await wait_for(lambda: follower.last_seq == first[-1].seq)
        server.stop()
        await asyncio.sleep(0.5)
        server.start()
        sync_client = redis.Redis.from_url(server.url)
        writer.client = sync_client
        second = write_random(writer, 14, 50)
        await wait_for(lambda: follower.last_seq == second[-1].seq, timeout_s=20)
        await follower.stop()
        assert view.events == first + second
        assert view.seeded_at == [0]
        assert follower.metrics.reconnects._value.get() >= 1
        await client.aclose()

    with EmbeddedRedis(tmp_path) as server:
        asyncio.run(scenario(server))


async def wait_for(condition, timeout_s: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        if loop.time() > deadline:
            pytest.fail("condition not reached")
        await asyncio.sleep(0.02)


def test_listeners_hear_each_applied_entry_and_each_seed(redis_client: redis.Redis, shard_keys: ShardKeys) -> None:
    writer = StreamWriter(redis_client, shard_keys, Engine(SPECS))
    view = RecordingView()
    follower = Follower(redis_client, shard_keys, view, genesis=genesis)
    heard: list[list[Event]] = []
    seeds: list[int] = []
    follower.core.listeners.append(heard.append)
    follower.core.seed_listeners.append(seeds.append)
    written = write_random(writer, 15, 30, per_entry=5)
    follower.catch_up()
    assert [e for batch in heard for e in batch] == written
    assert seeds == [0]


def test_an_unreadable_snapshot_past_a_gap_starts_over_and_waits(
    redis_client: redis.Redis, shard_keys: ShardKeys
) -> None:
    writer = StreamWriter(redis_client, shard_keys, Engine(SPECS))
    write_random(writer, 16, 30)
    third = redis_client.xrange(shard_keys.events)[2][0]
    redis_client.xtrim(shard_keys.events, minid=third, approximate=False)  # the first events are gone
    redis_client.hset(
        shard_keys.snapshot,
        mapping={"data": b"not a snapshot", "covers": "1-0", "next_seq": 40, "state_hash": "", "taken_ms": 0},
    )
    view = RecordingView()
    follower = Follower(redis_client, shard_keys, view, genesis=genesis)
    assert follower.catch_up() == 0  # no loop: a gap, a snapshot it cannot read: it waits
    assert follower.backoff.waiting()
    assert follower.metrics.gaps._value.get() >= 1


def test_the_blocking_run_follows_until_stopped(redis_client: redis.Redis, shard_keys: ShardKeys) -> None:
    import threading
    import time

    writer = StreamWriter(redis_client, shard_keys, Engine(SPECS))
    view = RecordingView()
    follower = Follower(redis_client, shard_keys, view, genesis=genesis)
    stop = threading.Event()
    thread = threading.Thread(target=follower.run, args=(stop.is_set, 50), daemon=True)
    thread.start()
    written = write_random(writer, 17, 40)
    deadline = time.monotonic() + 10
    while follower.last_seq < written[-1].seq:
        assert time.monotonic() < deadline, "the blocking follower never caught up"
        time.sleep(0.02)
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
    assert view.events == written
