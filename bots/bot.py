"""A bot's life: a loop of steps until stopped, errors logged and counted, its orders cleaned up on stop.

A step that meets an error (the API refused, the connection dropped, a timeout) is logged with the
API's code and message and the loop carries on after a short backoff; nothing a server says stops a
bot, only `stop`. `stop` lets the step in progress finish (so no request is left half-sent, with an
order landing after the clean-up) and then runs the bot's clean-up.
"""

import asyncio
import contextlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import httpx

from bots.errors import ApiError

log = logging.getLogger("perpx.bots")
# what a step may meet and carry on from: the API's refusals, a dropped or refused connection, a timeout
CARRY_ON = (ApiError, httpx.TransportError, ConnectionError, TimeoutError, OSError)
MAX_BACKOFF_S = 5.0


@dataclass
class BotStats:
    steps: int = 0
    orders_sent: int = 0
    orders_placed: int = 0  # accepted by the exchange
    orders_canceled: int = 0
    fills: int = 0  # orders of ours that traded at least once, as our answers showed
    filled_qty: dict[str, Decimal] = field(default_factory=dict)  # symbol -> size traded
    errors: Counter[str] = field(default_factory=Counter)  # Binance code (e.g. "-2019") or exception name

    def note_fill(self, symbol: str, qty: Decimal) -> None:
        if qty > 0:
            self.fills += 1
            self.filled_qty[symbol] = self.filled_qty.get(symbol, Decimal(0)) + qty

    def note_error(self, error: BaseException) -> str:
        kind = str(error.code) if isinstance(error, ApiError) else type(error).__name__
        self.errors[kind] += 1
        return kind


class Bot:
    """Subclasses say what one step does (`step`), how long to wait between steps (`pause_s`) and what
    to do after the last (`clean_up`). What a bot needs first (its leverage set, its positions read)
    it does in its first step, so that `start` never fails on an exchange that is still starting."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.stats = BotStats()
        self.stopping = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.failures_in_a_row = 0

    async def step(self) -> None:
        raise NotImplementedError

    async def clean_up(self) -> None:
        """After the last step: cancel what is left."""

    def pause_s(self) -> float:
        return 1.0

    async def start(self) -> None:
        self.task = asyncio.create_task(self.run(), name=self.name)

    async def run(self) -> None:
        while not self.stopping.is_set():
            pause = self.pause_s()
            try:
                await self.step()
                self.stats.steps += 1
                self.failures_in_a_row = 0
            except CARRY_ON as error:
                self.note(error)
                self.failures_in_a_row += 1
                pause = max(pause, min(MAX_BACKOFF_S, 0.1 * 2**self.failures_in_a_row))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), pause)

    def note(self, error: BaseException) -> None:
        kind = self.stats.note_error(error)
        log.warning("%s: %s (%s) - carrying on", self.name, error, kind)

    async def stop(self, timeout_s: float = 15.0) -> None:
        self.stopping.set()
        if self.task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self.task), timeout_s)
            except TimeoutError:
                self.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self.task
        try:
            await self.clean_up()
        except CARRY_ON as error:
            self.note(error)

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()
