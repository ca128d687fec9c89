"""The wheel a user installs (what the Dockerfile installs): its compiled modules load, the `perpx`
command runs, and its engine service serves a deposit and an order through a real Redis."""

import os
import re
import signal
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import redis

from messages.commands import Deposit, PlaceOrder
from messages.enums import Side
from streams.client import append_command
from streams.event_batch import parse_entry
from streams.keys import ShardKeys
from streams.stream_ids import parse_id
from tests.packaging.installed import InstalledPerpx


def outside_the_checkout(**extra: str) -> dict[str, str]:
    """An environment in which nothing of this checkout is importable."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "REDIS_URL", "VIRTUAL_ENV")}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


def test_perpx_help_and_the_compiled_modules(installed_perpx: InstalledPerpx, tmp_path: Path):
    venv = installed_perpx.venv
    shown = subprocess.run(
        [venv / "bin" / "perpx", "--help"], cwd=tmp_path, env=outside_the_checkout(), capture_output=True, check=True
    )
    for command in ("up", "engine", "oracle", "funding", "bench"):
        assert command in shown.stdout.decode()
    where = subprocess.run(
        [venv / "bin" / "python", "-c", "import matching.engine, margin.engine as m; print(matching.engine.__file__)"],
        cwd=tmp_path,
        env=outside_the_checkout(),
        capture_output=True,
        check=True,
    )
    loaded = Path(where.stdout.decode().strip())
    assert loaded.is_relative_to(venv) and loaded.suffix == ".so", loaded


def test_the_wheel_carries_the_trading_page(installed_perpx: InstalledPerpx, tmp_path: Path):
    """The page's files are package data: an installed perpx serves them with no checkout around."""
    script = (
        "from importlib import resources; static = resources.files('api.web') / 'static'; "
        "print(' '.join(sorted(p.name for p in static.iterdir() if p.is_file()))); "
        "print(' '.join(sorted(p.name for p in (static / 'js').iterdir())))"
    )
    listed = subprocess.run(
        [installed_perpx.venv / "bin" / "python", "-c", script],
        cwd=tmp_path,
        env=outside_the_checkout(),
        capture_output=True,
        check=True,
    )
    files, modules = listed.stdout.decode().splitlines()
    assert files.split() == ["index.html", "style.css"]
    source = Path(__file__).parents[2] / "api" / "web" / "static" / "js"
    assert modules.split() == sorted(p.name for p in source.glob("*.js"))


def test_the_installed_engine_serves_an_order(
    installed_perpx: InstalledPerpx, redis_server, redis_client: redis.Redis, shard_keys: ShardKeys, tmp_path: Path
):
    engine = subprocess.Popen(
        [installed_perpx.venv / "bin" / "perpx", "engine", "--shard", shard_keys.shard, "--health-port", "0"],
        cwd=tmp_path,
        env=outside_the_checkout(REDIS_URL=redis_server.url),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    lines: list[bytes] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(engine.stdout.readline, b"")), daemon=True)
    reader.start()
    deadline = time.monotonic() + 60

    def text() -> str:
        return b"".join(lines).decode(errors="replace")

    try:
        while "recovered at" not in text():
            assert engine.poll() is None and time.monotonic() < deadline, text()
            time.sleep(0.05)
        append_command(redis_client, shard_keys, Deposit("w-0", 0, 7, 1_000 * 1_000_000))
        append_command(redis_client, shard_keys, PlaceOrder("w-1", 0, 7, "AAPLUSDC", Side.BUY, 1000, 20000))
        events = []
        while len(events) < 4:
            assert engine.poll() is None and time.monotonic() < deadline, text()
            time.sleep(0.05)
            events = [
                e for raw, f in redis_client.xrange(shard_keys.events) for e in parse_entry(parse_id(raw), f).events
            ]
        assert [(e.command_id, type(e).__name__) for e in events] == [
            ("w-0", "BalanceChanged"),
            ("w-0", "AccountUpdated"),
            ("w-1", "OrderAccepted"),
            ("w-1", "OrderRested"),
        ]
        port = int(re.search(r"/metrics on port (\d+)", text()).group(1))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as response:
            assert response.status == 200
        engine.send_signal(signal.SIGTERM)
        assert engine.wait(30) == 0, text()
    finally:
        if engine.poll() is None:
            engine.kill()
            engine.wait()
        reader.join(5)
        engine.stdout.close()
