"""`perpx admin`: the admin operations from the command line against a running engine."""

import json
import os
import subprocess
import sys

from oracle.admin import admin_stream
from tests.engine_service.engine_process import EngineProcess


def admin(redis_url: str, shard: str, *args: str) -> tuple[int, dict]:
    done = subprocess.run(
        [sys.executable, "-m", "perpx.cli", "admin", "--shard", shard, *args],
        env={**os.environ, "REDIS_URL": redis_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, json.loads(done.stdout.strip().splitlines()[-1])


def test_admin_commands(redis_server, redis_client, shard_keys):
    engine = EngineProcess(redis_server.url, shard_keys, snapshot_every=100_000, kind="margin")
    engine.wait_recovered()
    try:
        url, shard = redis_server.url, shard_keys.shard
        assert admin(url, shard, "deposit", "--account", "7", "--usdc", "100000") == (
            0,
            {"account": 7, "amount": "100000.000000", "balance": "100000.000000"},
        )
        code, answer = admin(url, shard, "withdraw", "--account", "7", "--usdc", "200000")
        assert (code, answer["code"]) == (1, -2019)
        assert admin(url, shard, "status", "--symbol", "NVDAUSDC", "--status", "HALTED") == (
            0,
            {"symbol": "NVDAUSDC", "status": "HALTED"},
        )
        code, answer = admin(url, shard, "price", "--underlying", "NVDA", "--price", "181.5")
        assert code == 0 and answer["sent"] == "PostPrice"
        assert redis_client.xlen(admin_stream(shard_keys)) == 1
        code, answer = admin(url, shard, "deposit", "--account", "7", "--usdc", "1e5")
        assert (code, answer["code"]) == (1, -1100)
    finally:
        engine.stop()
