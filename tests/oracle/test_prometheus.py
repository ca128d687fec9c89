"""/healthz and /metrics of the oracle, served over loopback HTTP by the shared HealthServer."""

import json
import urllib.request

from prometheus_client import CollectorRegistry

from ops.health import HealthServer
from oracle.prometheus import OracleCollector
from oracle.sessions import UsEquityCalendar
from oracle.sources.push import PushSource
from tests.oracle.conftest import ms
from tests.oracle.harness import Exchange, oracle

TUESDAY_10 = ms("2026-11-24T10:00-05:00")


def get(url: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


async def test_metrics_and_health(calendar: UsEquityCalendar) -> None:
    source = PushSource("a")
    service = oracle(Exchange(), [source], calendar)
    source.post("NVDA", 180.0, TUESDAY_10)
    source.post("AAPL", -1.0, TUESDAY_10)
    await service.step(TUESDAY_10)
    registry = CollectorRegistry()
    registry.register(OracleCollector(service))
    now = {"ms": TUESDAY_10}
    server = HealthServer(lambda: service.health(now["ms"]), registry).start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        status, body = get(base + "/metrics")
        text = body.decode()
        assert status == 200
        assert 'perpx_oracle_index_ticks{market="NVDAUSDC"} 18000.0' in text
        assert 'perpx_oracle_stale{market="NVDAUSDC"} 0.0' in text
        assert 'perpx_oracle_quote_rejected_total{reason="price_not_positive",source="a"} 1.0' in text
        assert 'perpx_oracle_published_total{reason="PriceUpdate",source=""} 1.0' in text
        status, body = get(base + "/healthz")
        assert status == 503  # run() has not stepped yet
        service.last_step_ms = TUESDAY_10
        status, body = get(base + "/healthz")
        assert status == 200 and json.loads(body)["ok"] is True
        now["ms"] = TUESDAY_10 + 60_000  # a minute without a step
        assert get(base + "/healthz")[0] == 503
    finally:
        server.stop()
