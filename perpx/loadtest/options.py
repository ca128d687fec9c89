"""`perpx loadtest`'s command line, and the settings of one run it becomes."""

import argparse
from dataclasses import dataclass
from pathlib import Path

from streams.connection import DEFAULT_DATA_DIR

DEFAULT_SYMBOLS = "NVDAUSDC,AAPLUSDC,TSLAUSDC,SPYUSDC"
SCENARIO_NAMES = ("steady", "crash", "open", "flood", "slow", "kill")  # perpx.loadtest.scenarios.SCENARIOS

DESCRIPTION = """\
Load the running exchange through its public API: N traders sending orders over the WebSocket API,
M market makers quoting over REST (the bots of bots/), K market-data subscribers. Open loop at
--rate orders/s (latency counted from each order's intended send time), or --closed for the maximum.
It creates and funds its own accounts (through the admin API with --admin-key/--admin-secret, or
locally through the --data-dir of a running perpx up), stops by itself after --duration or --count,
cancels what its accounts left open, and prints orders/s, ack latency percentiles, fills, errors by
code and the market-data delay."""

EXAMPLES = """\
examples:
  perpx loadtest --rate 1000 --duration 30                       WebSocket order to ack at 1,000 orders/s
  perpx loadtest --closed --traders 8 --duration 30               the maximum closed-loop rate
  perpx loadtest --rate 1000 --subscribers 1000 --duration 30     market data to 1,000 subscribers
  perpx loadtest --scenario crash --duration 40 --report crash.png
  perpx loadtest --scenario kill --duration 30 --json             kill -9 the engine, then verify"""


@dataclass(frozen=True)
class LoadtestOptions:
    url: str
    traders: int
    makers: int
    subscribers: int
    rate: float | None  # orders/s over all traders; None: closed loop
    in_flight: int  # closed loop: requests each trader keeps outstanding
    duration_s: float | None
    count: int | None
    scenario: str
    symbols: tuple[str, ...]  # empty (--symbols ALL): every trading market
    usdc: str
    timeout_s: float
    json: bool
    report: Path | None
    admin_key: str | None
    admin_secret: str | None
    data_dir: Path
    seed: int
    quiet: bool

    @property
    def closed(self) -> bool:
        return self.rate is None


def add_loadtest_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = commands.add_parser(
        "loadtest",
        help="load a running exchange through its public API and measure it",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the exchange's REST and WebSocket base URL")
    parser.add_argument("--traders", type=int, default=4, help="WebSocket order-entry traders (one connection each)")
    parser.add_argument("--makers", type=int, default=2, help="market makers quoting over REST")
    parser.add_argument("--subscribers", type=int, default=10, help="market-data subscribers (one connection each)")
    pace = parser.add_mutually_exclusive_group()
    pace.add_argument("--rate", type=float, metavar="ORDERS_PER_S", help="open loop: orders/s over all traders")
    pace.add_argument("--closed", action="store_true", help="closed loop: each trader sends as answers come back")
    parser.add_argument("--in-flight", type=int, default=1, help="closed loop: requests each trader keeps in flight")
    stop = parser.add_mutually_exclusive_group()
    stop.add_argument("--duration", type=float, metavar="S", help="run this long (default 10 s)")
    stop.add_argument("--count", type=int, metavar="N", help="send this many orders, then stop")
    parser.add_argument("--scenario", choices=SCENARIO_NAMES, default="steady")
    parser.add_argument(
        "--symbols",
        default=DEFAULT_SYMBOLS,
        help=f"comma-separated markets to trade, or ALL (default {DEFAULT_SYMBOLS}: each maker quotes each one)",
    )
    parser.add_argument("--usdc", default="1000000", help="what each load-test account is funded with")
    parser.add_argument("--timeout", type=float, default=10.0, help="an order unanswered this long is an error")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    parser.add_argument("--report", type=Path, metavar="FILE.png", help="latency, percentiles, throughput as a PNG")
    parser.add_argument("--admin-key", help="an admin key: accounts are created and funded through the admin API")
    parser.add_argument("--admin-secret")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="without --admin-key: the running perpx up's data directory (keys are made there); the kill "
        "scenario needs it in any case (the engine's pid, the history)",
    )
    parser.add_argument("--seed", type=int, default=1, help="the traders' random choices")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run_loadtest)


def options_from(args: argparse.Namespace) -> LoadtestOptions:
    if (args.admin_key is None) != (args.admin_secret is None):
        raise SystemExit("perpx loadtest: --admin-key and --admin-secret go together")
    if args.traders < 1 or args.makers < 0 or args.subscribers < 0 or args.in_flight < 1:
        raise SystemExit("perpx loadtest: at least one trader; makers, subscribers >= 0; --in-flight >= 1")
    if args.rate is not None and args.rate <= 0:
        raise SystemExit("perpx loadtest: --rate must be positive")
    duration = args.duration if args.duration is not None or args.count is not None else 10.0
    return LoadtestOptions(
        url=args.url.rstrip("/"),
        traders=args.traders,
        makers=args.makers,
        subscribers=args.subscribers,
        rate=None if args.closed else (args.rate if args.rate is not None else 100.0),
        in_flight=args.in_flight,
        duration_s=duration,
        count=args.count,
        scenario=args.scenario,
        symbols=()
        if args.symbols.upper() == "ALL"
        else tuple(s.strip().upper() for s in args.symbols.split(",") if s.strip()),
        usdc=args.usdc,
        timeout_s=args.timeout,
        json=args.json,
        report=args.report,
        admin_key=args.admin_key,
        admin_secret=args.admin_secret,
        data_dir=args.data_dir,
        seed=args.seed,
        quiet=args.quiet,
    )


def run_loadtest(args: argparse.Namespace) -> int:
    import asyncio
    import logging

    from perpx.loadtest.runner import run

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    return asyncio.run(run(options_from(args)))
