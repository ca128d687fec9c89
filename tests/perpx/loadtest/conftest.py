"""A real exchange for the load test's tests: `perpx up` over a temporary data directory (Redis,
engine, oracle, funding, indexer, api), as an operator runs it, once for the package; its oracle
trusts a price posted by the admin API (what the crash scenario needs; nothing else posts one)."""

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.perpx.test_up import Up, perpx_up

LIMITS = ",".join(
    f"{name}=100000000"
    for name in ("orders_per_10s", "orders_per_minute", "ip_weight_per_minute", "key_weight_per_minute")
)


@pytest.fixture(scope="package")
def exchange(tmp_path_factory) -> Iterator[Up]:
    data_dir = tmp_path_factory.mktemp("exchange")
    crash_config = Path(__file__).resolve().parents[3] / "perpx" / "loadtest" / "crash_oracle.toml"
    with perpx_up(data_dir, "--always-open", "--oracle-config", str(crash_config), PERPX_API_LIMITS=LIMITS) as up:
        up.wait_for("DEMO keys")  # the engine funded them and the api answers
        yield up


@pytest.fixture
def data_dir(exchange: Up) -> Path:
    return Path(re.search(r"data in (\S+)/redis\)", exchange.text()).group(1))


def loadtest(exchange: Up, data_dir: Path, *options: str) -> tuple[dict, str]:
    """`perpx loadtest ... --json` as a process: its JSON object, and everything it printed."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "perpx.cli",
            "loadtest",
            "--url",
            f"http://127.0.0.1:{exchange.api_port}",
            "--data-dir",
            str(data_dir),
            "--json",
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.stdout.strip(), done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr
