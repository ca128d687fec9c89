"""A slow consumer is cut off while 100 others keep receiving; a client silent to pings is closed.

Both on an api process of their own, started with small limits (a 20-frame send queue, pings
every 0.3 s answered within 0.5 s), each on its own, so that a test reaches them quickly.
"""

import base64
import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
from websockets.sync.client import connect

from tests.api.binance_client import SignedClient
from tests.api.conftest import Exchange, leave_no_orders, start_api, stop


def api_with(exchange: Exchange, settings: dict[str, str]) -> tuple[subprocess.Popen, str]:
    saved = dict(os.environ)
    os.environ.update(settings)
    try:
        process, url = start_api(exchange.redis_url, exchange.keys)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return process, url.replace("http://", "ws://")


@pytest.fixture(scope="module")
def small_queue_api(exchange: Exchange) -> Iterator[str]:
    process, url = api_with(exchange, {"PERPX_WS_MAX_QUEUED": "20"})
    yield url
    stop(process)


@pytest.fixture(scope="module")
def fast_ping_api(exchange: Exchange) -> Iterator[str]:
    process, url = api_with(exchange, {"PERPX_WS_PING_INTERVAL_S": "0.3", "PERPX_WS_PING_TIMEOUT_S": "0.5"})
    yield url
    stop(process)


def raw_websocket(url: str, path: str, receive_buffer: int = 4096) -> socket.socket:
    """A WebSocket handshake by hand on a socket that then reads nothing and answers no ping."""
    host, port = url.removeprefix("ws://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.connect((host, int(port)))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def closed_by_server(sock: socket.socket, timeout_s: float, seen: bytearray | None = None) -> bool:
    """Drain the socket until the server closes it (EOF or reset) within `timeout_s`; what came is
    added to `seen`."""
    sock.settimeout(timeout_s)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            data = sock.recv(65536)
            if seen is not None:
                seen += data
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False
    return False


def test_a_slow_consumer_is_cut_off_while_others_keep_receiving(
    small_queue_api: str, exchange: Exchange, trader: SignedClient
) -> None:
    for symbol, mid in (("NVDAUSDC", 18_000), ("AAPLUSDC", 23_000)):  # deep books: large partial depths
        for level in range(1, 21):
            for side, ticks in (("BUY", mid - 100 - level), ("SELL", mid + 100 + level)):
                order = {"symbol": symbol, "side": side, "type": "LIMIT", "timeInForce": "GTC", "quantity": "9"}
                trader.ok("POST", "/fapi/v1/order", {**order, "price": f"{ticks / 100:.2f}"})
    kinds = [f"depth{n}{speed}" for n in ("", "5", "10", "20") for speed in ("", "@100ms", "@500ms")]
    kinds += ["trade", "aggTrade", "bookTicker"]
    streams = "/".join(f"{s}@{kind}" for s in ("nvdausdc", "aaplusdc") for kind in kinds)
    # buyers enough to stay under the per-account order limit (300 per 10 s) over 600 fills
    buyers = [exchange.signed(exchange.funded_key()) for _ in range(4)]
    slow = raw_websocket(small_queue_api, f"/stream?streams={streams}", receive_buffer=1024)
    stop_readers = threading.Event()
    try:
        received = [0] * 100

        def read(index: int) -> None:
            with connect(small_queue_api + "/ws/nvdausdc@trade") as ws:
                while not stop_readers.is_set():
                    try:
                        json.loads(ws.recv(timeout=0.2))
                        received[index] += 1
                    except TimeoutError:
                        continue

        readers = [threading.Thread(target=read, args=(i,)) for i in range(100)]
        for reader in readers:
            reader.start()
        time.sleep(1.0)
        fills = 0
        # enough frames to fill the kernel's buffers on both ends whatever the machine's speed (the
        # 100 ms and 500 ms depth streams send fewer frames on a slower machine): three times the
        # 200 fills that sufficed on an idle machine and failed once in four runs at load 11
        while fills < 600:
            for symbol, price in (("NVDAUSDC", "180.50"), ("AAPLUSDC", "230.50")):
                sell = {"symbol": symbol, "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "5"}
                trader.ok("POST", "/fapi/v1/order", {**sell, "price": price})
                for _ in range(5):
                    buyers[fills % len(buyers)].ok(
                        "POST", "/fapi/v1/order", {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": "1"}
                    )
                    fills += 1
        time.sleep(1.0)
        stop_readers.set()
        for reader in readers:
            reader.join()
        nvda_fills = fills // 2
        seen = bytearray()
        assert closed_by_server(slow, 30, seen), ("the slow consumer was not closed", len(seen))
        assert b"Slow consumer: send queue full; connection closed." in seen
        assert all(count == nvda_fills for count in received), (nvda_fills, sorted(set(received)))
    finally:
        stop_readers.set()
        slow.close()
        for buyer in buyers:
            leave_no_orders(buyer)


def test_a_client_silent_to_pings_is_closed(fast_ping_api: str) -> None:
    sock = raw_websocket(fast_ping_api, "/ws/nvdausdc@markPrice")
    try:
        seen = bytearray()
        assert closed_by_server(sock, 10, seen)
        assert b"keepalive ping timeout" in seen
    finally:
        sock.close()
