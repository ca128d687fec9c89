"""`perpx up` starts Redis and the services with one command, keeps Redis up, and Ctrl-C stops all
of it cleanly."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from messages.commands import Deposit, PlaceOrder
from messages.enums import Side
from streams.client import append_command
from streams.event_batch import parse_entry
from streams.keys import ShardKeys
from streams.stream_ids import parse_id


class Up:
    def __init__(self, data_dir: Path, *options: str) -> None:
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        env.update(
            PERPX_ENGINE_HEALTH_PORT="0",
            PERPX_ORACLE_HEALTH_PORT="0",
            PERPX_FUNDING_HEALTH_PORT="0",
            PERPX_INDEXER_HEALTH_PORT="0",
            PYTHONUNBUFFERED="1",
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "perpx.cli", "up", "--data-dir", str(data_dir), *options],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=data_dir,
        )
        self.lines: list[bytes] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(iter(self.process.stdout.readline, b"")))
        self.reader.start()
        self.deadline = time.monotonic() + 90

    def text(self) -> str:
        return b"".join(self.lines).decode()

    def wait_for(self, needle: str, count: int = 1) -> None:
        while self.text().count(needle) < count:
            assert self.process.poll() is None and time.monotonic() < self.deadline, self.text()
            time.sleep(0.05)

    @property
    def redis_url(self) -> str:
        return re.search(r"redis at (redis://\S+)", self.text()).group(1)

    def ctrl_c(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(60)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.reader.join(5)
        self.process.stdout.close()


@contextmanager
def perpx_up(data_dir: Path, *options: str) -> Iterator[Up]:
    up = Up(data_dir, *options)
    try:
        yield up
    finally:
        up.close()


def assert_gone(url: str) -> None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        return
    raise AssertionError("embedded Redis still answers after perpx up stopped")


def assert_in_history(path: Path, account_id: int, order_id: int, up: Up) -> None:
    """The indexer `perpx up` runs writes the order into the history file under the data directory."""
    from views.history.queries import get_order
    from views.history.sql import open_sqlite

    while not path.exists():
        assert time.monotonic() < up.deadline, up.text()
        time.sleep(0.05)
    connection = open_sqlite(path)
    try:
        while (order := get_order(connection, account_id, order_id=order_id)) is None:
            assert time.monotonic() < up.deadline, up.text()
            time.sleep(0.05)
        assert (order.status, order.market) == ("NEW", "AAPLUSDC")
    finally:
        connection.close()


def test_up_runs_and_stops_on_ctrl_c(tmp_path):
    with perpx_up(tmp_path) as up:
        up.wait_for("recovered at")
        health_port = int(re.search(r"engine\s*\| .*on port (\d+)", up.text()).group(1))
        with urllib.request.urlopen(f"http://127.0.0.1:{health_port}/healthz", timeout=5) as response:
            assert response.status == 200
        client = redis.Redis.from_url(up.redis_url)
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        keys = ShardKeys()  # the shard `perpx up` serves
        # `perpx up` runs the margin engine: an order needs collateral behind it
        append_command(client, keys, Deposit("up-0", 0, 7, 1_000 * 1_000_000))
        append_command(client, keys, PlaceOrder("up-1", 0, 7, "AAPLUSDC", Side.BUY, 1000, 20000))
        while (
            len(
                events := [
                    e
                    for raw, f in client.xrange(keys.events)
                    for e in parse_entry(parse_id(raw), f).events
                    if e.command_id.startswith("up-")
                ]
            )
            < 4
        ):
            assert time.monotonic() < up.deadline, up.text()
            time.sleep(0.05)
        assert [(e.command_id, type(e).__name__) for e in events] == [
            ("up-0", "BalanceChanged"),
            ("up-0", "AccountUpdated"),
            ("up-1", "OrderAccepted"),
            ("up-1", "OrderRested"),
        ]
        client.close()
        assert (tmp_path / "redis" / "appendonly.aof").exists()
        assert_in_history(tmp_path / "history.sqlite3", 7, 1, up)
        assert up.ctrl_c() == 0, up.text()
    assert "engine stopped (exit 0)" in up.text()
    assert_gone(up.redis_url)


def test_up_restarts_redis_from_its_aof(tmp_path):
    with perpx_up(tmp_path, "--appendfsync", "always") as up:
        up.wait_for("recovered at")
        client = redis.Redis.from_url(up.redis_url)
        client.set("kept", "yes")
        os.kill(client.info("server")["process_id"], signal.SIGKILL)
        client.close()
        up.wait_for("restarted it from its AOF")
        client = redis.Redis.from_url(up.redis_url)
        assert client.get("kept") == b"yes"
        client.close()
        up.wait_for("recovered at", 2)  # the engine lost Redis, exited, and was started again
        assert up.ctrl_c() == 0, up.text()
    assert_gone(up.redis_url)


def test_up_comes_back_with_resting_orders_and_a_snapshot_and_prices_flow(tmp_path):
    """The crash of issue 13: a second `perpx up` over resting orders and a snapshot crash-looped the
    oracle (its own snapshot reader). Every service must come back and the oracle's prices flow."""
    from messages.codec import decode_command
    from messages.commands import PriceUpdate

    keys = ShardKeys()
    with perpx_up(tmp_path) as up:
        up.wait_for("recovered at")
        client = redis.Redis.from_url(up.redis_url)
        append_command(client, keys, Deposit("r-0", 0, 7, 1_000_000 * 1_000_000))
        for i, price in enumerate((19_000, 19_100, 19_200)):
            append_command(client, keys, PlaceOrder(f"r-{i + 1}", 0, 7, "AAPLUSDC", Side.BUY, 1000, price))
        while not any(
            e.command_id == "r-3" for raw, f in client.xrange(keys.events) for e in parse_entry(parse_id(raw), f).events
        ):
            assert time.monotonic() < up.deadline, up.text()
            time.sleep(0.05)
        client.close()
        assert up.ctrl_c() == 0, up.text()  # a clean stop snapshots the engine
    with perpx_up(tmp_path) as up:
        up.wait_for("recovered at")
        client = redis.Redis.from_url(up.redis_url)
        assert client.hget(keys.snapshot, "next_seq") is not None
        restart_id = client.xrevrange(keys.commands, count=1)[0][0]
        deadline = time.monotonic() + 60
        while True:
            prices = [
                c
                for _, f in client.xrange(keys.commands, "(" + restart_id.decode(), "+")
                if b"c" in f and isinstance(c := decode_command(f[b"c"]), PriceUpdate)
            ]
            if len({p.market for p in prices}) >= 2 and len(prices) >= 4:
                break
            assert time.monotonic() < deadline and up.process.poll() is None, up.text()
            time.sleep(0.2)
        client.close()
        assert "exited with" not in up.text(), up.text()
        assert "Traceback" not in up.text(), up.text()
        assert up.ctrl_c() == 0, up.text()
