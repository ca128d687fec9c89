"""The live progress bar (rich), on stderr: elapsed against the duration (or orders against the
count), with the figures of the last second and of the run so far."""

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

from perpx.loadtest.run import Run


class Progress:
    def __init__(self, run: Run, enabled: bool = True) -> None:
        self.run = run
        self.enabled = enabled
        self.bar = RichProgress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[figures]}"),
            console=Console(stderr=True),
            disable=not enabled,
            transient=False,
        )
        options = run.options
        total = options.duration_s if options.count is None else float(options.count)
        self.task = self.bar.add_task(f"loadtest {options.scenario}", total=total, figures="")

    def __enter__(self) -> "Progress":
        self.bar.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.bar.__exit__(kind, error, trace)

    def update(self) -> None:
        if not self.enabled:
            return
        run = self.run
        orders = run.orders
        done = run.clock.now_s() if run.options.count is None else float(orders.sent)
        last = orders.seconds[-2] if len(orders.seconds) >= 2 else None
        last_rate = last.answered if last is not None else 0
        md = run.subscribers.delay.percentile_ms(99) if run.subscribers is not None else None
        figures = (
            f"{last_rate:,} orders/s  p50 {orders.latency.percentile_ms(50) or 0:.2f} ms  "
            f"p99 {orders.latency.percentile_ms(99) or 0:.2f} ms  fills {orders.fills:,}  "
            f"errors {orders.error_count():,}  md p99 {md or 0:.1f} ms"
        )
        self.bar.update(self.task, completed=done, figures=figures)
