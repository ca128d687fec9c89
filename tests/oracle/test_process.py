"""`perpx oracle` as its own OS process against a real Redis: it starts, publishes prices to the
command stream, and stops cleanly on SIGTERM."""

import os
import signal
import subprocess
import sys
import time

import redis

from messages.codec import decode_command
from messages.commands import PriceUpdate
from streams.keys import ShardKeys


def price_updates(client: redis.Redis, keys: ShardKeys) -> list[PriceUpdate]:
    return [
        command
        for _, fields in client.xrange(keys.commands)
        if isinstance(command := decode_command(fields[b"c"]), PriceUpdate)
    ]


def test_perpx_oracle_runs_and_stops_on_sigterm(redis_server, redis_client, shard_keys):
    env = {**os.environ, "REDIS_URL": redis_server.url}
    args = ["--shard", shard_keys.shard, "--health-port", "0", "--always-open"]
    command = [sys.executable, "-c", "import sys; from perpx.cli import main; sys.exit(main())", "oracle", *args]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as process:
        try:
            deadline = time.monotonic() + 30
            while len({u.market for u in price_updates(redis_client, shard_keys)}) < 13:
                assert process.poll() is None, "perpx oracle exited early"
                assert time.monotonic() < deadline, "no prices published"
                time.sleep(0.05)
        finally:
            process.send_signal(signal.SIGTERM)
            output, _ = process.communicate(timeout=10)
    assert process.returncode == 0, output.decode()
    assert "oracle: 13 markets, sources sim" in output.decode()
    assert all(u.index_price_ticks > 0 and u.mark_price_ticks > 0 for u in price_updates(redis_client, shard_keys))
