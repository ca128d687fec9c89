"""The full engine benchmark: matching plus margin (pre-trade check on every order, positions and
fees on every fill), and the mark-update figure for a market with many open positions.

`bench_full` replays a workload like `bench_matching`, with orders spread round-robin over funded
accounts and self-trade prevention NONE, so its totals must still match the `.expected.json`.
Deposits happen before the clock starts. `bench_mark_update` builds a market in which every one
of N accounts holds a position (pairs of traders, one long, one short, collateral spread so that
their liquidation prices differ) and times mark-price updates that move the price a little, as
the oracle does: each one asks the liquidation watch which accounts it can have put below
maintenance. For comparison it times the naive alternative, evaluating every account.
"""

import gc
import time

from margin.engine import MarginEngine
from matching.engine import EngineConfig
from messages.commands import Deposit, PlaceOrder, PriceUpdate
from messages.enums import OrderType, SelfTradePrevention, Side, TimeInForce
from perpx.bench.runner import BenchResult, bench_market_spec, run_engine, workload_commands
from perpx.bench.workload import WorkloadOp

FUNDING_MICRO = 1_000_000 * 1_000_000  # a million USDC an account: no order of the workload is refused


def bench_full(
    ops: list[WorkloadOp], expected: dict | None, accounts: int, command_window: int = EngineConfig().command_window
) -> BenchResult:
    markets = sorted({op.market for op in ops})
    specs = [bench_market_spec(i) for i in markets]
    config = EngineConfig(command_window=command_window)

    def funded_engine() -> MarginEngine:
        engine = MarginEngine(specs, config=config)
        for account_id in range(1, accounts + 1):
            engine.apply(Deposit(f"deposit-{account_id}", 0, account_id, FUNDING_MICRO))
        return engine

    commands = workload_commands(ops, [s.symbol for s in specs], accounts, SelfTradePrevention.NONE)
    return run_engine(funded_engine, commands, expected)  # checks the engine's invariants at the end


def bench_mark_update(positions: int, updates: int = 200) -> dict:
    """Per-update latency of PriceUpdate in a market where `positions` accounts hold a position."""
    spec = bench_market_spec(0)
    symbol = spec.symbol
    engine = MarginEngine([spec])
    n = 0

    def apply(command_type: type, *args: object, **kwargs: object) -> list:
        nonlocal n
        n += 1
        return engine.apply(command_type(f"setup-{n}", 0, *args, **kwargs))

    mark = 10_000  # 100.00 USDC
    apply(PriceUpdate, symbol, mark, mark)
    pairs = positions // 2
    for pair in range(pairs):
        long_id, short_id = 2 * pair + 1, 2 * pair + 2
        lots = 1_000 + pair % 97 * 10  # 1 to 2 shares: 100 to 200 USDC of notional
        collateral = (11 + pair % 13) * 1_000_000  # 11 to 23 USDC: 4x to 18x, liquidation prices spread
        apply(Deposit, long_id, collateral)
        apply(Deposit, short_id, collateral)
        apply(PlaceOrder, short_id, symbol, Side.SELL, lots, mark, OrderType.LIMIT, TimeInForce.GTC)
        apply(PlaceOrder, long_id, symbol, Side.BUY, lots, mark, OrderType.LIMIT, TimeInForce.IOC)
    risk = engine.margin
    held = len(risk.holders.get(symbol, ()))
    clock = time.perf_counter_ns
    t0 = clock()
    apply(PriceUpdate, symbol, mark + 1, mark + 1)
    first_us = (clock() - t0) / 1000  # the first look at the prices written by all those fills
    # most marks cross no liquidation price and need no pass over the prices; one that comes near
    # them does: time that pass alone, over every long of the market, with all of them crossed
    longs = risk.watch.longs[symbol]
    for slot in range(len(longs.prices)):
        longs.note_changed(slot)  # as after a burst of fills: the numpy copy is brought up to date
    t0 = clock()
    crossed = len(longs.at_or_above(1))
    pass_us = (clock() - t0) / 1000
    latencies = []
    gc.collect()
    gc.disable()
    try:
        for i in range(updates):
            price = mark + (1 if i % 2 else -1) * (i % 7)  # within +-0.07%: nobody is liquidated
            t0 = clock()
            events = apply(PriceUpdate, symbol, price, price)
            latencies.append(clock() - t0)
            assert [type(e).__name__ for e in events] == ["PriceApplied"]  # and no liquidation
    finally:
        gc.enable()
    accounts = [risk.ledger.accounts[a] for a in sorted(risk.holders[symbol])]
    t0 = clock()
    below = sum(1 for account in accounts if risk.below_maintenance(account))
    scan_us = (clock() - t0) / 1000
    engine.check_invariants()
    latencies.sort()
    return {
        "positions": held,
        "updates": updates,
        "first_update_us": round(first_us, 1),
        "numpy_pass_us": round(pass_us, 1),
        "numpy_pass_accounts": crossed,
        "p50_us": round(latencies[len(latencies) // 2] / 1000, 2),
        "p99_us": round(latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] / 1000, 2),
        "max_us": round(latencies[-1] / 1000, 2),
        "full_scan_us": round(scan_us, 1),
        "below_maintenance": below,
    }
