"""/healthz answers the service's own verdict; /metrics is Prometheus text."""

import json
import urllib.error
import urllib.request

import pytest
from prometheus_client import CollectorRegistry, Counter

from ops.health import HealthServer


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()


def test_healthz_and_metrics():
    verdict = {"ok": True}
    registry = CollectorRegistry()
    Counter("perpx_test_things", "Things", registry=registry).inc(3)
    server = HealthServer(lambda: (verdict["ok"], {"service": "test"}), registry).start()
    try:
        status, body = get(server.port, "/healthz")
        assert status == 200 and json.loads(body) == {"ok": True, "service": "test"}
        verdict["ok"] = False
        assert get(server.port, "/healthz")[0] == 503
        status, body = get(server.port, "/metrics")
        assert status == 200 and "perpx_test_things_total 3.0" in body
        assert get(server.port, "/nothing")[0] == 404
    finally:
        server.stop()


def test_engine_service_metrics_move(redis_server, redis_client, shard_keys):
    from engine_service.service import EngineService, EngineSettings
    from messages.commands import AdvanceClock
    from streams.client import append_command

    service = EngineService(redis_server.url, shard_keys, EngineSettings(block_ms=10))
    service.recover()
    for i in range(5):
        append_command(redis_client, shard_keys, AdvanceClock(f"t{i}", 0))
    redis_client.xadd(shard_keys.commands, {"c": b"junk"})
    while service.step():
        pass
    registry = service.metrics.registry
    assert registry.get_sample_value("perpx_engine_commands_total") == 5
    assert registry.get_sample_value("perpx_engine_dead_letters_total") == 1
    assert registry.get_sample_value("perpx_engine_batch_size_count") >= 1
    assert registry.get_sample_value("perpx_engine_stream_lag_seconds") == pytest.approx(0, abs=60)
    ok, detail = service.health()
    assert ok and detail["next_seq"] == 1
    service.close()

    again = EngineService(redis_server.url, shard_keys)  # no snapshot yet: it replays all 5
    again.recover()
    assert again.metrics.registry.get_sample_value("perpx_engine_replayed_commands") == 5
    assert again.metrics.registry.get_sample_value("perpx_engine_recovery_seconds") > 0
    again.close()
