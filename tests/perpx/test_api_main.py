"""`perpx api --workers N`: uvicorn workers that each build the app from the environment and share
every count and key through Redis."""

import os
import subprocess
import sys
import time

import httpx
from cryptography.fernet import Fernet

from api.key_store import create_key
from api.keys import permissions_for
from streams.embedded import free_port


def test_two_workers_serve_the_same_api(redis_server, redis_client, shard_keys):
    server_key = Fernet.generate_key()
    port = free_port()
    env = {**os.environ, "REDIS_URL": redis_server.url, "PERPX_SERVER_KEY": server_key.decode()}
    process = subprocess.Popen(
        [sys.executable, "-m", "perpx.cli", "api", "--port", str(port), "--workers", "2", "--shard", shard_keys.shard],
        env=env,
        stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/fapi/v1/ping", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        api_key = create_key(redis_client, server_key, None, permissions_for())
        used = []
        for _ in range(10):  # new connections: spread over both workers
            with httpx.Client(base_url=base) as client:
                response = client.post("/fapi/v1/listenKey", headers={"X-MBX-APIKEY": api_key.key})
                assert response.status_code == 200
                used.append(int(response.headers["X-MBX-USED-WEIGHT-1M"]))
        assert (
            len({httpx.post(base + "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": api_key.key}).json()["listenKey"]})
            == 1
        )
        assert used == sorted(used) and len(set(used)) == len(used)  # one count, whichever worker answered
    finally:
        process.terminate()
        process.wait(30)
