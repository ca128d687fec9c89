"""How long one oracle step takes: every listed market, three simulated sources, a real engine.

python -m oracle.bench [steps]
"""

import asyncio
import datetime as dt
import sys
import time

from matching.engine import Engine
from matching.markets import load_markets
from messages.commands import Command
from oracle.book_view import EngineBookReader
from oracle.service import OracleService
from oracle.sessions import NEW_YORK, UsEquityCalendar
from oracle.sources.simulator import SimulatedSource


async def bench(steps: int) -> str:
    specs = load_markets()
    calendar = UsEquityCalendar(dt.date(2026, 1, 1), dt.date(2027, 6, 1))
    start_ms = int(dt.datetime(2026, 11, 24, 10, 0, tzinfo=NEW_YORK).timestamp() * 1000)
    underlyings = sorted({spec.underlying for spec in specs})
    sources = [SimulatedSource(underlyings, seed, start_ms, calendar, name=f"sim{seed}") for seed in range(3)]
    engine = Engine(specs)
    sent: list[Command] = []

    async def publish(command: Command) -> None:
        sent.append(command)
        engine.apply(command)

    service = OracleService(specs, sources, calendar, publish, EngineBookReader(engine))
    started = time.perf_counter()
    for i in range(steps):
        await service.step(start_ms + i * 250)
    per_step_ms = (time.perf_counter() - started) / steps * 1000
    shape = f"{len(specs)} markets x {len(sources)} sources"
    return f"{steps} steps of {shape}: {per_step_ms:.2f} ms a step, {len(sent)} PriceUpdates"


if __name__ == "__main__":
    print(asyncio.run(bench(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000)))
