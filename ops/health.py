"""`/healthz`, `/readyz` and `/metrics` of a service on a small HTTP server in a daemon thread.

Two questions, as a load balancer or an orchestrator asks them:
- `/healthz`, liveness: is the process's loop still turning? 503 means restart it.
- `/readyz`, readiness: can the service do its job right now, and if not, why? Each check is a
  `Finding` (Redis reachable, lag, snapshot age, each market's prices...); 503 when any is not ok.
  A finding can be ok and still worth naming (a market halted by an operator, stale prices while
  its stock market is closed): it is listed with its reason, never folded into a bare "ok".

Kept off the service's own loop so that a scrape never delays a batch, and dependency-free beyond
prometheus-client and redis, so any service (engine, oracle, funding) can reuse it.
"""

import argparse
import json
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import redis
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

HealthCheck = Callable[[], tuple[bool, dict[str, object]]]


@dataclass(frozen=True)
class Finding:
    """One thing readiness looked at: its name, whether it allows the service to be ready, and why."""

    name: str
    ok: bool
    detail: str


ReadinessCheck = Callable[[], Sequence[Finding]]


def readiness_body(service: str, findings: Sequence[Finding]) -> tuple[bool, dict[str, object]]:
    """Ready when every finding is ok; the body names the ones that are not first."""
    ready = all(f.ok for f in findings)
    return ready, {
        "ready": ready,
        "service": service,
        "not_ready_because": [f"{f.name}: {f.detail}" for f in findings if not f.ok],
        "checks": [asdict(f) for f in findings],
    }


def age_finding(name: str, age_s: float | None, limit_s: float, what: str) -> Finding:
    """`what` happened `age_s` ago (None: never); ok within `limit_s`."""
    if age_s is None:
        return Finding(name, False, f"no {what} yet")
    return Finding(name, age_s <= limit_s, f"last {what} {age_s:.1f} s ago (limit {limit_s:g} s)")


class RedisProbe:
    """Pings Redis on a connection of its own, with a short timeout, from the health thread."""

    def __init__(self, url: str, timeout_s: float = 1.0) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)

    def finding(self) -> Finding:
        started = time.perf_counter()
        try:
            self.client.ping()
        except redis.RedisError as exc:
            return Finding("redis", False, f"unreachable: {exc}")
        return Finding("redis", True, f"PING answered in {(time.perf_counter() - started) * 1000:.1f} ms")

    def close(self) -> None:
        self.client.close()


class HealthServer:
    """Serves `health()` on /healthz, `readiness()` on /readyz (each 200 or 503, JSON) and `registry`
    on /metrics. Without `readiness`, /readyz answers liveness alone."""

    def __init__(
        self,
        health: HealthCheck,
        registry: CollectorRegistry,
        host: str = "127.0.0.1",
        port: int = 0,
        readiness: ReadinessCheck | None = None,
        service: str = "",
    ) -> None:
        def ready() -> tuple[bool, dict[str, object]]:
            if readiness is None:
                alive, detail = health()
                return readiness_body(service, [Finding("alive", alive, json.dumps(detail))])
            return readiness_body(service, readiness())

        self.server = ThreadingHTTPServer((host, port), _handler(health, ready, registry))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="health", daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def start(self) -> "HealthServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(health: HealthCheck, ready: HealthCheck, registry: CollectorRegistry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/healthz":
                ok, detail = health()
                self._send_json(ok, {"ok": ok, **detail})
            elif path == "/readyz":
                try:
                    ok, body = ready()
                except Exception as exc:  # a check that fails is an answer, not a dropped connection
                    ok, body = False, {"ready": False, "not_ready_because": [f"readiness check failed: {exc!r}"]}
                self._send_json(ok, body)
            elif path == "/metrics":
                self._send(200, CONTENT_TYPE_LATEST, generate_latest(registry))
            else:
                self._send(404, "text/plain", b"not found\n")

        def _send_json(self, ok: bool, body: dict[str, object]) -> None:
            self._send(200 if ok else 503, "application/json", json.dumps(body).encode())

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # scrapes are not worth a log line
            pass

    return Handler


# Each service's /healthz, /readyz and /metrics port by default; `PERPX_<SERVICE>_HEALTH_PORT` sets
# another, `--health-port` wins over both, and `perpx up` picks free ones when these are taken.
DEFAULT_HEALTH_PORTS = {"engine": 9101, "oracle": 9102, "funding": 9103, "indexer": 9104}


def health_port_env(service: str) -> str:
    return f"PERPX_{service.upper()}_HEALTH_PORT"


def default_health_port(service: str) -> int:
    return int(os.environ.get(health_port_env(service), DEFAULT_HEALTH_PORTS[service]))


def add_health_arguments(parser: argparse.ArgumentParser, service: str) -> None:
    """--health-host and --health-port, the same for every service."""
    parser.add_argument("--health-host", default="127.0.0.1", help="address of /healthz, /readyz and /metrics")
    parser.add_argument(
        "--health-port",
        type=int,
        default=default_health_port(service),
        help=f"port of /healthz, /readyz and /metrics (0: any free one; default {health_port_env(service)} or "
        f"{DEFAULT_HEALTH_PORTS[service]})",
    )
