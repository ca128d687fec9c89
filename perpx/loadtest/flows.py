"""One flow of requests (the normal orders, the flood's malformed messages, the crash's leveraged
orders ...): its answers, errors by code, fills, and the per-second series the PNG draws.

Times are seconds on the run's monotonic clock (0 at the start of the measured run), so that a
flow's series line up with every other flow's and with the scenario's events.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from perpx.loadtest.latency import Latency


class Recorder(Protocol):
    def note_sent(self) -> None: ...

    def note_answer(
        self, intended_s: float, answered_s: float, error_code: str | None, filled: bool = False
    ) -> None: ...

    def note_failure(self, code: str, intended_s: float | None = None, given_up_s: float | None = None) -> None: ...


@dataclass
class Second:
    """What happened within one second of the run."""

    answered: int = 0
    accepted: int = 0
    latency: Latency = field(default_factory=lambda: Latency(significant_figures=2))


class Flow:
    def __init__(self, name: str) -> None:
        self.name = name
        self.latency = Latency()
        self.sent = 0
        self.answered = 0  # answers of any kind (an error answer too) within the client's timeout
        self.accepted = 0  # answers that carry a result
        self.fills = 0  # fills of this flow's orders (acks that say FILLED or PARTIALLY_FILLED)
        self.errors: Counter[str] = Counter()  # Binance code ("-2019") or the client's own ("timeout")
        self.seconds: list[Second] = []
        self.first_s: float | None = None  # the earliest intended time answered, the latest answer:
        self.last_s: float | None = None  # a phase's own span, for its rate

    def note_sent(self) -> None:
        self.sent += 1

    def note_answer(self, intended_s: float, answered_s: float, error_code: str | None, filled: bool = False) -> None:
        """An answer, its latency counted from when the request was meant to go (open loop) or
        went (closed loop): a sender held up by a stall is charged for the stall."""
        latency_s = max(0.0, answered_s - intended_s)
        self.latency.record_s(latency_s)
        self._second(answered_s).latency.record_s(latency_s)
        self.first_s = intended_s if self.first_s is None else min(self.first_s, intended_s)
        self.note_untimed_answer(answered_s, error_code, filled)

    def note_untimed_answer(self, answered_s: float, error_code: str | None, filled: bool = False) -> None:
        """An answer not matched to its request (the flood's WebSocket frames): counted, not timed."""
        self.last_s = answered_s if self.last_s is None else max(self.last_s, answered_s)
        if self.first_s is None:
            self.first_s = answered_s
        self.answered += 1
        second = self._second(answered_s)
        second.answered += 1
        if error_code is None:
            self.accepted += 1
            second.accepted += 1
            self.fills += int(filled)
        else:
            self.errors[error_code] += 1

    def note_failure(self, code: str, intended_s: float | None = None, given_up_s: float | None = None) -> None:
        """A request that got no answer (timeout, connection lost). A timeout's latency is at least
        the wait until the client gave up: it is recorded as that, so that the percentiles do not
        leave out the worst requests (given the times)."""
        self.errors[code] += 1
        if intended_s is not None and given_up_s is not None:
            latency_s = max(0.0, given_up_s - intended_s)
            self.latency.record_s(latency_s)
            self._second(given_up_s).latency.record_s(latency_s)

    def note_fill(self) -> None:
        self.fills += 1

    def _second(self, at_s: float) -> Second:
        index = max(0, int(at_s))
        while len(self.seconds) <= index:
            self.seconds.append(Second())
        return self.seconds[index]

    def error_count(self) -> int:
        return sum(self.errors.values())

    def summary(self, elapsed_s: float | None = None) -> dict[str, object]:
        """`elapsed_s`: the run's length, over which the rate is counted; None: the flow's own span
        (a phase's, from its first intended send to its last answer)."""
        if elapsed_s is None:
            elapsed_s = (self.last_s or 0.0) - (self.first_s or 0.0)
        return {
            "sent": self.sent,
            "answered": self.answered,
            "accepted": self.accepted,
            "orders_per_s": round(self.answered / elapsed_s, 1) if elapsed_s > 0 else 0.0,
            **self.latency.summary_ms(),
            "fills": self.fills,
            "errors": self.error_count(),
            "errors_by_code": dict(sorted(self.errors.items())),
        }


class Recorders:
    """Records into several flows at once (the whole run's, and a scenario's phase)."""

    def __init__(self, flows: list[Flow]) -> None:
        self.flows = flows

    def note_sent(self) -> None:
        for flow in self.flows:
            flow.note_sent()

    def note_answer(self, intended_s: float, answered_s: float, error_code: str | None, filled: bool = False) -> None:
        for flow in self.flows:
            flow.note_answer(intended_s, answered_s, error_code, filled)

    def note_failure(self, code: str, intended_s: float | None = None, given_up_s: float | None = None) -> None:
        for flow in self.flows:
            flow.note_failure(code, intended_s, given_up_s)
