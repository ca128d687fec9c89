"""Replays a workload through the engine in-process and measures it.

The workload is turned into commands before the clock starts (parsing is not engine work); then
each command is applied and timed alone, every event is produced and kept until the end of the
run. Totals (`traded_qty`, `final_live`, best prices, level counts) are compared with the
workload's `.expected.json`: a run whose engine disagrees is reported invalid.
"""

import gc
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from matching.engine import Engine
from matching.risk import Risk
from messages.commands import CancelOrder, Command, PlaceOrder
from messages.enums import OrderType, SelfTradePrevention, Side, TimeInForce
from messages.events import Trade
from messages.market_spec import MarginTier, MarketSpec
from perpx.bench.workload import WorkloadOp


def bench_market_spec(index: int) -> MarketSpec:
    """A market wide enough for any workload: no minimum notional, no size cap that bites, and a
    market-order band wide enough that a market order is never cut short of the opposite side."""
    return MarketSpec(
        symbol=f"BENCH{index}USDC",
        underlying=f"BENCH{index}",
        tick_size="0.01",
        lot_size="0.001",
        min_notional_micro=0,
        max_order_lots=2**32,  # the most any market may allow (messages/limits.py)
        margin_tiers=(MarginTier(0, 20),),
        maker_fee_ppm=150,
        taker_fee_ppm=450,
        impact_notional_micro=10_000_000_000,
        market_order_band_ppm=999_999,
    )


CHECKED_TOTALS = (
    "traded_qty",
    "final_live",
    "final_best_bid",
    "final_best_ask",
    "final_bid_levels",
    "final_ask_levels",
)


@dataclass
class BenchResult:
    commands: int
    seconds: float
    latencies_ns: list[int]
    traded_qty: int
    final_live: int
    final_best_bid: int | None
    final_best_ask: int | None
    final_bid_levels: int
    final_ask_levels: int
    events: int
    peak_rss_mb: float
    mismatches: list[str] = field(default_factory=list)

    def percentile_us(self, q: float) -> float:
        ordered = sorted(self.latencies_ns)
        index = min(len(ordered) - 1, int(q * len(ordered)))
        return ordered[index] / 1000

    def summary(self) -> dict[str, Any]:
        return {
            "commands": self.commands,
            "commands_per_s": round(self.commands / self.seconds),
            "p50_us": round(self.percentile_us(0.50), 2),
            "p99_us": round(self.percentile_us(0.99), 2),
            "p999_us": round(self.percentile_us(0.999), 2),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "events": self.events,
            "traded_qty": self.traded_qty,
            "final_live": self.final_live,
            "final_best_bid": self.final_best_bid,
            "final_best_ask": self.final_best_ask,
            "final_bid_levels": self.final_bid_levels,
            "final_ask_levels": self.final_ask_levels,
            "valid": not self.mismatches,
            "mismatches": self.mismatches,
        }


def workload_commands(
    ops: list[WorkloadOp], markets: list[str], accounts: int, stp: SelfTradePrevention, with_ids: bool = True
) -> list[Command]:
    """Commands for a workload, orders spread round-robin over `accounts` accounts (1, 2, ...).

    Engine order ids are handed out in acceptance order, which for a valid workload is the
    workload's own id order; cancels name the account that placed the order.
    """
    owner: dict[int, int] = {}
    commands: list[Command] = []
    for i, op in enumerate(ops):
        market = markets[op.market]
        command_id = str(i + 1) if with_ids else ""
        if op.op == "C":
            commands.append(CancelOrder(command_id, 0, owner[op.order_id], market, op.order_id))
            continue
        account_id = 1 + i % accounts
        owner[op.order_id] = account_id
        side = Side.BUY if op.is_buy else Side.SELL
        if op.op == "L":
            commands.append(
                PlaceOrder(
                    command_id,
                    0,
                    account_id,
                    market,
                    side,
                    op.qty_lots,
                    op.price_ticks,
                    OrderType.LIMIT,
                    TimeInForce.GTC,
                    self_trade_prevention=stp,
                )
            )
        else:
            commands.append(
                PlaceOrder(
                    command_id,
                    0,
                    account_id,
                    market,
                    side,
                    op.qty_lots,
                    0,
                    OrderType.MARKET,
                    TimeInForce.IOC,
                    self_trade_prevention=stp,
                )
            )
    return commands


def run_engine(
    make_engine: Callable[[], Engine], commands: list[Command], expected: dict[str, Any] | None
) -> BenchResult:
    """Two passes over fresh engines, each producing every event and then dropping it, as the
    engine service drops events once written (keeping them all would charge the engine for the
    page faults of an ever-growing heap). The first applies the commands back to back and gives
    commands/s, freeing included. The second times each command alone for the percentiles (the
    ~0.1 us a pair of clock reads costs is in those, not in the throughput), and counts what the
    events say after the clock has stopped. Both passes must end in the same state."""
    clock = time.perf_counter_ns
    gc.collect()
    gc.disable()  # a collection pause is not the engine's work
    try:
        engine = make_engine()
        apply = engine.apply
        start = clock()
        for command in commands:
            apply(command)
        seconds = (clock() - start) / 1e9
        timed_engine = make_engine()
        apply = timed_engine.apply
        latencies = [0] * len(commands)
        traded = event_count = 0
        for i, command in enumerate(commands):
            t0 = clock()
            events = apply(command)
            latencies[i] = clock() - t0
            event_count += len(events)
            traded += sum(e.size_lots for e in events if type(e) is Trade)
            del events  # freed after the clock: a command is answered before its events go
    finally:
        gc.enable()
    engine.check_invariants()
    books = [m.book for m in engine.markets.values()]
    book = books[0]  # best prices and level counts are the first market's
    result = BenchResult(
        commands=len(commands),
        seconds=seconds,
        latencies_ns=latencies,
        traded_qty=traded,
        final_live=sum(len(b) for b in books),
        final_best_bid=book.best_bid_ticks,
        final_best_ask=book.best_ask_ticks,
        final_bid_levels=book.level_count(True),
        final_ask_levels=book.level_count(False),
        events=event_count,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
    if timed_engine.state_hash() != engine.state_hash():
        result.mismatches.append("the timed pass ended in a different state than the untimed one")
    if expected is not None:
        for key in CHECKED_TOTALS:
            if getattr(result, key) != expected.get(key):
                result.mismatches.append(f"{key}: got {getattr(result, key)}, expected {expected.get(key)}")
    return result


def bench_matching(ops: list[WorkloadOp], expected: dict[str, Any] | None) -> BenchResult:
    """The book and matching alone: no positions, no fees, one account, no self-trade prevention,
    and no command ids (the engine's idempotence window is the full engine's work, not matching's)."""
    markets = sorted({op.market for op in ops})
    specs = [bench_market_spec(i) for i in markets]
    commands = workload_commands(ops, [s.symbol for s in specs], 1, SelfTradePrevention.NONE, with_ids=False)
    return run_engine(lambda: Engine(specs, risk=Risk()), commands, expected)
