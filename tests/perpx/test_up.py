"""`perpx up` starts Redis and the services with one command, on free ports where the defaults are
taken, passes the operator's options through, keeps Redis up, and Ctrl-C stops all of it cleanly."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from messages.commands import Deposit, PlaceOrder
from messages.enums import Side
from streams.client import append_command
from streams.embedded import free_port
from streams.event_batch import parse_entry
from streams.keys import ShardKeys
from streams.stream_ids import parse_id


class Up:
    def __init__(self, data_dir: Path, *options: str, **env_vars: str) -> None:
        self.api_port = free_port()
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        env.update(PERPX_ENGINE_HEALTH_PORT="0", PYTHONUNBUFFERED="1", **env_vars)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "perpx.cli",
                "up",
                "--data-dir",
                str(data_dir),
                "--api-port",
                str(self.api_port),
                *options,
            ],
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
def perpx_up(data_dir: Path, *options: str, **env_vars: str) -> Iterator[Up]:
    up = Up(data_dir, *options, **env_vars)
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


def readyz(port: int) -> dict:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as not_ready:  # 503 carries the same report, with why
        assert not_ready.code == 503
        return json.loads(not_ready.read())


def test_up_runs_and_stops_on_ctrl_c(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        taken_port = taken.getsockname()[1]
        with perpx_up(
            tmp_path,
            "--always-open",
            "--funding-sample-interval-ms",
            "1000",
            PERPX_ORACLE_HEALTH_PORT=str(taken_port),
        ) as up:
            run_and_stop(up, tmp_path, taken_port)


def run_and_stop(up: Up, tmp_path: Path, taken_port: int) -> None:
    up.wait_for("recovered at")
    up.wait_for("/readyz and /metrics on port", 3)
    ports = {name: int(port) for name, port in re.findall(r"perpx.up: (\w+): http://127.0.0.1:(\d+)/readyz", up.text())}
    assert set(ports) == {"engine", "oracle", "funding", "indexer"} and taken_port not in ports.values()
    assert f"port {taken_port} is taken: oracle uses {ports['oracle']}" in up.text()
    assert readyz(ports["engine"])["service"] == "engine"
    assert readyz(ports["funding"])["service"] == "funding"
    # the oracle with --always-open: a Sunday's simulated prices count, so no market is stale
    while not (markets := [c for c in readyz(ports["oracle"])["checks"] if c["name"].endswith("USDC")]) or not all(
        "external price from" in c["detail"] for c in markets
    ):
        assert time.monotonic() < up.deadline, markets
        time.sleep(0.2)
    funding_pid = int(re.search(r"started funding \(pid (\d+)\)", up.text()).group(1))
    assert "--sample-interval-ms\x001000" in Path(f"/proc/{funding_pid}/cmdline").read_text()
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
    up.reader.join(5)
    assert "engine stopped (exit 0)" in up.text()
    assert_gone(up.redis_url)


def test_a_killed_up_leaves_no_service_running(tmp_path):
    """`kill -9` of `perpx up` (an operator's last resort, or a test session dying) takes every
    service with it: none keeps running without its supervisor."""
    with perpx_up(tmp_path, "--no-demo") as up:
        up.wait_for("recovered at")
        up.wait_for("started api (pid")
        pids = [int(p) for p in re.findall(r"started \w+ \(pid (\d+)\)", up.text())]
        assert len(pids) >= 5, up.text()
        up.process.kill()
        up.process.wait()
        deadline = time.monotonic() + 30
        while alive := [p for p in pids if running(p)]:
            assert time.monotonic() < deadline, f"still running after perpx up was killed: {alive}"
            time.sleep(0.1)
    assert_gone(up.redis_url)


def running(pid: int) -> bool:
    """Whether the process exists and is not a zombie (an exited child of ours not yet reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


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


def test_choose_port(caplog):
    from perpx.up import choose_port, free_port

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        idle = free_port("127.0.0.1")
        assert choose_port("127.0.0.1", "oracle", None, idle) == idle  # the default, free
        with caplog.at_level("INFO", logger="perpx.up"):
            instead = choose_port("127.0.0.1", "oracle", None, busy)
        assert instead != busy and f"port {busy} is taken: oracle uses {instead}" in caplog.text
        assert choose_port("127.0.0.1", "oracle", idle, busy) == idle  # asked for: used
        with pytest.raises(SystemExit, match=f"port {busy} for oracle is taken"):
            choose_port("127.0.0.1", "oracle", busy, idle)  # asked for and taken: no silent move
        assert choose_port("127.0.0.1", "oracle", 0, busy) not in (0, busy)  # any: one up can print


def test_options_reach_the_services():
    from perpx.cli import build_parser
    from perpx.up import SERVICES, service_argv

    args = build_parser().parse_args(
        [
            *("up", "--always-open", "--oracle-config", "o.toml", "--corporate-actions", "ca.toml"),
            *("--oracle-cadence-ms", "500", "--funding-sample-interval-ms", "1000", "--health-host", "0.0.0.0"),
        ]
    )
    argv = {spec.name: service_argv(spec, args, 9000 + i) for i, spec in enumerate(SERVICES)}
    assert argv["engine"] == ("engine", "--health-host", "0.0.0.0", "--health-port", "9000")
    assert argv["oracle"] == (
        *("oracle", "--health-host", "0.0.0.0", "--health-port", "9001"),
        *("--config", str(Path("o.toml").resolve()), "--corporate-actions", str(Path("ca.toml").resolve())),
        *("--cadence-ms", "500", "--always-open"),
    )
    assert argv["funding"] == (
        "funding",
        "--health-host",
        "0.0.0.0",
        "--health-port",
        "9002",
        "--sample-interval-ms",
        "1000",
    )
    for service_args in argv.values():
        build_parser().parse_args(list(service_args))  # each service accepts what it is given


def test_up_serves_the_rest_api_and_prints_funded_demo_keys(tmp_path):
    with perpx_up(tmp_path) as up:
        up.wait_for("DEMO account", 2)
        demo = re.findall(r"DEMO account (\d+): key (\w+) secret (\w+)", up.text())
        assert len(demo) == 2 and demo[0][0] != demo[1][0]
        base = f"http://127.0.0.1:{up.api_port}"
        (_, key, secret), (_, other_key, other_secret) = demo
        from tests.api.binance_client import SignedClient

        buyer, seller = SignedClient(base, key, secret), SignedClient(base, other_key, other_secret, in_body=True)
        order = {"symbol": "AAPLUSDC", "type": "LIMIT", "timeInForce": "GTC", "quantity": "1.000", "price": "200.00"}
        resting = seller.post("/fapi/v1/order", {**order, "side": "SELL"})
        assert resting.status_code == 200, resting.text
        filled = buyer.ok("POST", "/fapi/v1/order", {**order, "side": "BUY", "newOrderRespType": "RESULT"})
        assert filled["status"] == "FILLED"
        buyer.close()
        seller.close()
        # the trading page, told that this is the local demo, and the demo keys it offers to pick
        with urllib.request.urlopen(base + "/") as page:
            assert '<meta name="perpx-demo" content="1">' in page.read().decode()
        with urllib.request.urlopen(base + "/perpx/v1/demo/keys") as answer:
            served = json.load(answer)
        assert [(str(r["account"]), r["apiKey"], r["secretKey"]) for r in served] == demo
        # `perpx keys` beside the running `perpx up` finds its Redis through the data directory
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PERPX_SERVER_KEY")}
        done = subprocess.run(
            [sys.executable, "-m", "perpx.cli", "keys", "create", "--json", "--data-dir", str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert redis.Redis.from_url(up.redis_url).exists(
            "perpx:api:key:" + __import__("json").loads(done.stdout)["key"]
        )
        assert up.ctrl_c() == 0, up.text()
    with perpx_up(tmp_path) as up:  # a restart prints the same demo keys, funded once
        up.wait_for("DEMO account", 2)
        assert re.findall(r"DEMO account (\d+): key (\w+) secret (\w+)", up.text()) == demo
        assert up.ctrl_c() == 0, up.text()


def test_the_api_serves_demo_keys_only_in_the_local_demo(monkeypatch):
    import argparse

    from perpx.up import is_local_demo

    monkeypatch.delenv("REDIS_URL", raising=False)
    assert is_local_demo(argparse.Namespace(no_demo=False))
    assert not is_local_demo(argparse.Namespace(no_demo=True))
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # an operator's Redis: not the local demo
    assert not is_local_demo(argparse.Namespace(no_demo=False))
