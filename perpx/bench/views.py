"""`perpx bench --mode views`: how fast the shared views fold the engine's events.

The workload runs through the matching engine first (its events kept); then the clock runs only
while a fresh ExchangeView (books, trades, candles, 24h ticker, prices, markets) applies them all.
At the end every book must equal the engine's, level by level, with the engine's update id.
"""

import gc
import time

from matching.engine import Engine
from matching.risk import Risk
from messages.enums import SelfTradePrevention
from messages.events import Event
from perpx.bench.runner import bench_market_spec, workload_commands
from perpx.bench.workload import WorkloadOp
from views.exchange import ExchangeView


def bench_views(ops: list[WorkloadOp]) -> dict[str, object]:
    markets = sorted({op.market for op in ops})
    specs = [bench_market_spec(i) for i in markets]
    commands = workload_commands(ops, [s.symbol for s in specs], 1, SelfTradePrevention.NONE, with_ids=False)
    engine = Engine(specs, risk=Risk())
    view = ExchangeView()
    view.seed(engine, 0)
    events: list[Event] = []
    for command in commands:
        events += engine.apply(command)
    apply = view.apply
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        for event in events:
            apply(event)
        seconds = (time.perf_counter_ns() - start) / 1e9
    finally:
        gc.enable()
    mismatches = []
    for symbol, market in sorted(engine.markets.items()):
        depth = view.books.depth(symbol, 10**9)
        levels = [(p, lots) for p, lots, _ in depth.bids], [(p, lots) for p, lots, _ in depth.asks]
        if levels != market.book.depth(10**9) or depth.last_update_id != market.book_update_id:
            mismatches.append(f"{symbol}: the view's book differs from the engine's")
    return {
        "commands": len(commands),
        "events": len(events),
        "seconds": round(seconds, 3),
        "events_per_s": round(len(events) / seconds) if seconds else 0,
        "commands_per_s": round(len(commands) / seconds) if seconds else 0,
        "valid": not mismatches,
        "mismatches": mismatches,
    }
