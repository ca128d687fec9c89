"""`/healthz` and `/metrics` of a service on a small HTTP server in a daemon thread.

Kept off the service's own loop so that a scrape never delays a batch, and dependency-free beyond
prometheus-client, so any service (engine, oracle, funding) can reuse it.
"""

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

HealthCheck = Callable[[], tuple[bool, dict]]


class HealthServer:
    """Serves `health()` as JSON on /healthz (200 when healthy, 503 when not) and `registry` on /metrics."""

    def __init__(
        self, health: HealthCheck, registry: CollectorRegistry, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        handler = _handler(health, registry)
        self.server = ThreadingHTTPServer((host, port), handler)
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


def _handler(health: HealthCheck, registry: CollectorRegistry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/healthz":
                ok, detail = health()
                self._send(200 if ok else 503, "application/json", json.dumps({"ok": ok, **detail}).encode())
            elif path == "/metrics":
                self._send(200, CONTENT_TYPE_LATEST, generate_latest(registry))
            else:
                self._send(404, "text/plain", b"not found\n")

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # scrapes are not worth a log line
            pass

    return Handler
