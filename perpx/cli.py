"""The `perpx` command: one entry point for every service, the benchmark and the tools."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from engine_service.main import add_engine_parser
from funding.main import add_funding_parser
from matching.engine import EngineConfig
from oracle.main import add_oracle_parser
from perpx.admin_cli import add_admin_parser
from perpx.api_main import add_api_parser
from perpx.bench.rest import add_bench_rest_parser
from perpx.bench.runner import bench_matching
from perpx.bench.workload import generate_workload, load_expected, load_workload, write_workload
from perpx.bench.ws_orders import add_bench_ws_parser
from perpx.demo import add_demo_bots_parser
from perpx.keys_cli import add_keys_parser
from perpx.loadtest.options import add_loadtest_parser
from perpx.up import add_up_parser
from views.history.main import add_indexer_parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.run(args)
    return result


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="perpx", description="perpx, a stock perpetual-futures exchange")
    commands = parser.add_subparsers(dest="command", required=True)

    bench = commands.add_parser("bench", help="replay a workload through the engine and measure it")
    source = bench.add_mutually_exclusive_group(required=True)
    source.add_argument("--workload", type=Path, help="a workload CSV (the format of shared/bench)")
    source.add_argument("--generate", type=int, metavar="N", help="generate an N-command workload instead")
    bench.add_argument(
        "--mode",
        choices=["matching", "full", "redis", "views"],
        default="matching",
        help="matching: the engine in-process; full: with margin (pre-trade checks, positions, fees) over "
        "--accounts funded accounts; redis: the engine service through a real Redis (REDIS_URL or embedded); "
        "views: the shared read-side views folding the matching engine's events",
    )
    bench.add_argument("--accounts", type=int, default=1000, help="full mode: funded accounts, orders round-robin")
    bench.add_argument(
        "--mark-positions",
        type=int,
        default=0,
        metavar="N",
        help="full mode: also time mark-price updates in a market where N accounts hold a position",
    )
    bench.add_argument(
        "--command-window",
        type=int,
        default=EngineConfig().command_window,
        metavar="N",
        help="full mode: command ids the engine remembers (its idempotence window; 0: none), to see what it costs",
    )
    bench.add_argument("--batch-size", type=int, default=1000, help="redis mode: command entries per read")
    bench.add_argument("--seed", type=int, default=42, help="seed of a generated workload")
    bench.add_argument("--markets", type=int, default=1, help="markets of a generated workload")
    bench.add_argument("--depth", type=int, default=40, help="price levels a side of a generated workload")
    bench.add_argument("--save", type=Path, help="write the generated workload to this CSV")
    bench.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    bench.set_defaults(run=run_bench)
    add_up_parser(commands)
    add_engine_parser(commands)
    add_oracle_parser(commands)
    add_funding_parser(commands)
    add_api_parser(commands)
    add_keys_parser(commands)
    add_admin_parser(commands)
    add_bench_rest_parser(commands)
    add_bench_ws_parser(commands)
    add_loadtest_parser(commands)
    add_indexer_parser(commands)
    add_demo_bots_parser(commands)
    return parser


def run_bench(args: argparse.Namespace) -> int:
    if args.workload is not None:
        ops = load_workload(args.workload)
        expected = load_expected(args.workload)
        name = str(args.workload)
    else:
        ops = generate_workload(args.generate, args.seed, markets=args.markets, depth_levels=args.depth)
        expected = None
        name = f"generated n={args.generate} seed={args.seed} markets={args.markets} depth={args.depth}"
        if args.save is not None:
            write_workload(args.save, ops)
    if args.mode == "redis":
        return report_redis_bench(args, name, ops, expected)
    if args.mode == "views":
        return report_views_bench(args, name, ops)
    if args.mode == "full":
        from perpx.bench.full import bench_full

        result = bench_full(ops, expected, args.accounts, args.command_window)
        name += f", {args.accounts} funded accounts, margin on, a {args.command_window:,}-id command window"
    else:
        result = bench_matching(ops, expected)
    summary = {"mode": args.mode, "workload": name, **result.summary()}
    print(f"perpx bench --mode {args.mode}: {name}")
    print(f"  {summary['commands']:,} commands, {summary['events']:,} events")
    print(f"  {summary['commands_per_s']:,} commands/s")
    print(
        f"  latency per command: p50 {summary['p50_us']} us, p99 {summary['p99_us']} us, p99.9 {summary['p999_us']} us"
    )
    print(f"  peak RSS {summary['peak_rss_mb']} MB")
    print(f"  traded {summary['traded_qty']:,} lots, {summary['final_live']:,} orders resting at the end")
    if expected is None:
        print("  no .expected.json beside the workload: totals not checked")
    elif result.mismatches:
        print("  INVALID run, totals differ from .expected.json: " + "; ".join(result.mismatches))
    else:
        print("  totals match .expected.json")
    if args.mode == "full" and args.mark_positions:
        from perpx.bench.full import bench_mark_update

        summary["mark_update"] = mark = bench_mark_update(args.mark_positions)
        print(
            f"  mark update with {mark['positions']:,} open positions: p50 {mark['p50_us']} us, "
            f"p99 {mark['p99_us']} us, max {mark['max_us']} us over {mark['updates']} updates "
            f"(first update after the fills: {mark['first_update_us']} us; a pass over all "
            f"{mark['numpy_pass_accounts']:,} long liquidation prices: {mark['numpy_pass_us']} us; "
            f"evaluating every account instead: {mark['full_scan_us']} us)"
        )
    if args.json:
        print(json.dumps(summary))
    return 1 if result.mismatches else 0


def report_views_bench(args: argparse.Namespace, name: str, ops: list[Any]) -> int:
    from perpx.bench.views import bench_views

    summary = {"mode": args.mode, "workload": name, **bench_views(ops)}
    print(f"perpx bench --mode views: {name}")
    print(f"  {summary['events']:,} events of {summary['commands']:,} commands folded in {summary['seconds']} s")
    print(f"  {summary['events_per_s']:,} events/s ({summary['commands_per_s']:,} commands' worth per second)")
    print("  books equal the engine's" if summary["valid"] else "  INVALID run: " + "; ".join(summary["mismatches"]))
    if args.json:
        print(json.dumps(summary))
    return 0 if summary["valid"] else 1


def report_redis_bench(args: argparse.Namespace, name: str, ops: list[Any], expected: dict[str, Any] | None) -> int:
    from perpx.bench.redis_runner import bench_redis
    from streams.connection import redis_url_from_env

    summary = {"mode": args.mode, "workload": name, **bench_redis(ops, expected, redis_url_from_env(), args.batch_size)}
    print(f"perpx bench --mode redis: {name}")
    print(f"  {summary['commands']:,} commands through Redis, {summary['events']:,} events written")
    print(f"  {summary['commands_per_s']:,} commands/s (batches of up to {summary['batch_size']})")
    print(
        f"  latency per command (its batch's read+apply+write): p50 {summary['p50_us']} us, p99 {summary['p99_us']} us"
    )
    print(f"  recovery from a snapshot {summary['recovery_commands']:,} commands old: {summary['recovery_s']} s")
    print("  totals match .expected.json" if summary["valid"] else "  INVALID run: " + "; ".join(summary["mismatches"]))
    if args.json:
        print(json.dumps(summary))
    return 0 if summary["valid"] else 1


if __name__ == "__main__":
    sys.exit(main())
