"""The follower through a real Redis of its own, with everything that can happen to a reader: it is
killed and restarted at random points (from the newest snapshot), the stream is trimmed behind a
snapshot while it lags (a gap: it must resync, not skip), and the Redis server itself restarts.
After each of these its books equal the engine's, level by level, with the engine's update ids."""

import random
import time
from pathlib import Path

import redis

from matching.engine import Engine, EngineConfig
from streams.embedded import EmbeddedRedis
from streams.keys import ShardKeys
from tests.matching.random_commands import SPECS, CommandGenerator
from tests.views.agreement import assert_books_agree
from tests.views.stream_writer import StreamWriter
from views.exchange import ExchangeView
from views.follower import Follower


def new_follower(client: redis.Redis, keys: ShardKeys) -> tuple[Follower, ExchangeView]:
    view = ExchangeView()
    return Follower(client, keys, view, metrics=view.metrics, genesis=lambda: Engine(SPECS)), view


def catch_up_to(follower: Follower, seq: int, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while follower.last_seq < seq:
        follower.backoff.retry_at = 0.0  # no need to wait out the backoff in a test
        follower.catch_up()
        assert time.monotonic() < deadline, f"follower stuck at {follower.last_seq}, engine at {seq}"


def test_killed_restarted_trimmed_and_redis_restarted_the_follower_agrees(tmp_path: Path) -> None:
    keys = ShardKeys("agreement")
    rng = random.Random(2026)
    with EmbeddedRedis(tmp_path) as server:
        client = redis.Redis.from_url(server.url)
        engine = Engine(SPECS, config=EngineConfig(command_window=50, client_id_window=8))
        writer = StreamWriter(client, keys, engine)
        generator = CommandGenerator(7)
        follower, view = new_follower(client, keys)
        followers = [follower]
        kills = resyncs = restarts = 0
        for _ in range(400):
            writer.apply([generator.next(engine) for _ in range(rng.randint(1, 8))])
            roll = rng.random()
            if roll < 0.05:
                writer.snapshot()
            elif roll < 0.09:  # the reader dies and a new one starts, from the newest snapshot
                follower, view = new_follower(client, keys)
                followers.append(follower)
                kills += 1
            elif roll < 0.11 and client.exists(keys.snapshot):  # lagging, then the stream is trimmed
                writer.snapshot()
                writer.apply([generator.next(engine) for _ in range(5)])
                snapshot_seq = int(client.hget(keys.snapshot, "next_seq")) - 1
                if snapshot_seq > follower.last_seq + 1:
                    client.xtrim(keys.events, minid=f"{snapshot_seq + 1}-0", approximate=False)
                    resyncs += 1
            elif roll < 0.13:  # the Redis server restarts under both
                server.stop()
                assert follower.catch_up() == 0  # unreachable: counted, no crash
                server.start()
                restarts += 1  # the follower's client reconnects by itself
            if rng.random() < 0.5:
                catch_up_to(follower, engine.next_seq - 1)
                assert_books_agree(view, engine)
        catch_up_to(follower, engine.next_seq - 1)
        assert_books_agree(view, engine)
        assert kills and resyncs and restarts
        assert sum(f.metrics.resyncs._value.get() for f in followers) >= 1  # a gap met, and resynced
        assert sum(f.metrics.reconnects._value.get() for f in followers) >= restarts
        client.close()
