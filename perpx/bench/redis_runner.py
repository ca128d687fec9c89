"""`perpx bench --mode redis`: the engine service's sustained intake through a real Redis.

All but the last 10,000 of the workload's commands are preloaded into a fresh shard's command
stream (not timed). Then the service, in this process, drains it: blocking batched reads, apply,
one MULTI write of each batch's events, snapshots at its usual cadence; that is the throughput.
It snapshots and stops; the last 10,000 commands are appended (as if they arrived while it was
down), and a new service recovers from the snapshot and catches up through them, applying and
writing them: that restart is `recovery_s`.

Latency keys (p50_us ...) are per command but a command's latency here is its batch's: read,
apply and write of the batch it arrived in. Totals are checked against `.expected.json` from the
recovered engine's books and from the events read back out of the event stream, so a run that
lost or doubled an event is invalid.
"""

import gc
import resource
import tempfile
import time
from pathlib import Path
from typing import Any, cast

import redis

from engine_service.service import EngineService, EngineSettings, tune_gc
from matching.engine import Engine
from matching.risk import Risk
from messages.codec import encode
from messages.enums import SelfTradePrevention
from messages.events import Trade
from perpx.bench.runner import CHECKED_TOTALS, bench_market_spec, workload_commands
from perpx.bench.workload import WorkloadOp
from streams.embedded import EmbeddedRedis
from streams.event_batch import parse_entry
from streams.keys import ShardKeys
from streams.replies import Entry
from streams.stream_ids import parse_id

RECOVERY_COMMANDS = 10_000


def preload(client: redis.Redis, keys: ShardKeys, commands: list[Any], chunk: int = 5_000) -> list[bytes]:
    ids: list[bytes] = []
    for start in range(0, len(commands), chunk):
        pipe = client.pipeline(transaction=False)
        for command in commands[start : start + chunk]:
            pipe.xadd(keys.commands, {"c": encode(command)})
        ids.extend(pipe.execute())
    return ids


def count_written(client: redis.Redis, keys: ShardKeys) -> tuple[int, int, int]:
    """(events, lots traded, last seq) read back from the event stream; raises on a seq gap or repeat."""
    events = traded = last_seq = 0
    start = "-"
    while True:
        entries = cast(list[Entry], client.xrange(keys.events, min=start, count=2_000))
        if not entries:
            return events, traded, last_seq
        for raw_id, fields in entries:
            for event in parse_entry(parse_id(raw_id), fields).events:
                if event.seq != last_seq + 1:
                    raise AssertionError(f"event seq {event.seq} follows {last_seq}")
                last_seq = event.seq
                events += 1
                if type(event) is Trade:
                    traded += event.size_lots
        start = "(" + entries[-1][0].decode()


def bench_redis(
    ops: list[WorkloadOp], expected: dict[str, Any] | None, url: str | None = None, batch_size: int = 1000
) -> dict[str, Any]:
    markets = sorted({op.market for op in ops})
    specs = [bench_market_spec(i) for i in markets]
    commands = workload_commands(ops, [s.symbol for s in specs], 1, SelfTradePrevention.NONE)
    if len(commands) <= RECOVERY_COMMANDS:
        raise ValueError(f"the redis bench needs more than {RECOVERY_COMMANDS:,} commands")
    with tempfile.TemporaryDirectory(prefix="perpx-bench-") as tmp:
        if url is None:
            with EmbeddedRedis(Path(tmp)) as server:
                return _run(server.url, specs, commands, expected, batch_size)
        return _run(url, specs, commands, expected, batch_size)


def _run(
    url: str, specs: list[Any], commands: list[Any], expected: dict[str, Any] | None, batch_size: int
) -> dict[str, Any]:
    client = redis.Redis.from_url(url)
    keys = ShardKeys(f"bench-{time.time_ns()}")
    settings = EngineSettings(batch_size=batch_size, block_ms=100)

    def make_engine() -> Engine:
        return Engine(specs, risk=Risk())

    def load_engine(data: bytes) -> Engine:
        return Engine.restore(data, risk=Risk())

    thresholds = gc.get_threshold()
    try:
        timed, rest = commands[:-RECOVERY_COMMANDS], commands[-RECOVERY_COMMANDS:]
        stop_at = parse_id(preload(client, keys, timed)[-1])
        gc.collect()
        tune_gc()  # as `perpx engine` does
        service = EngineService(url, keys, settings, make_engine, load_engine)
        service.recover()
        batch_seconds: list[tuple[float, int]] = []
        clock = time.perf_counter
        start = clock()
        while service.position < stop_at:
            t0 = clock()
            handled = service.step()
            batch_seconds.append((clock() - t0, handled))
        seconds = clock() - start
        applied = sum(n for _, n in batch_seconds)
        service.take_snapshot()
        service.close()

        end = parse_id(preload(client, keys, rest)[-1])  # arrived while the engine was down
        restart = clock()
        service = EngineService(url, keys, settings, make_engine, load_engine)
        service.recover()
        while service.position < end:
            service.step()
        recovery_s = clock() - restart
        service.close()

        events, traded, last_seq = count_written(client, keys)
        engine = service.engine
        books = [m.book for m in engine.markets.values()]
        book = books[0]
        latencies = sorted(s for s, n in batch_seconds for _ in range(n))
        summary: dict[str, Any] = {
            "commands": applied,
            "commands_per_s": round(applied / seconds),
            "p50_us": _percentile_us(latencies, 0.50),
            "p99_us": _percentile_us(latencies, 0.99),
            "p999_us": _percentile_us(latencies, 0.999),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "events": events,
            "traded_qty": traded,
            "final_live": sum(len(b) for b in books),
            "final_best_bid": book.best_bid_ticks,
            "final_best_ask": book.best_ask_ticks,
            "final_bid_levels": book.level_count(True),
            "final_ask_levels": book.level_count(False),
            "recovery_s": round(recovery_s, 3),
            "recovery_commands": RECOVERY_COMMANDS,
            "batch_size": batch_size,
        }
        mismatches = []
        if last_seq != engine.next_seq - 1:
            mismatches.append(f"event stream ends at seq {last_seq}, engine at {engine.next_seq - 1}")
        if expected is not None:
            mismatches += [
                f"{key}: got {summary[key]}, expected {expected.get(key)}"
                for key in CHECKED_TOTALS
                if summary[key] != expected.get(key)
            ]
        summary["valid"] = not mismatches
        summary["mismatches"] = mismatches
        return summary
    finally:
        gc.set_threshold(*thresholds)
        client.delete(keys.commands, keys.events, keys.dead_letters, keys.snapshot, keys.previous_snapshot)
        client.close()


def _percentile_us(ordered: list[float], q: float) -> float:
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e6, 2)
