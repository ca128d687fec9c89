"""The engine service in a thread of the test process, for tests that need no kill -9."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from engine_service.kinds import EngineKind
from engine_service.service import EngineService, EngineSettings
from streams.keys import ShardKeys


@contextmanager
def running_service(
    url: str, keys: ShardKeys, settings: EngineSettings | None = None, kind: EngineKind | None = None
) -> Iterator[EngineService]:
    """`kind`: the engine the service runs (default: the matching engine, as EngineService's own default)."""
    engines = {} if kind is None else {"make_engine": kind.make, "load_engine": kind.load}
    service = EngineService(url, keys, settings or EngineSettings(block_ms=50), **engines)
    stop = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            service.run(stop)
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=run, name="engine-service", daemon=True)
    thread.start()
    try:
        yield service
    finally:
        stop.set()
        thread.join(30)
        assert not thread.is_alive(), "the service did not stop"
        if failure:
            raise failure[0]


def wait_until_covered(service: EngineService, last_id: tuple[int, int], timeout_s: float = 60) -> None:
    import time

    deadline = time.monotonic() + timeout_s
    while service.position < last_id:
        assert time.monotonic() < deadline, f"service stuck at {service.position}, want {last_id}"
        time.sleep(0.01)
