"""The supervisor prefixes output, restarts a service that dies, and stops services in reverse order."""

import io
import threading
import time

from perpx.supervisor import ServiceSpec, Supervisor, get_service_pid


class Lines(io.StringIO):
    def lines(self) -> list[str]:
        return self.getvalue().splitlines()


def wait_for(predicate, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_a_service_that_dies_is_restarted_and_its_output_prefixed(tmp_path):
    out = Lines()
    dying = ServiceSpec("dies", ("bench", "--workload", str(tmp_path / "missing.csv")))  # exits at once
    supervisor = Supervisor([dying], {}, out=out, pid_dir=tmp_path / "pids")
    supervisor.start()
    first_pid = supervisor.children["dies"].process.pid
    assert get_service_pid(tmp_path / "pids", "dies") == first_pid
    watcher = threading.Thread(target=supervisor.watch, kwargs={"poll_s": 0.05}, daemon=True)
    watcher.start()
    wait_for(lambda: supervisor.children["dies"].process.pid != first_pid)
    assert supervisor.children["dies"].restarts == 1
    assert get_service_pid(tmp_path / "pids", "dies") == supervisor.children["dies"].process.pid  # the new one
    supervisor.stop()
    assert get_service_pid(tmp_path / "pids", "dies") is None
    watcher.join(5)
    assert any(line.startswith("dies    | ") and "missing.csv" in line for line in out.lines())


def test_services_stop_in_reverse_order(redis_server, shard_keys):
    out = Lines()
    specs = [
        ServiceSpec(name, ("engine", "--shard", f"{shard_keys.shard}-{name}", "--health-port", "0"))
        for name in ("first", "second")
    ]
    supervisor = Supervisor(specs, {"REDIS_URL": redis_server.url}, out=out)
    supervisor.start()
    wait_for(lambda: sum("recovered at" in line for line in out.lines()) == 2)
    supervisor.stop()
    stopped = [line.split("|")[0].strip() for line in out.lines() if "stopped at command entry" in line]
    assert stopped == ["second", "first"]
    assert all(child.process.returncode == 0 for child in supervisor.children.values())
