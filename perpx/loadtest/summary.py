"""The run's figures: one JSON-ready object, and the table printed at the end.

The headline figures (`orders_per_s`, `p50_ms` ... `max_ms`, `fills`, `errors`) are the traders'
orders; a scenario's own traffic (the flood's malformed messages) and its phases (before and
during the flood, the burst at the open) are reported apart under `flows` and `phases`.
`errors` counts by code: Binance's ("-2019"), or the client's own ("timeout", "connection").
"""

from typing import IO, Any

from rich.console import Console
from rich.table import Table

from perpx.loadtest.run import Run


def summarize(
    run: Run, elapsed_s: float, md: dict[str, object], left: int, findings: dict[str, object]
) -> dict[str, object]:
    options = run.options
    orders = run.orders.summary(elapsed_s)
    scenario_ok = bool(findings.get("ok", True))
    return {
        "scenario": options.scenario,
        "url": options.url,
        "loop": "closed" if options.closed else "open",
        "target_rate": options.rate,
        "traders": options.traders,
        "makers": options.makers,
        "subscribers": options.subscribers,
        "elapsed_s": round(elapsed_s, 3),
        "orders": orders["answered"],
        "orders_sent": orders["sent"],
        "orders_per_s": orders["orders_per_s"],
        **{k: orders[k] for k in ("p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms")},
        "fills": orders["fills"],
        "errors": orders["errors_by_code"],
        "error_count": orders["errors"],
        **md,
        "cancels": run.cancels.summary(elapsed_s),
        "makers_activity": run.makers.summary() if run.makers is not None else {},
        "phases": {name: flow.summary() for name, flow in run.phases.items()},
        "flows": {name: flow.summary() for name, flow in run.extra_flows.items()},
        "events": [{"at_s": at, "what": what} for at, what in run.events],
        "open_orders_left": left,
        "scenario_findings": findings,
        "ok": left == 0 and scenario_ok,
    }


def _ms(value: Any) -> str:
    return "-" if value is None else f"{value:,.3f}"


def print_table(result: dict[str, Any], out: IO[str]) -> None:
    console = Console(file=out)
    table = Table(title=f"perpx loadtest: {result['scenario']}, {result['loop']} loop, {result['elapsed_s']} s")
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [
        ("orders answered", f"{result['orders']:,} of {result['orders_sent']:,} sent"),
        ("orders/s", f"{result['orders_per_s']:,}"),
        *((f"ack latency {p} (ms)", _ms(result[f"{p}_ms"])) for p in ("p50", "p90", "p99", "p999", "max")),
        ("fills", f"{result['fills']:,}"),
        ("errors by code", ", ".join(f"{c}: {n:,}" for c, n in result["errors"].items()) or "none"),
        ("market data messages", f"{result['md_messages']:,} to {result['md_subscribers']:,} subscribers"),
        ("md delay p50 / p99 / max (ms)", " / ".join(_ms(result[f"md_delay_{p}_ms"]) for p in ("p50", "p99", "max"))),
        ("open orders left after clean-up", str(result["open_orders_left"])),
    ]
    for name, flow in {**result["phases"], **result["flows"]}.items():
        rows.append(
            (
                f"[{name}] orders/s, p50 / p99 (ms), errors",
                f"{flow['orders_per_s']:,}, {_ms(flow['p50_ms'])} / {_ms(flow['p99_ms'])}, {flow['errors']:,}",
            )
        )
    for key, value in result["scenario_findings"].items():
        rows.append((f"{result['scenario']}: {key}", str(value)))
    for row in rows:
        table.add_row(*row)
    console.print(table)
