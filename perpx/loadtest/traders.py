"""A load-test trader: one WebSocket API connection (bots.ws_api), orders sent without waiting for
earlier answers (pipelined), each answer recorded in a flow with its latency.

The latency of an order runs from `intended_s`, the moment the pacer meant it to go: in open loop a
trader held up (the event loop busy, the socket full) is charged for the wait, as a real client
would be (coordinated omission corrected); in closed loop `intended_s` is the send itself.
"""

import asyncio
import itertools
import random
from collections import deque
from dataclasses import dataclass
from decimal import Decimal

from bots.errors import ApiError
from bots.wire import Params
from bots.ws_api import WsAnswer, WsApiClient
from perpx.loadtest.accounts import Credentials
from perpx.loadtest.clock import RunClock
from perpx.loadtest.flows import Flow, Recorder
from perpx.loadtest.marks import Marks
from perpx.loadtest.order_flow import MAX_RESTING, plan_order

FILLED = ("FILLED", "PARTIALLY_FILLED")


@dataclass(frozen=True)
class AckedOrder:
    """An order the exchange acknowledged: what the kill scenario looks for in the history."""

    account: int
    symbol: str
    order_id: int
    status: str
    executed_qty: Decimal
    final: bool  # an IOC order: what the ack says filled is all that ever will


class Trader:
    def __init__(
        self,
        index: int,
        credentials: Credentials,
        url: str,
        marks: Marks,
        symbols: list[str],
        clock: RunClock,
        cancels: Flow,
        seed: int,
        timeout_s: float,
    ) -> None:
        self.index = index
        self.credentials = credentials
        self.client = WsApiClient(url, credentials.key, credentials.secret)
        self.marks = marks
        self.symbols = symbols
        self.clock = clock
        self.cancels = cancels
        self.rng = random.Random(seed * 1_000_003 + index)
        self.timeout_s = timeout_s
        self.client_ids = itertools.count(1)
        self.resting: deque[tuple[str, int]] = deque()
        self.acked: list[AckedOrder] = []
        self.tasks: set[asyncio.Task[None]] = set()
        self.reconnecting: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        await self.client.connect()

    def place_soon(self, intended_s: float, flow: Recorder) -> None:
        """Open loop: send one order now, in a task, and record its answer when it comes."""
        task = asyncio.create_task(self.place(intended_s, flow))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def place(self, intended_s: float, flow: Recorder) -> None:
        symbol = self.rng.choice(self.symbols)
        mark = self.marks.marks.get(symbol)
        if mark is None:
            return
        client_id = f"lt{self.credentials.account}-{next(self.client_ids)}"
        planned = plan_order(self.rng, self.marks.rules[symbol], mark, client_id)
        flow.note_sent()
        answer = await self.request("order.place", planned.params, flow, intended_s)
        if answer is None:
            return
        answered_s = self.clock.at_s(answer.answered_ns)
        if answer.error is not None:
            flow.note_answer(intended_s, answered_s, str(answer.error.code))
            return
        result = answer.result
        executed = Decimal(result.get("executedQty", "0"))
        flow.note_answer(intended_s, answered_s, None, filled=executed > 0)
        status = str(result.get("status", ""))
        self.acked.append(
            AckedOrder(self.credentials.account, symbol, int(result["orderId"]), status, executed, planned.takes)
        )
        if status in ("NEW", "PARTIALLY_FILLED") and not planned.takes:
            self.resting.append((symbol, int(result["orderId"])))
            if len(self.resting) > MAX_RESTING:
                self.cancel_oldest()

    def cancel_oldest(self) -> None:
        symbol, order_id = self.resting.popleft()
        task = asyncio.create_task(self.cancel(symbol, order_id))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def cancel(self, symbol: str, order_id: int) -> None:
        intended_s = self.clock.now_s()
        self.cancels.note_sent()
        answer = await self.request("order.cancel", {"symbol": symbol, "orderId": order_id}, self.cancels, intended_s)
        if answer is not None:
            code = None if answer.error is None else str(answer.error.code)
            self.cancels.note_answer(intended_s, self.clock.at_s(answer.answered_ns), code)

    async def request(self, method: str, params: Params, flow: Recorder, intended_s: float) -> WsAnswer | None:
        """The answer, or None after recording why there was none (timeout, connection lost)."""
        try:
            if not self.client.connected:
                self.maybe_reconnect()
                flow.note_failure("disconnected")
                return None
            future = await self.client.send(method, params)
            return await asyncio.wait_for(future, self.timeout_s)
        except TimeoutError:
            flow.note_failure("timeout", intended_s, self.clock.now_s())
        except (ConnectionError, OSError):
            flow.note_failure("connection")
            self.maybe_reconnect()
        except ApiError as error:  # not expected from send(), but a refusal is a refusal
            flow.note_failure(str(error.code))
        return None

    def maybe_reconnect(self) -> None:
        if self.reconnecting is None or self.reconnecting.done():
            self.reconnecting = asyncio.create_task(self._reconnect())

    async def _reconnect(self) -> None:
        for delay_s in (0.1, 0.2, 0.5, 1.0, 2.0, 2.0, 2.0):
            await asyncio.sleep(delay_s)
            try:
                await self.client.connect()
                return
            except (OSError, ApiError, TimeoutError, ConnectionError):
                continue

    async def drain(self, timeout_s: float) -> None:
        """Wait for the answers still outstanding (at most `timeout_s`)."""
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=timeout_s)

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        if self.reconnecting is not None:
            self.reconnecting.cancel()
        await self.client.close()
