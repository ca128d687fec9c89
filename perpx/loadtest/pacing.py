"""Who sends when: open loop at a rate (which a scenario may change over time), or closed loop.

Open loop: one pacer walks the intended send times (1/rate apart) and hands each to the next trader
round robin; when the pacer wakes late it sends every order that was due at once, each still
stamped with the time it was due. Closed loop: each trader keeps `in_flight` orders outstanding
and sends the next when an answer comes back, as fast as the exchange answers.
"""

import asyncio
from collections.abc import Callable

from perpx.loadtest.clock import RunClock
from perpx.loadtest.flows import Flow, Recorders
from perpx.loadtest.traders import Trader

RateAt = Callable[[float], float]  # orders/s wanted at run second t
FlowAt = Callable[[float], list[Flow]]  # the flows an order intended at t is recorded in


class Budget:
    """How many orders may still be sent: --count, or no limit."""

    def __init__(self, count: int | None) -> None:
        self.left = count

    def take(self) -> bool:
        if self.left is None:
            return True
        if self.left <= 0:
            return False
        self.left -= 1
        return True


async def open_loop(
    traders: list[Trader], clock: RunClock, rate_at: RateAt, flows_at: FlowAt, budget: Budget, stop: asyncio.Event
) -> None:
    intended_s = 0.0
    turn = 0
    while not stop.is_set():
        now_s = clock.now_s()
        while intended_s <= now_s:
            if not budget.take():
                return
            traders[turn % len(traders)].place_soon(intended_s, Recorders(flows_at(intended_s)))
            turn += 1
            intended_s += 1.0 / rate_at(intended_s)
        await asyncio.sleep(max(0.0, intended_s - clock.now_s()))


async def closed_loop(
    traders: list[Trader], clock: RunClock, in_flight: int, flows_at: FlowAt, budget: Budget, stop: asyncio.Event
) -> None:
    async def keep_sending(trader: Trader) -> None:
        while not stop.is_set() and budget.take():
            intended_s = clock.now_s()
            await trader.place(intended_s, Recorders(flows_at(intended_s)))

    await asyncio.gather(*(keep_sending(t) for _ in range(in_flight) for t in traders))
