"""A leveraged trader that gets liquidated when the price moves against it.

It sets the market's highest leverage (or the one asked for), then opens a position with a market
order whose initial margin is `margin_pct` % of its available balance, and watches the position.
When the position shrinks or vanishes without it trading (the exchange liquidated or deleveraged
it) that is counted as a liquidation and logged; after `reopen_after_s` it opens again. On stop it
closes what is left with reduce-only market orders (a few, if the book is too thin for one).
"""

import asyncio
import logging
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from bots.bot import Bot
from bots.markets import MarketRules
from bots.rest import RestClient

log = logging.getLogger("perpx.bots.leveraged")
CLOSE_ATTEMPTS = 5


@dataclass(frozen=True)
class LeveragedConfig:
    symbol: str
    side: Literal["BUY", "SELL"] = "BUY"
    leverage: int = 0  # 0: the market's highest
    margin_pct: int = 50  # market orders fill beyond the mark: leave room for that
    check_s: float = 0.5
    reopen_after_s: float | None = 5.0  # None: stay out after a liquidation


class LeveragedTrader(Bot):
    def __init__(self, config: LeveragedConfig, rules: MarketRules, rest: RestClient) -> None:
        super().__init__(f"leveraged {config.symbol} {config.side}")
        self.config = config
        self.rules = rules
        self.rest = rest
        self.position = Decimal(0)  # what the trader believes it holds (signed)
        self.liquidations = 0
        self.leverage_set = False
        self.out_since: float | None = None  # when a liquidation left it flat

    @property
    def leverage(self) -> int:
        return self.config.leverage or self.rules.max_leverage

    def pause_s(self) -> float:
        return self.config.check_s

    async def step(self) -> None:
        if not self.leverage_set:
            await self.rest.set_leverage(self.config.symbol, self.leverage)
            self.leverage_set = True
        held = await self.rest.position(self.config.symbol)
        if abs(held) < abs(self.position):
            self.liquidations += 1
            log.info("%s: liquidated, position %s -> %s", self.name, self.position, held)
            self.position = held
            if held == 0:
                self.out_since = time.monotonic()
        if self.position == 0 and self.may_open():
            await self.open()

    def may_open(self) -> bool:
        if self.out_since is None:  # never in yet
            return True
        if self.config.reopen_after_s is None:
            return False
        return time.monotonic() - self.out_since >= self.config.reopen_after_s

    async def open(self) -> None:
        account = await self.rest.account()
        available = Decimal(account["availableBalance"])
        mark = Decimal((await self.rest.premium_index(self.config.symbol))["markPrice"])
        if available <= 0 or mark <= 0:
            return
        notional = available * self.config.margin_pct / 100 * self.leverage
        qty = self.rules.qty_down(notional / mark)
        if qty < self.rules.min_qty_at(mark):
            return
        self.stats.orders_sent += 1
        answer = await self.rest.place_order(
            {
                "symbol": self.config.symbol,
                "side": self.config.side,
                "type": "MARKET",
                "quantity": qty,
                "newOrderRespType": "RESULT",
            }
        )
        self.stats.orders_placed += 1
        filled = Decimal(answer["executedQty"])
        self.stats.note_fill(self.config.symbol, filled)
        self.position = filled if self.config.side == "BUY" else -filled
        if filled > 0:
            log.info("%s: opened %s at %sx", self.name, self.position, self.leverage)

    async def clean_up(self) -> None:
        """Close what is left: a reduce-only market order, again while the book was too thin for all of it."""
        for attempt in range(CLOSE_ATTEMPTS):
            held = await self.rest.position(self.config.symbol)
            if held == 0:
                break
            if attempt:
                await asyncio.sleep(0.2 * attempt)  # a maker requoting: let the book fill in again
            await self.rest.place_order(
                {
                    "symbol": self.config.symbol,
                    "side": "SELL" if held > 0 else "BUY",
                    "type": "MARKET",
                    "quantity": abs(held),
                    "reduceOnly": True,
                }
            )
        self.position = await self.rest.position(self.config.symbol)
