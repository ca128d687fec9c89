"""The load test's arithmetic: percentiles, a flow's counts, and the open-loop pacer's intended
times, which do not slip when the sender is held up (so a stall is charged to the latency)."""

import asyncio
import time

import pytest

from perpx.loadtest.clock import RunClock
from perpx.loadtest.flows import Flow, Recorders
from perpx.loadtest.latency import Latency
from perpx.loadtest.pacing import Budget, open_loop


def test_percentiles_of_one_to_a_thousand_ms():
    latency = Latency()
    for ms in range(1, 1001):
        latency.record_s(ms / 1000)
    figures = latency.summary_ms()
    assert figures["p50_ms"] == pytest.approx(500, rel=0.001)
    assert figures["p99_ms"] == pytest.approx(990, rel=0.001)
    assert figures["p999_ms"] == pytest.approx(999, rel=0.001)
    assert figures["max_ms"] == pytest.approx(1000, rel=0.001)
    assert latency.count == 1000
    spectrum = latency.spectrum_ms()
    assert spectrum[-1][0] == 100.0 and spectrum == sorted(spectrum)


def test_nothing_recorded_has_no_percentiles():
    assert Latency().summary_ms() == {"p50_ms": None, "p90_ms": None, "p99_ms": None, "p999_ms": None, "max_ms": None}


def test_a_flow_counts_answers_errors_and_fills():
    flow = Flow("orders")
    for _ in range(4):
        flow.note_sent()
    flow.note_answer(0.0, 0.002, None, filled=True)
    flow.note_answer(0.5, 0.501, None, filled=False)
    flow.note_answer(1.0, 1.003, "-2019", filled=True)  # a refusal never counts as a fill
    flow.note_failure("timeout")
    summary = flow.summary(elapsed_s=2.0)
    assert (summary["sent"], summary["answered"], summary["accepted"], summary["fills"]) == (4, 3, 2, 1)
    assert summary["errors_by_code"] == {"-2019": 1, "timeout": 1} and summary["errors"] == 2
    assert summary["orders_per_s"] == 1.5
    assert [s.answered for s in flow.seconds] == [2, 1] and [s.accepted for s in flow.seconds] == [2, 0]


def test_recorders_write_to_every_flow():
    a, b = Flow("a"), Flow("b")
    both = Recorders([a, b])
    both.note_sent()
    both.note_answer(0.0, 0.001, None)
    assert (a.sent, a.answered, b.sent, b.answered) == (1, 1, 1, 1)


class StallingTrader:
    """Records intended times; its first order blocks the event loop for 0.2 s (a stalled sender)."""

    def __init__(self) -> None:
        self.intended: list[float] = []

    def place_soon(self, intended_s: float, flow: object) -> None:
        if not self.intended:
            time.sleep(0.2)
        self.intended.append(intended_s)


async def test_open_loop_keeps_the_intended_times_through_a_stall():
    trader = StallingTrader()
    stop = asyncio.Event()
    clock = RunClock()
    await open_loop([trader], clock, lambda t: 100.0, lambda t: [], Budget(50), stop)  # type: ignore[list-item]
    assert len(trader.intended) == 50
    assert trader.intended == pytest.approx([i / 100 for i in range(50)])  # 10 ms apart, whatever the stall


async def test_open_loop_follows_a_rate_that_changes():
    trader = StallingTrader()
    trader.intended.append(-1.0)  # no stall this time
    rate = lambda t: 100.0 if t < 0.095 else 1000.0  # noqa: E731
    await open_loop([trader], RunClock(), rate, lambda t: [], Budget(30), asyncio.Event())  # type: ignore[list-item]
    gaps = [round(b - a, 6) for a, b in zip(trader.intended[1:], trader.intended[2:], strict=False)]
    assert gaps[:10] == [0.01] * 10 and set(gaps[10:]) == {0.001}
