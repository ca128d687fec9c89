"""Benchmark workloads: the shared CSV format (op,side,price_ticks,qty_lots,order_id) and a generator.

A workload is a list of `WorkloadOp`. `load_workload` reads ../shared/bench files and their
`.expected.json`; `generate_workload` writes new ones (several markets, many accounts, deep books)
with a seeded random generator, so that a run is reproducible.
"""

import json
import random
from pathlib import Path
from typing import Any, NamedTuple

from matching.book import OrderBook
from matching.order import Order


class WorkloadOp(NamedTuple):
    op: str  # L limit (GTC), M market, C cancel
    is_buy: bool
    price_ticks: int
    qty_lots: int
    order_id: int
    market: int = 0  # index into the run's markets; the shared files have one market


def load_workload(path: Path) -> list[WorkloadOp]:
    ops = []
    with path.open() as f:
        for line_no, line in enumerate(f, 1):
            fields = line.strip().split(",")
            if not fields or fields == [""]:
                continue
            if len(fields) not in (5, 6) or fields[0] not in ("L", "M", "C") or fields[1] not in ("B", "S"):
                raise ValueError(f"{path}:{line_no}: not a workload line: {line.strip()!r}")
            market = int(fields[5]) if len(fields) == 6 else 0
            ops.append(WorkloadOp(fields[0], fields[1] == "B", int(fields[2]), int(fields[3]), int(fields[4]), market))
    return ops


def load_expected(path: Path) -> dict[str, Any] | None:
    """The `.expected.json` beside a workload file, if there is one."""
    expected = path.with_name(path.name.removesuffix(".csv") + ".expected.json")
    return json.loads(expected.read_text()) if expected.exists() else None


def generate_workload(
    n: int, seed: int, markets: int = 1, depth_levels: int = 40, mid_ticks: int = 10_000
) -> list[WorkloadOp]:
    """Random order flow around a drifting mid per market: about 70% limits (a third of them
    crossing), 25% cancels of live orders, 5% market orders no larger than the opposite side.

    Live orders are tracked with an OrderBook of their own, so cancels always name resting orders.
    """
    rng = random.Random(seed)
    books = [OrderBook() for _ in range(markets)]
    live_ids: list[list[int]] = [[] for _ in range(markets)]
    mids = [mid_ticks] * markets
    ops: list[WorkloadOp] = []
    next_id = 1
    while len(ops) < n:
        m = rng.randrange(markets)
        book, ids = books[m], live_ids[m]
        mids[m] = max(mids[m] + rng.choice((-1, 0, 0, 1)), depth_levels + 5)
        roll = rng.random()
        if roll < 0.25:
            while ids and ids[-1] not in book:
                ids.pop()
            if not ids:
                continue
            index = rng.randrange(len(ids))
            order_id = ids[index]
            ids[index] = ids[-1]
            ids.pop()
            order = book.remove(order_id)
            if order is None:
                continue
            ops.append(WorkloadOp("C", order.is_buy, order.price_ticks, 0, order_id, m))
            continue
        is_buy = rng.random() < 0.5
        if roll < 0.30:
            opposite = sum(o.remaining_lots for o in book.side_in_priority(not is_buy))
            if opposite == 0:
                continue
            qty = rng.randint(1, min(opposite, 50))
            price, op = (1 << 40 if is_buy else 1), "M"
        else:
            crossing = rng.random() < 0.3
            offset = rng.randint(0, 3) if crossing else rng.randint(1, depth_levels)
            price = mids[m] + offset if is_buy == crossing else mids[m] - offset
            qty, op = rng.randint(1, 30), "L"
        order = Order(next_id, 0, "", is_buy, price, qty, qty)
        book.match(order, price, [])
        if op == "L" and order.remaining_lots:
            book.add(order)
            ids.append(next_id)
        ops.append(WorkloadOp(op, is_buy, 0 if op == "M" else price, qty, next_id, m))
        next_id += 1
    return ops


def write_workload(path: Path, ops: list[WorkloadOp]) -> None:
    with path.open("w") as f:
        for op in ops:
            side = "B" if op.is_buy else "S"
            suffix = f",{op.market}" if op.market else ""
            f.write(f"{op.op},{side},{op.price_ticks},{op.qty_lots},{op.order_id}{suffix}\n")
