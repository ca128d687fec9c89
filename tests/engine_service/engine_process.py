"""`perpx engine` as a child process that tests can kill -9, and how far its events have got."""

import os
import subprocess
import sys
import threading
import time

import redis

from streams.keys import ShardKeys
from streams.stream_ids import StreamId, parse_id


class EngineProcess:
    def __init__(
        self, url: str, keys: ShardKeys, snapshot_every: int, batch_size: int = 500, kind: str = "matching"
    ) -> None:
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "perpx.cli", "engine", "--shard", keys.shard, "--kind", kind),
                *("--snapshot-every", str(snapshot_every), "--batch-size", str(batch_size), "--health-port", "0"),
            ],
            env={**os.environ, "REDIS_URL": url, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.lines: list[str] = []
        self.recovered = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for raw in iter(self.process.stderr.readline, b""):
            line = raw.decode(errors="replace").rstrip()
            self.lines.append(line)
            if "recovered at" in line:
                self.recovered.set()
        self.process.stderr.close()

    def wait_recovered(self, timeout_s: float = 60) -> None:
        if not self.recovered.wait(timeout_s):
            self.kill()
            raise AssertionError("engine did not recover:\n" + "\n".join(self.lines[-30:]))

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.reader.join(10)

    def stop(self, timeout_s: float = 60) -> int:
        self.process.terminate()
        code = self.process.wait(timeout_s)
        self.reader.join(10)
        assert code == 0, "engine failed:\n" + "\n".join(self.lines[-30:])
        return code


def covered(client: redis.Redis, keys: ShardKeys) -> StreamId:
    """The last command entry whose events are in the event stream."""
    newest = client.xrevrange(keys.events, count=1)
    return parse_id(newest[0][1][b"c"]) if newest else (0, 0)


def wait_covered(client: redis.Redis, keys: ShardKeys, last: StreamId, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while covered(client, keys) < last:
        assert time.monotonic() < deadline, f"events cover {covered(client, keys)}, want {last}"
        time.sleep(0.02)
