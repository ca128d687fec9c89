"""The funding process wired to Redis: catch up, step, publish the view the api reads."""

import threading
import time

import redis

from funding.config import FundingConfig
from funding.main import FundingProcess
from funding.publisher import get_premium_index
from messages.commands import PriceUpdate
from streams.client import append_command
from streams.embedded import EmbeddedRedis
from tests.funding.test_redis import STEP, T0, H, drain, funding_commands, seed_book, start_engine


def test_process_steps_publish_the_premium_index(redis_server, redis_client, shard_keys):
    engine = start_engine(redis_server.url, shard_keys)
    seed_book(redis_client, shard_keys)
    drain(engine)
    process = FundingProcess(redis_server.url, shard_keys, FundingConfig())
    assert get_premium_index(redis_client, shard_keys, "AAPLUSDC") is None
    append_command(redis_client, shard_keys, PriceUpdate("p1", 0, "AAPLUSDC", 10_020, 10_020))
    for t in range(T0, T0 + H + STEP, STEP):
        process.source.catch_up()
        process.after_step(t, process.service.step(t))
    view = get_premium_index(redis_client, shard_keys, "AAPLUSDC")
    assert view is not None
    assert (view.premium_ppb, view.last_rate_ppb, view.next_funding_time_ms) == (-1_497_005, -997_005, T0 + 2 * H)
    assert get_premium_index(redis_client, shard_keys, "NVDAUSDC").premium_ppb is None  # never priced
    assert [c.rate_ppb for c in funding_commands(redis_client, shard_keys)] == [-997_005]
    assert process.registry.get_sample_value("funding_settlements_total") == 1
    engine.close()


def test_process_runs_on_the_wall_clock_until_stopped(redis_server, redis_client, shard_keys):
    process = FundingProcess(redis_server.url, shard_keys, FundingConfig(sample_interval_ms=50))
    stop = threading.Event()
    thread = threading.Thread(target=process.run, args=(stop,), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30  # generous: the machine is shared
        while get_premium_index(redis_client, shard_keys, "AAPLUSDC") is None:
            assert thread.is_alive() and time.monotonic() < deadline, "the loop never published"
            stop.wait(0.05)
        ok, detail = process.health()
        assert ok, detail
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
    assert get_premium_index(redis_client, shard_keys, "AAPLUSDC") is not None


def test_process_exits_when_redis_stays_away(tmp_path, shard_keys):
    """Redis gone for longer than the patience: the loop ends with 1 (a supervisor restarts it; an
    orphan does not linger), not spinning forever."""
    with EmbeddedRedis(tmp_path) as server:
        process = FundingProcess(server.url, shard_keys, FundingConfig(sample_interval_ms=50))
        stop = threading.Event()
        result: list[int] = []
        thread = threading.Thread(target=lambda: result.append(process.run(stop, redis_patience_s=1.0)), daemon=True)
        thread.start()
        client = redis.Redis.from_url(server.url)
        deadline = time.monotonic() + 30
        while get_premium_index(client, shard_keys, "AAPLUSDC") is None:
            assert time.monotonic() < deadline, "the loop never published"
            time.sleep(0.05)
        client.close()
    thread.join(30)
    stop.set()
    assert result == [1]
