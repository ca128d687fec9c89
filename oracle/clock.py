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


class OffsetClock(WallClock):
    """The wall clock shifted by a fixed offset: the oracle lives through a session change (the
    09:30 ET open, say) at a moment the operator chooses, as a load test's `open` scenario needs.
    Only the oracle's view of the calendar moves: the engine's clock stays Redis's entry ids."""

    def __init__(self, offset_ms: int) -> None:
        self.offset_ms = offset_ms

    def now_ms(self) -> int:
        return super().now_ms() + self.offset_ms


class SteppedClock:
    """Simulated time that jumps straight to each wake-up: replays a recorded day in milliseconds."""

    def __init__(self, start_ms: int) -> None:
        self.ms = start_ms

    def now_ms(self) -> int:
        return self.ms

    async def sleep_until_ms(self, ts_ms: int) -> None:
        self.ms = max(self.ms, ts_ms)
        await asyncio.sleep(0)
