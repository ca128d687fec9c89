"""A taker: market orders and marketable limit orders (IOC) at a rate, on a few markets.

Orders arrive as a Poisson process at `rate_per_s`. Each picks a market and a side at random, sized
about `notional` USDC at the touch (bookTicker), a MARKET order with probability `market_pct` % and
otherwise a LIMIT IOC priced `through_bps` beyond the touch. Past `max_position_notional` in a market
the taker only trades back toward flat. Its position comes from its own fills (RESULT answers) and is
read back from the exchange every `resync_every` orders (a liquidation changes it too).
"""

import logging
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from bots.bot import Bot
from bots.ladder import BPS
from bots.markets import MarketRules
from bots.rest import Json, RestClient
from bots.wire import Param
from bots.ws_api import WsApiClient

log = logging.getLogger("perpx.bots.taker")


@dataclass(frozen=True)
class TakerConfig:
    symbols: tuple[str, ...]
    rate_per_s: float = 1.0
    notional: Decimal = Decimal(500)
    market_pct: int = 50
    through_bps: int = 20
    max_position_notional: Decimal = Decimal(20_000)
    transport: Literal["rest", "ws"] = "rest"
    resync_every: int = 20
    seed: int = 0


class Taker(Bot):
    def __init__(
        self, config: TakerConfig, rules: dict[str, MarketRules], rest: RestClient, ws: WsApiClient | None = None
    ) -> None:
        super().__init__(f"taker {','.join(config.symbols)} ({config.transport})")
        if not config.symbols or config.rate_per_s <= 0:
            raise ValueError("a taker needs markets and a positive rate")
        if config.transport == "ws" and ws is None:
            raise ValueError("a taker over the WebSocket API needs a WsApiClient")
        self.config = config
        self.rules = {s: rules[s] for s in config.symbols}
        self.rest = rest
        self.ws = ws
        self.random = random.Random(config.seed)
        self.positions: dict[str, Decimal] = {}
        self.positions_read = False  # read from the exchange at the first step, then every resync_every orders
        self.sent_types: set[str] = set()

    def pause_s(self) -> float:
        return self.random.expovariate(self.config.rate_per_s)

    async def resync(self) -> None:
        rows = await self.rest.position_risk()
        self.positions = {s: Decimal(0) for s in self.config.symbols}
        for row in rows:
            if row["symbol"] in self.positions:
                self.positions[row["symbol"]] += Decimal(row["positionAmt"])
        self.positions_read = True

    def side_for(self, symbol: str, price: Decimal) -> str:
        """Random, except past the position limit: then back toward flat."""
        exposure = self.positions.get(symbol, Decimal(0)) * price
        if exposure >= self.config.max_position_notional:
            return "SELL"
        if exposure <= -self.config.max_position_notional:
            return "BUY"
        return self.random.choice(("BUY", "SELL"))

    async def step(self) -> None:
        if not self.positions_read:
            await self.resync()
        symbol = self.random.choice(self.config.symbols)
        rules = self.rules[symbol]
        if not rules.trading:
            return
        touch = await self.rest.book_ticker(symbol)
        bid, ask = Decimal(touch["bidPrice"]), Decimal(touch["askPrice"])
        side = self.side_for(symbol, ask if ask > 0 else bid)
        price = ask if side == "BUY" else bid
        if price <= 0:
            return  # nothing to take on that side
        qty = max(rules.min_qty_at(price), rules.qty_down(self.config.notional / price))
        order: dict[str, Param] = {"symbol": symbol, "side": side, "quantity": qty, "newOrderRespType": "RESULT"}
        if self.random.randrange(100) < self.config.market_pct:
            order["type"] = "MARKET"
        else:
            through = Decimal(self.config.through_bps)
            limit = price * (BPS + through) / BPS if side == "BUY" else price * (BPS - through) / BPS
            order.update(
                type="LIMIT",
                timeInForce="IOC",
                price=rules.price_up(limit) if side == "BUY" else rules.price_down(limit),
            )
        self.stats.orders_sent += 1
        self.sent_types.add(str(order["type"]))
        answer = await self.send(order)
        self.stats.orders_placed += 1
        filled = Decimal(answer["executedQty"])
        self.stats.note_fill(symbol, filled)
        self.positions[symbol] = self.positions.get(symbol, Decimal(0)) + (filled if side == "BUY" else -filled)
        if self.stats.orders_placed % self.config.resync_every == 0:
            await self.resync()

    async def send(self, order: dict[str, Param]) -> Json:
        if self.config.transport == "ws":
            assert self.ws is not None
            await self.ws.ensure_connected()
            return await self.ws.place_order(order)
        return await self.rest.place_order(order)
