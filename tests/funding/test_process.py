"""`perpx funding` as its own OS process against a real Redis: it starts, publishes, stops cleanly."""

import os
import signal
import subprocess
import sys
import time

from funding.publisher import get_premium_index


def test_perpx_funding_runs_and_stops_on_sigterm(redis_server, redis_client, shard_keys):
    env = {**os.environ, "REDIS_URL": redis_server.url}
    args = ["--shard", shard_keys.shard, "--sample-interval-ms", "100", "--health-port", "0"]
    command = [sys.executable, "-c", "import sys; from perpx.cli import main; sys.exit(main())", "funding", *args]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as process:
        try:
            deadline = time.monotonic() + 20
            while get_premium_index(redis_client, shard_keys, "AAPLUSDC") is None:
                assert process.poll() is None, "perpx funding exited early"
                assert time.monotonic() < deadline, "no premium index published"
                time.sleep(0.05)
        finally:
            process.send_signal(signal.SIGTERM)
            output, _ = process.communicate(timeout=10)
    assert process.returncode == 0, output.decode()
    assert "funding for shard" in output.decode()
