"""Runs services as child processes: their output prefixed with their name, a crashed one restarted
with backoff, and all stopped in reverse start order (so producers stop before the engine, which
then snapshots) on Ctrl-C or SIGTERM. With a pid directory, each running child's pid is in
`<dir>/<service>.pid` (what `perpx loadtest --scenario kill` reads to kill the engine).
"""

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from streams.embedded import die_with_parent

log = logging.getLogger("perpx.up")


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    argv: tuple[str, ...]  # arguments of the `perpx` command, e.g. ("engine", "--health-port", "9101")


@dataclass
class Child:
    spec: ServiceSpec
    process: subprocess.Popen[bytes]
    started: float
    restarts: int = 0
    pump: threading.Thread | None = field(default=None, repr=False)


def _pump(name: str, stream: IO[bytes], out: IO[str]) -> None:
    """Copy a child's output line by line, each line prefixed with the service's name."""
    for raw in iter(stream.readline, b""):
        out.write(f"{name:<8}| {raw.decode(errors='replace').rstrip()}\n")
        out.flush()
    stream.close()


class Supervisor:
    def __init__(
        self, specs: list[ServiceSpec], env: dict[str, str], out: IO[str] = sys.stdout, pid_dir: Path | None = None
    ) -> None:
        self.specs = specs
        self.env = env
        self.out = out
        self.pid_dir = pid_dir
        self.children: dict[str, Child] = {}
        self.stopping = threading.Event()

    def spawn(self, spec: ServiceSpec, restarts: int = 0) -> Child:
        process = subprocess.Popen(
            [sys.executable, "-m", "perpx.cli", *spec.argv],
            env={**os.environ, **self.env, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches children only through stop(), in order
            preexec_fn=die_with_parent,  # a `kill -9` of perpx up leaves no service running
        )
        assert process.stdout is not None
        pump = threading.Thread(target=_pump, args=(spec.name, process.stdout, self.out), daemon=True)
        pump.start()
        child = Child(spec, process, time.monotonic(), restarts, pump)
        self.children[spec.name] = child
        if self.pid_dir is not None:
            self.pid_dir.mkdir(parents=True, exist_ok=True)
            pid_file(self.pid_dir, spec.name).write_text(f"{process.pid}\n")
        log.info("started %s (pid %d)", spec.name, process.pid)
        return child

    def start(self) -> None:
        for spec in self.specs:
            self.spawn(spec)

    def watch(self, poll_s: float = 0.2, on_tick: Callable[[], None] | None = None) -> None:
        """Until stop is requested: restart any child that exits, after 1, 2, 4 ... 30 s; call
        `on_tick` (e.g. a check of Redis) every poll."""
        due: dict[str, float] = {}
        while not self.stopping.wait(poll_s):
            if on_tick is not None:
                on_tick()
            now = time.monotonic()
            for name, child in list(self.children.items()):
                code = child.process.poll()
                if code is None:
                    continue
                if name not in due:
                    if now - child.started > 60:
                        child.restarts = 0  # it ran a good while: start the backoff over
                    delay = min(30.0, 2.0**child.restarts)
                    log.warning("%s exited with %s; restarting in %.0f s", name, code, delay)
                    due[name] = now + delay
                elif now >= due[name]:
                    del due[name]
                    self.spawn(child.spec, child.restarts + 1)

    def stop(self, timeout_s: float = 15.0) -> None:
        self.stopping.set()
        for spec in reversed(self.specs):
            child = self.children.get(spec.name)
            if self.pid_dir is not None:
                pid_file(self.pid_dir, spec.name).unlink(missing_ok=True)
            if child is None or child.process.poll() is not None:
                continue
            child.process.send_signal(signal.SIGTERM)
            try:
                child.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop within %.0f s; killing it", spec.name, timeout_s)
                child.process.kill()
                child.process.wait()
            if child.pump is not None:
                child.pump.join(2)
            log.info("%s stopped (exit %s)", spec.name, child.process.returncode)


def pid_file(pid_dir: Path, service: str) -> Path:
    return pid_dir / f"{service}.pid"


def get_service_pid(pid_dir: Path, service: str) -> int | None:
    """The pid of a service a supervisor runs, or None if it wrote none (not running under one)."""
    try:
        return int(pid_file(pid_dir, service).read_text())
    except (OSError, ValueError):
        return None
