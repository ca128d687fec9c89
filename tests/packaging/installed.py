"""perpx as a user installs it: the wheel built from this checkout, installed into a fresh virtual
environment outside it (its dependencies borrowed from the test environment: see _build).

The build (mypyc compiles the hot modules: about a minute here) runs in a background thread from the
moment the suite is collected, at low priority, so that it overlaps the rest of the suite instead of
adding to it."""

import os
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _run(argv: list[str], log: list[str]) -> None:
    started = time.monotonic()
    done = subprocess.run(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=lambda: os.nice(10),
        check=False,
    )
    log.append(f"$ {' '.join(argv)}  ({time.monotonic() - started:.0f} s, exit {done.returncode})")
    if done.returncode != 0:
        log.append(done.stdout.decode(errors="replace")[-6000:])
        raise RuntimeError("\n".join(log))


class InstalledPerpx:
    """Builds the wheel and installs it into a fresh venv under a temporary directory."""

    def __init__(self) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="perpx-wheel-"))
        self.venv = self.work / "venv"
        self.log: list[str] = []
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._build, name="wheel-build", daemon=True)

    def start(self) -> "InstalledPerpx":
        self.thread.start()
        return self

    def _build(self) -> None:
        try:
            wheels = self.work / "wheels"
            # the pip cache is used as usual (no --no-cache-dir): dependencies come from it when present
            _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(wheels), str(ROOT)], self.log)
            _run([sys.executable, "-m", "venv", "--without-pip", str(self.venv)], self.log)
            (wheel,) = wheels.glob("perpx-*.whl")
            pip = [sys.executable, "-m", "pip", "--python", str(self.venv / "bin" / "python")]
            _run([*pip, "install", "--no-deps", "--ignore-installed", str(wheel)], self.log)
            # perpx's dependencies are those of the environment running the tests, which pip resolved
            # from the same pyproject.toml: a path to its site-packages, not its .pth files (so not the
            # editable checkout), spares a minute of resolving and unpacking them again. Added after
            # the install, so that pip never takes the editable perpx there for this one.
            site = self.venv / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
            (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        except BaseException as exc:  # reported by wait(), in the test that needs it
            self.error = exc

    def wait(self, timeout_s: float = 900) -> Path:
        """The venv, once installed; raises what the build raised."""
        self.thread.join(timeout_s)
        if self.thread.is_alive():
            raise TimeoutError("the wheel build is still running:\n" + "\n".join(self.log))
        if self.error is not None:
            raise self.error
        return self.venv

    def remove(self) -> None:
        if not self.thread.is_alive():
            subprocess.run(["rm", "-rf", str(self.work)], check=False)
