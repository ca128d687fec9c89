"""/healthz answers the service's own liveness, /readyz its readiness and why (200 or 503), /metrics is
Prometheus text."""

import argparse
import json
import urllib.error
import urllib.request

import pytest
from prometheus_client import CollectorRegistry, Counter

from ops.health import Finding, HealthServer, RedisProbe, add_health_arguments, age_finding


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


def test_readyz_says_why_not():
    findings = [Finding("redis", True, "PING answered in 0.1 ms"), Finding("lag", True, "caught up")]
    server = HealthServer(lambda: (True, {}), CollectorRegistry(), readiness=lambda: findings, service="test").start()
    try:
        status, body = get(server.port, "/readyz")
        assert status == 200 and json.loads(body)["ready"] is True
        findings[1] = Finding("lag", False, "oldest command waiting 9.0 s (limit 5 s)")
        status, body = get(server.port, "/readyz")
        assert status == 503
        assert json.loads(body)["not_ready_because"] == ["lag: oldest command waiting 9.0 s (limit 5 s)"]
        assert get(server.port, "/healthz")[0] == 200  # alive, though not ready
    finally:
        server.stop()


def test_a_readiness_check_that_raises_is_an_answer():
    def broken() -> list[Finding]:
        raise RuntimeError("boom")

    server = HealthServer(lambda: (True, {}), CollectorRegistry(), readiness=broken).start()
    try:
        status, body = get(server.port, "/readyz")
        assert status == 503 and "boom" in json.loads(body)["not_ready_because"][0]
    finally:
        server.stop()


def test_without_readiness_readyz_is_liveness():
    server = HealthServer(lambda: (False, {"why": "stuck"}), CollectorRegistry()).start()
    try:
        assert get(server.port, "/readyz")[0] == 503
    finally:
        server.stop()


def test_age_finding():
    assert age_finding("steps", None, 5, "step") == Finding("steps", False, "no step yet")
    assert age_finding("steps", 1.25, 5, "step") == Finding("steps", True, "last step 1.2 s ago (limit 5 s)")
    assert not age_finding("steps", 6, 5, "step").ok


def test_redis_probe(redis_server):
    from streams.embedded import free_port

    probe = RedisProbe(redis_server.url)
    assert probe.finding().ok
    probe.close()
    nobody = RedisProbe(f"redis://127.0.0.1:{free_port()}/0", timeout_s=0.5)
    finding = nobody.finding()
    assert not finding.ok and finding.detail.startswith("unreachable")
    nobody.close()


def test_health_port_from_the_environment(monkeypatch):
    def port(*argv: str) -> int:
        parser = argparse.ArgumentParser()
        add_health_arguments(parser, "oracle")
        return parser.parse_args(list(argv)).health_port

    monkeypatch.delenv("PERPX_ORACLE_HEALTH_PORT", raising=False)
    assert port() == 9102
    monkeypatch.setenv("PERPX_ORACLE_HEALTH_PORT", "19102")
    assert port() == 19102
    assert port("--health-port", "0") == 0
