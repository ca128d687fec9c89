"""Connections per IP are counted across api processes (in Redis), and a killed process's stop
counting once their leases lapse. Two api processes on the suite's exchange share a limit of 3
connections per IP and a lease of 2 s (renewed every 2/3 s while the connection is open)."""

import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.api.conftest import Exchange, start_api, stop

LIMIT = {"PERPX_WS_CONNECTIONS_PER_IP": "3", "PERPX_WS_IP_LEASE_S": "2"}
REFUSED = {"error": {"code": -1, "msg": "Too many connections from this IP."}, "id": None}


@pytest.fixture
def two_apis(exchange: Exchange) -> Iterator[list[tuple[subprocess.Popen, str]]]:
    namespace = f"conn-limit-{uuid.uuid4().hex[:8]}"
    saved = dict(os.environ)
    os.environ.update(LIMIT)
    try:
        apis = [start_api(exchange.redis_url, exchange.keys, namespace=namespace) for _ in range(2)]
    finally:
        os.environ.clear()
        os.environ.update(saved)
    yield [(process, url.replace("http://", "ws://")) for process, url in apis]
    for process, _ in apis:
        if process.poll() is None:
            stop(process)


def refused(url: str) -> bool:
    """True if the server turned the connection away (its error frame, then the close)."""
    with connect(url + "/ws/nvdausdc@trade") as ws:
        try:
            frame = ws.recv(timeout=0.5)
        except TimeoutError:
            return False
        assert json.loads(frame) == REFUSED
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=5)
        return True


def admitted_soon(url: str, opened: ExitStack, timeout_s: float = 10.0) -> ClientConnection:
    """A connection once the server admits one (a release or a lapse takes a moment)."""
    deadline = time.monotonic() + timeout_s
    while refused(url):
        assert time.monotonic() < deadline, "never admitted"
        time.sleep(0.1)
    return opened.enter_context(connect(url + "/ws/nvdausdc@trade"))


def test_the_limit_is_shared_by_every_api_process_and_survives_a_crash(two_apis) -> None:
    (process_a, a), (_, b) = two_apis
    with ExitStack() as opened:
        opened.enter_context(connect(a + "/ws/nvdausdc@trade"))
        a2 = opened.enter_context(connect(a + "/ws/nvdausdc@trade"))
        opened.enter_context(connect(b + "/ws/nvdausdc@trade"))
        assert refused(b)  # 2 on A and 1 on B: the fourth is refused on either
        with connect(a + "/ws-fapi/v1") as api:  # the order-entry socket counts the same, in its own shape
            assert json.loads(api.recv(timeout=5)) == {
                "id": None,
                "status": 429,
                "error": {"code": -1003, "msg": "Too many connections from this IP."},
            }
        time.sleep(4.5)  # two lease times: the open connections' leases are renewed, not lapsed
        assert refused(b)
        a2.close()
        admitted_soon(b, opened)  # A's release makes room on B
        process_a.kill()  # A dies with its first connection open: no release, only the lease's lapse
        process_a.wait()
        assert refused(b)  # that lease still runs (renewed at most 2/3 s ago)
        started = time.monotonic()
        admitted_soon(b, opened)
        assert time.monotonic() - started < 5  # within a lease time (2 s), the machine's noise aside
