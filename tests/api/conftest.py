"""A real exchange for the api tests: the margin engine service (`perpx engine --kind margin`) and
the api (`perpx api`, uvicorn) as child processes on the suite's Redis, one pair for the package;
funded accounts with keys, an admin key, and marks for the markets."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
import redis
from cryptography.fernet import Fernet

from api.key_store import create_key
from api.keys import ApiKey, permissions_for
from messages.commands import PriceUpdate
from streams.client import append_command
from streams.embedded import free_port
from streams.keys import ShardKeys
from tests.api.binance_client import SignedClient
from tests.engine_service.engine_process import EngineProcess

SERVER_KEY = Fernet.generate_key()
MARKS = {"NVDAUSDC": 18_000, "AAPLUSDC": 23_000, "TSLAUSDC": 40_000, "MSTRUSDC": 15_000}  # ticks of 0.01


@dataclass
class Exchange:
    url: str  # the api's base URL
    redis_url: str
    keys: ShardKeys
    client: redis.Redis
    admin: SignedClient

    def new_key(self, account: int | None = None, read_only: bool = False) -> ApiKey:
        return create_key(self.client, SERVER_KEY, account, permissions_for(read_only))

    def funded_key(self, usdc: str = "1000000", read_only: bool = False) -> ApiKey:
        api_key = self.new_key(read_only=read_only)
        body = self.admin.ok("POST", "/perpx/v1/admin/deposit", {"account": api_key.account_id, "amount": usdc})
        assert body["account"] == api_key.account_id
        return api_key

    def signed(self, api_key: ApiKey, in_body: bool = False) -> SignedClient:
        return SignedClient(self.url, api_key.key, api_key.secret, in_body)


def start_api(
    redis_url: str,
    keys: ShardKeys,
    limits: str = "",
    namespace: str = "",
    timeout_s: float = 5.0,
    history_db: str = "",
) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "PERPX_SERVER_KEY": SERVER_KEY.decode(),
        "PERPX_API_LIMITS": limits or "ip_weight_per_minute=1000000,key_weight_per_minute=1000000",
        "PERPX_API_LIMITS_NAMESPACE": namespace,
        "PERPX_API_COMMAND_TIMEOUT_S": str(timeout_s),
        "PERPX_HISTORY_DB": history_db,  # "": the live views only
        "PERPX_WS_LISTEN_KEY_CHECK_S": "0.5",  # WebSocket tests see a lapsed listenKey at once
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "perpx.cli", "api", "--port", str(port), "--shard", keys.shard],
        env=env,
        stdin=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(url + "/fapi/v1/ping", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        assert process.poll() is None, "perpx api exited"
        assert time.monotonic() < deadline, "perpx api did not answer"
        time.sleep(0.05)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="package")
def exchange(redis_server) -> Iterator[Exchange]:
    with running_exchange(redis_server.url, "api") as started:
        yield started


@contextmanager
def running_exchange(redis_url: str, name: str, limits: str = "") -> Iterator[Exchange]:
    """An engine and an api on their own shard of the suite's Redis (tests/bots runs one too)."""
    keys = ShardKeys(f"test{os.getpid()}-{name}")
    client = redis.Redis.from_url(redis_url)
    engine = EngineProcess(redis_url, keys, snapshot_every=100_000, batch_size=200, kind="margin")
    engine.wait_recovered()
    for symbol, ticks in MARKS.items():
        append_command(client, keys, PriceUpdate(f"mark-{symbol}", int(time.time() * 1000), symbol, ticks, ticks))
    api, url = start_api(redis_url, keys, limits)
    admin_key = create_key(client, SERVER_KEY, 0, permissions_for(admin=True))
    admin = SignedClient(url, admin_key.key, admin_key.secret)
    try:
        yield Exchange(url, redis_url, keys, client, admin)
    finally:
        admin.close()
        stop(api)
        engine.stop()
        client.close()


def leave_no_orders(client: SignedClient) -> None:
    """Tests share the books: each test's orders go when it ends."""
    try:
        for symbol in MARKS:
            client.ok("DELETE", "/fapi/v1/allOpenOrders", {"symbol": symbol})
    finally:
        client.close()


@pytest.fixture
def trader(exchange: Exchange) -> Iterator[SignedClient]:
    """A funded account's client, parameters in the query string (as UMFutures sends them)."""
    client = exchange.signed(exchange.funded_key())
    yield client
    leave_no_orders(client)


@pytest.fixture
def other_trader(exchange: Exchange) -> Iterator[SignedClient]:
    """Another funded account's client, parameters in a form body (as ccxt sends them)."""
    client = exchange.signed(exchange.funded_key(), in_body=True)
    yield client
    leave_no_orders(client)
