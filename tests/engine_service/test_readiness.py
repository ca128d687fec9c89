"""The engine's /readyz: Redis, recovery, lag, the snapshot's age and the markets not trading normally;
and an idle engine still snapshots what it applied."""

import time

from engine_service.readiness import EngineReadiness
from engine_service.service import EngineService, EngineSettings
from messages.commands import AdvanceClock, SetMarketStatus
from messages.enums import MarketStatus
from streams.client import append_command
from streams.snapshots import SnapshotStore


def test_engine_readiness(redis_server, redis_client, shard_keys):
    service = EngineService(redis_server.url, shard_keys, EngineSettings(block_ms=10))
    readiness = EngineReadiness(service, max_lag_s=0.0)
    assert [(f.name, f.ok) for f in readiness()] == [("redis", True), ("recovery", False)]
    service.recover()
    ready = {f.name: f for f in readiness()}
    assert all(f.ok for f in ready.values()) and ready["lag"].detail.startswith("caught up")
    assert ready["snapshot"].detail == "covers every command applied (none yet)"

    append_command(redis_client, shard_keys, AdvanceClock("t0", 0))
    lag = {f.name: f for f in readiness()}["lag"]
    assert not lag.ok and lag.detail.startswith("oldest command waiting")  # a limit of 0 s: any wait is too long

    append_command(redis_client, shard_keys, SetMarketStatus("halt", 0, "NVDAUSDC", MarketStatus.HALTED))
    while service.step():
        pass
    ready = {f.name: f for f in readiness()}
    assert ready["lag"].ok and ready["NVDAUSDC"].ok
    assert ready["NVDAUSDC"].detail == "HALTED: cancels only (an operator's setting)"
    assert ready["snapshot"].ok and ready["snapshot"].detail.startswith("commands applied since the newest snapshot")
    readiness.max_snapshot_age_s = -1.0  # as if unsnapshotted for too long
    assert not {f.name: f for f in readiness()}["snapshot"].ok
    service.take_snapshot()
    snapshot = {f.name: f for f in readiness()}["snapshot"]
    assert snapshot.ok and snapshot.detail.startswith("covers every command applied (taken")
    readiness.close()
    service.close()


def test_an_idle_engine_snapshots_after_the_interval(redis_server, redis_client, shard_keys):
    settings = EngineSettings(block_ms=10, snapshot_interval_s=0.5, snapshot_in_background=False)
    service = EngineService(redis_server.url, shard_keys, settings)
    service.recover()
    append_command(redis_client, shard_keys, AdvanceClock("t0", 0))
    service.snapshot_monotonic = time.monotonic()
    assert service.step() == 1
    store = SnapshotStore(redis_client, shard_keys)
    assert store.load() is None  # the interval has not passed
    time.sleep(0.55)
    assert service.step() == 0  # nothing to read: idle
    snapshot = store.load()
    assert snapshot is not None and snapshot.covers == service.position
    service.step()
    assert store.load().covers == snapshot.covers  # nothing new since: no further snapshot
    service.close()
