"""The oracle's one wall-clock seam. Everything else takes `now_ms` as an argument."""

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int: ...

    async def sleep_until_ms(self, ts_ms: int) -> None: ...


class WallClock:
    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    async def sleep_until_ms(self, ts_ms: int) -> None:
        await asyncio.sleep(max(0, ts_ms - self.now_ms()) / 1000)


class SteppedClock:
    """Simulated time that jumps straight to each wake-up: replays a recorded day in milliseconds."""

    def __init__(self, start_ms: int) -> None:
        self.ms = start_ms

    def now_ms(self) -> int:
        return self.ms

    async def sleep_until_ms(self, ts_ms: int) -> None:
        self.ms = max(self.ms, ts_ms)
        await asyncio.sleep(0)
