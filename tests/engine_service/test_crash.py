"""kill -9 of the engine (the margin kind, funded accounts, prices moving) and of Redis (the
matching kind), at random points of a run: the final state hash equals an
uninterrupted run's, every acknowledged command is applied, no event seq is repeated or missing.

The always-run size is 20,000 commands and 6 engine kills. The issue's size (100,000 commands, 25
kills, about a minute) runs when asked: `PERPX_FULL_CRASH_TEST=1 pytest tests/engine_service/test_crash.py`.
"""

import os
import random
import time
from pathlib import Path

import pytest
import redis

from messages.codec import encode
from perpx.bench.redis_runner import count_written
from streams.embedded import EmbeddedRedis
from streams.event_batch import parse_entry
from streams.keys import ShardKeys
from streams.stream_ids import parse_id
from tests.engine_service.engine_process import EngineProcess, covered, wait_covered
from tests.exchange_workload import exchange_commands, funded_commands, reference_engine, state_differences


def written_events(client: redis.Redis, keys: ShardKeys) -> list:
    return [e for raw_id, f in client.xrange(keys.events) for e in parse_entry(parse_id(raw_id), f).events]


def check_against_reference(
    client: redis.Redis, keys: ShardKeys, ids: list[bytes], commands: list, kind: str = "matching"
) -> None:
    expected, expected_events = reference_engine(list(zip(ids, commands, strict=True)), kind)
    events, _, last_seq = count_written(client, keys)  # raises on a repeated or missing seq
    assert last_seq == events == len(expected_events)
    assert written_events(client, keys) == expected_events
    final = client.hgetall(keys.snapshot)  # written on the clean stop
    assert state_differences(expected.snapshot(), final[b"data"]) == []
    assert final[b"state_hash"].decode() == expected.state_hash()


def append(client: redis.Redis, keys: ShardKeys, commands: list) -> list[bytes]:
    pipe = client.pipeline(transaction=False)
    for command in commands:
        pipe.xadd(keys.commands, {"c": encode(command)})
    return pipe.execute()


def run_with_engine_kills(url: str, keys: ShardKeys, commands: int, kills: int, seed: int) -> None:
    """Each engine life: start (recover), a chunk of commands arrives, SIGKILL a random few
    milliseconds later, mostly while it is reading, applying, writing or snapshotting."""
    rng = random.Random(seed)
    workload = funded_commands(commands, seed)
    client = redis.Redis.from_url(url)
    size = len(workload) // (kills + 1) + 1
    chunks = [workload[i : i + size] for i in range(0, len(workload), size)]
    ids = append(client, keys, chunks[0])
    kills_mid_run = 0
    for chunk in chunks[1 : kills + 1]:
        engine = EngineProcess(
            url, keys, snapshot_every=rng.choice([700, 2000, 5000]), batch_size=rng.choice([50, 500]), kind="margin"
        )
        engine.wait_recovered()
        ids += append(client, keys, chunk)
        time.sleep(rng.uniform(0.0, 0.02))
        kills_mid_run += covered(client, keys) < parse_id(ids[-1])
        engine.kill()
    ids += append(client, keys, [c for chunk in chunks[kills + 1 :] for c in chunk])
    print(f"{kills_mid_run} of {kills} kills while commands were waiting")
    assert kills_mid_run >= 1, "no kill landed while the engine had work"
    engine = EngineProcess(url, keys, snapshot_every=5000, kind="margin")
    engine.wait_recovered()
    wait_covered(client, keys, parse_id(ids[-1]))
    engine.stop()
    check_against_reference(client, keys, ids, workload, "margin")
    client.close()


def test_engine_killed_at_random_points(redis_server, shard_keys):
    run_with_engine_kills(redis_server.url, shard_keys, commands=20_000, kills=6, seed=21)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("PERPX_FULL_CRASH_TEST"), reason="set PERPX_FULL_CRASH_TEST=1 for the full size")
def test_engine_killed_25_times_in_100k_commands(redis_server, shard_keys):
    run_with_engine_kills(redis_server.url, shard_keys, commands=100_000, kills=25, seed=22)


def test_redis_killed_and_restarted_with_aof(tmp_path: Path, shard_keys):
    rng = random.Random(31)
    workload = exchange_commands(15_000, seed=31)
    chunks = [workload[i : i + 5000] for i in range(0, len(workload), 5000)]
    server = EmbeddedRedis(tmp_path, appendfsync="always").start()
    port = server.port
    client = redis.Redis.from_url(server.url)
    try:
        ids: list[bytes] = []
        kills_mid_run = 0
        for chunk in chunks:
            engine = EngineProcess(server.url, shard_keys, snapshot_every=1500, batch_size=200)
            engine.wait_recovered()
            ids += append(client, shard_keys, chunk)
            time.sleep(rng.uniform(0.0, 0.02))
            kills_mid_run += covered(client, shard_keys) < parse_id(ids[-1])
            server.kill()
            try:
                engine.process.wait(30)  # it fails on its next read or write and exits
            finally:
                engine.kill()
            client.close()
            server = EmbeddedRedis(tmp_path, port=port, appendfsync="always").start()
            client = redis.Redis.from_url(server.url)
            assert client.xrevrange(shard_keys.commands, count=1)[0][0] == ids[-1]  # nothing acknowledged lost
        assert kills_mid_run >= 1, "no kill landed while the engine had work"
        engine = EngineProcess(server.url, shard_keys, snapshot_every=1500)
        engine.wait_recovered()
        wait_covered(client, shard_keys, parse_id(ids[-1]))
        engine.stop()
        check_against_reference(client, shard_keys, ids, workload)
    finally:
        client.close()
        server.stop()
