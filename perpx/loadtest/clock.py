"""The run's clock: seconds since the measured run began, on the monotonic clock the bots' WebSocket
client stamps its answers with (time.perf_counter), so intended, sent and answered times compare."""

import time


class RunClock:
    def __init__(self) -> None:
        self.start_ns = time.perf_counter_ns()

    def restart(self) -> None:
        self.start_ns = time.perf_counter_ns()

    def now_s(self) -> float:
        return (time.perf_counter_ns() - self.start_ns) / 1e9

    def at_s(self, perf_ns: int) -> float:
        """A perf_counter_ns stamp as run seconds."""
        return (perf_ns - self.start_ns) / 1e9
