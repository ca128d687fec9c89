"""A market maker: a two-sided ladder (bots.ladder) around the mark, cancel-and-replace every step.

Each step reads the reference price (premiumIndex: the mark, or the index) and the position, works
out the ladder, and replaces only the quotes that moved (by `requote_bps` or more, if set): their
old orders are canceled first and the new ones placed after, over REST (DELETE and POST
/fapi/v1/batchOrders, in the batches Binance allows, the batches in parallel) or over the WebSocket
API (every order.cancel, then every order.place, in flight at once on one connection). An order
that filled before its cancel arrived answers -2011 and is simply forgotten. Every `resync_every`
steps the open orders are read back: an order the maker lost track of (a request that timed out
but was executed) is canceled.

`bias_bps` and `wander_bps` give the maker a view of its own: a standing lean from the reference and
a mean-reverting random walk around it, so that the book stands at a premium (or discount) that
funding sees, and books and trades move when the reference does not, as off-hours when the index
follows the book.
"""

import asyncio
import itertools
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from bots.bot import Bot
from bots.errors import UNKNOWN_ORDER, ApiError
from bots.ladder import BPS, LadderShape, Quote, ladder
from bots.markets import MarketRules
from bots.rest import Json, RestClient
from bots.wire import Param
from bots.ws_api import WsApiClient

log = logging.getLogger("perpx.bots.maker")
Transport = Literal["rest", "ws"]
PLACE_BATCH = 5  # POST /fapi/v1/batchOrders
CANCEL_BATCH = 10  # DELETE /fapi/v1/batchOrders
OPEN = ("NEW", "PARTIALLY_FILLED")


@dataclass(frozen=True)
class MakerConfig:
    symbol: str
    shape: LadderShape = field(default_factory=LadderShape)
    refresh_s: float = 1.0
    transport: Transport = "rest"
    reference: Literal["mark", "index"] = "mark"
    bias_bps: int = 0  # a standing lean of the maker's view: its book sits this far above (below) the reference
    wander_bps: int = 0  # the largest step of the maker's own view per refresh; 0: quote the reference
    max_wander_bps: int = 100  # how far that view may stray from the reference
    requote_bps: int = 0  # a resting quote this close to where it should be stays (0: replaced on any change)
    resync_every: int = 5
    seed: int = 0


@dataclass(frozen=True)
class Resting:
    order_id: int
    price: Decimal
    qty: Decimal


class Maker(Bot):
    def __init__(
        self, config: MakerConfig, rules: MarketRules, rest: RestClient, ws: WsApiClient | None = None
    ) -> None:
        super().__init__(f"maker {config.symbol} ({config.transport})")
        if config.transport == "ws" and ws is None:
            raise ValueError("a maker over the WebSocket API needs a WsApiClient")
        self.config = config
        self.rules = rules
        self.rest = rest
        self.ws = ws
        self.random = random.Random(config.seed)
        self.offset_bps = 0
        self.live: dict[tuple[str, int], Resting] = {}
        self.client_ids = itertools.count(1)
        self.client_prefix = f"mk{self.random.getrandbits(32):08x}"

    @property
    def symbol(self) -> str:
        return self.config.symbol

    def pause_s(self) -> float:
        return self.config.refresh_s

    async def reference_price(self) -> Decimal | None:
        index = await self.rest.premium_index(self.symbol)
        price = Decimal(index["markPrice"] if self.config.reference == "mark" else index["indexPrice"])
        return price if price > 0 else None

    def wander(self) -> None:
        """One step of the maker's view: a random step, pulled back a tenth toward the reference."""
        step = self.config.wander_bps
        if step <= 0:
            return
        moved = self.offset_bps + self.random.randint(-step, step)
        moved -= int(moved / 10)  # toward zero, whichever the sign
        self.offset_bps = max(-self.config.max_wander_bps, min(self.config.max_wander_bps, moved))

    async def step(self) -> None:
        reference = await self.reference_price()
        if reference is None or not self.rules.trading:
            return
        position = await self.rest.position(self.symbol)
        self.wander()
        view_bps = self.config.bias_bps + self.offset_bps
        wanted = {q.slot: q for q in ladder(reference, view_bps, position, self.rules, self.config.shape)}
        moved = [slot for slot, resting in self.live.items() if slot not in wanted or self.moved(resting, wanted[slot])]
        await self.cancel([self.live.pop(slot).order_id for slot in moved])
        await self.place([q for slot, q in wanted.items() if slot not in self.live])
        if self.stats.steps % self.config.resync_every == self.config.resync_every - 1:
            await self.resync()

    def moved(self, resting: Resting, wanted: Quote) -> bool:
        """Whether a resting quote is to be replaced: by any change, or past `requote_bps` of its price."""
        if self.config.requote_bps <= 0:
            return (resting.price, resting.qty) != (wanted.price, wanted.qty)
        return abs(resting.price - wanted.price) * BPS >= wanted.price * self.config.requote_bps

    # -- orders ------------------------------------------------------------------------------------

    def order_of(self, quote: Quote) -> dict[str, Param]:
        return {
            "symbol": self.symbol,
            "side": quote.side,
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": quote.qty,
            "price": quote.price,
            "newClientOrderId": f"{self.client_prefix}-{next(self.client_ids)}",
        }

    async def place(self, quotes: list[Quote]) -> None:
        if not quotes:
            return
        self.stats.orders_sent += len(quotes)
        orders = [self.order_of(q) for q in quotes]
        if self.config.transport == "ws":
            answers = await self.over_ws("order.place", orders)
        else:
            batches = await asyncio.gather(
                *(self.rest.batch_orders(orders[i : i + PLACE_BATCH]) for i in range(0, len(orders), PLACE_BATCH))
            )
            answers = [a for batch in batches for a in batch]
        for quote, answer in zip(quotes, answers, strict=True):
            if isinstance(answer, ApiError):
                self.note(answer)
                continue
            self.stats.orders_placed += 1
            self.stats.note_fill(self.symbol, Decimal(answer.get("executedQty", "0")))
            if answer.get("status") in OPEN:
                self.live[quote.slot] = Resting(int(answer["orderId"]), quote.price, quote.qty)

    async def cancel(self, order_ids: Sequence[int]) -> None:
        if self.config.transport == "ws":
            requests: list[dict[str, Param]] = [{"symbol": self.symbol, "orderId": i} for i in order_ids]
            self.count_cancels(await self.over_ws("order.cancel", requests))
        else:
            await self.cancel_over_rest(order_ids)

    async def cancel_over_rest(self, order_ids: Sequence[int]) -> None:
        batches = await asyncio.gather(
            *(
                self.rest.cancel_orders(self.symbol, order_ids[i : i + CANCEL_BATCH])
                for i in range(0, len(order_ids), CANCEL_BATCH)
            )
        )
        self.count_cancels([a for batch in batches for a in batch])

    def count_cancels(self, answers: list[Json | ApiError]) -> None:
        for answer in answers:
            if not isinstance(answer, ApiError):
                self.stats.orders_canceled += 1
            elif answer.code != UNKNOWN_ORDER:  # -2011: it filled (or was canceled) before the cancel came
                self.note(answer)

    async def over_ws(self, method: str, requests: list[dict[str, Param]]) -> list[Json | ApiError]:
        """Every request in flight at once on the WebSocket API; each one's result or error, in order."""
        assert self.ws is not None
        await self.ws.ensure_connected()
        futures = [await self.ws.send(method, params) for params in requests]
        answers: list[Json | ApiError] = []
        for future in futures:
            answer = await future
            answers.append(answer.error if answer.error is not None else answer.result)
        return answers

    def own_open_ids(self, open_orders: list[Json]) -> set[int]:
        """The open orders this maker placed (by its client id prefix: the account may have others)."""
        prefix = self.client_prefix + "-"
        return {int(o["orderId"]) for o in open_orders if str(o.get("clientOrderId", "")).startswith(prefix)}

    async def resync(self) -> None:
        """Forget the orders that are no longer open; cancel the open ones the maker does not know."""
        open_ids = self.own_open_ids(await self.rest.open_orders(self.symbol))
        self.live = {slot: r for slot, r in self.live.items() if r.order_id in open_ids}
        known = {r.order_id for r in self.live.values()}
        await self.cancel(sorted(open_ids - known))

    async def clean_up(self) -> None:
        """Cancel every open order of this maker (and only this maker's), read back from the exchange."""
        self.live = {}
        for _ in range(3):  # a cancel that lost a race with a fill leaves nothing; one more read says so
            open_ids = sorted(self.own_open_ids(await self.rest.open_orders(self.symbol)))
            if not open_ids:
                return
            await self.cancel_over_rest(open_ids)
