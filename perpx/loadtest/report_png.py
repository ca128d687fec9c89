"""`--report FILE.png`: latency over time (p50, p99, max per second), the percentile spectrum (as
HdrHistogram plots it: percentile on a 1/(1-p) axis, so the tail gets the room), and throughput over
time; the scenario's events (the crash, the kill, the open) are marked on the time axes."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display needed: the load test may run over ssh

import matplotlib.pyplot as plt

from perpx.loadtest.flows import Flow, Second
from perpx.loadtest.run import Run


def write_report(run: Run, result: dict[str, Any], path: Path) -> None:
    figure, (over_time, spectrum, throughput) = plt.subplots(3, 1, figsize=(10, 12))
    figure.suptitle(
        f"perpx loadtest {result['scenario']}: {result['orders_per_s']:,} orders/s, "
        f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms ({result['loop']} loop)"
    )
    draw_latency_over_time(over_time, run.orders)
    draw_spectrum(spectrum, [run.orders, *run.phases.values(), *run.extra_flows.values()])
    draw_throughput(throughput, [run.orders, run.cancels, *run.extra_flows.values()])
    for axes in (over_time, throughput):
        for at_s, what in run.events:
            axes.axvline(at_s, color="red", linestyle="--", linewidth=1)
            axes.annotate(what, (at_s, 1), xycoords=("data", "axes fraction"), rotation=90, va="top", fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)


def draw_latency_over_time(axes: Any, flow: Flow) -> None:
    seconds = [i for i, s in enumerate(flow.seconds) if s.answered]
    readers: list[tuple[str, Callable[[Second], float | None]]] = [
        ("p50", lambda s: s.latency.percentile_ms(50)),
        ("p99", lambda s: s.latency.percentile_ms(99)),
        ("max", lambda s: s.latency.max_ms()),
    ]
    for label, read in readers:
        axes.plot(seconds, [read(flow.seconds[i]) for i in seconds], label=label)
    axes.set_title("order to ack latency, per second")
    axes.set_xlabel("run time (s)")
    axes.set_ylabel("ms")
    axes.set_yscale("log")
    axes.legend()


def draw_spectrum(axes: Any, flows: list[Flow]) -> None:
    for flow in flows:
        points = [(p, ms) for p, ms in flow.latency.spectrum_ms() if p < 100.0]
        if points:
            axes.plot([1 / (1 - p / 100) for p, _ in points], [ms for _, ms in points], label=flow.name)
    ticks = [1, 2, 10, 100, 1000, 10000]
    axes.set_xscale("log")
    axes.set_xticks(ticks, ["0%", "50%", "90%", "99%", "99.9%", "99.99%"])
    axes.set_title("percentile spectrum of order to ack latency")
    axes.set_ylabel("ms")
    axes.legend()


def draw_throughput(axes: Any, flows: list[Flow]) -> None:
    for flow in flows:
        axes.plot(range(len(flow.seconds)), [s.answered for s in flow.seconds], label=f"{flow.name} answered/s")
    axes.set_title("throughput")
    axes.set_xlabel("run time (s)")
    axes.set_ylabel("per second")
    axes.legend()
