"""Seeded random command streams that exercise every command and order kind, bad input included."""

import random

from matching.engine import Engine, EngineConfig
from messages.commands import (
    AdvanceClock,
    AmendOrder,
    CancelAll,
    CancelOrder,
    Command,
    PlaceOrder,
    PriceUpdate,
    SetMarketStatus,
)
from messages.enums import MarketStatus, OrderType, SelfTradePrevention, Side, TimeInForce
from tests.matching.helpers import spec

MARKETS = ("AAAUSDC", "BBBUSDC")
SPECS = tuple(spec(symbol) for symbol in MARKETS)


def random_commands(seed: int, n: int, accounts: int = 4) -> list[Command]:
    """A fixed list of `n` commands: generated against a private engine, so that cancels and amends
    mostly name orders that are live (and sometimes closed ones, or other accounts' orders)."""
    engine = Engine(SPECS, config=EngineConfig(command_window=50, client_id_window=8))
    generator = CommandGenerator(seed, accounts)
    commands = []
    for _ in range(n):
        command = generator.next(engine)
        engine.apply(command)
        commands.append(command)
    return commands


class CommandGenerator:
    def __init__(self, seed: int, accounts: int = 4) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.accounts = accounts
        self.clock_ms = 0
        self.count = 0
        self.issued: list[Command] = []

    def next(self, engine: Engine) -> Command:
        command = self._make(engine)
        self.issued.append(command)
        return command

    def _pick_order(self, engine: Engine, account: int, market: str) -> tuple[int, int, str]:
        """(account, order id, market) of a live order most of the time, otherwise a guess."""
        rng = self.rng
        live = [o for trader in engine.traders.values() for o in trader.orders()]
        if live and rng.random() < 0.8:
            live.sort(key=lambda o: o.order_id)
            order = rng.choice(live)
            owner = order.account_id if rng.random() < 0.9 else account
            return owner, order.order_id, order.market
        return account, rng.randint(1, engine.next_order_id), market

    def _make(self, engine: Engine) -> Command:
        rng = self.rng
        self.clock_ms += rng.choice((0, 0, 1, 5, 50))
        clock_ms = self.clock_ms
        command_id = f"s{self.seed}-{self.count}"
        self.count += 1
        market = rng.choice(MARKETS)
        account = rng.randint(1, self.accounts)
        roll = rng.random()
        if roll < 0.03 and self.issued:
            return rng.choice(self.issued)  # a retried command: must be applied once
        if roll < 0.60:
            return _random_order(rng, command_id, clock_ms, account, market)
        if roll < 0.75:
            if rng.random() < 0.2:
                return CancelOrder(command_id, clock_ms, account, market, 0, f"k{rng.randint(1, 12)}")
            owner, order_id, order_market = self._pick_order(engine, account, market)
            return CancelOrder(command_id, clock_ms, owner, order_market, order_id)
        if roll < 0.88:
            owner, order_id, order_market = self._pick_order(engine, account, market)
            return AmendOrder(
                command_id,
                clock_ms,
                owner,
                order_market,
                order_id,
                "",
                rng.choice((0, rng.randint(9_980, 10_020))),
                rng.choice((0, rng.randint(1, 25))),
            )
        if roll < 0.91:
            return CancelAll(command_id, clock_ms, account, rng.choice(("", market)))
        if roll < 0.95:
            self.clock_ms += rng.randint(0, 200)
            return AdvanceClock(command_id, self.clock_ms)
        if roll < 0.98:
            mark = rng.randint(9_950, 10_050)
            return PriceUpdate(command_id, clock_ms, market, mark, mark)
        status = rng.choice(
            (MarketStatus.ACTIVE,) * 4 + (MarketStatus.POST_ONLY, MarketStatus.REDUCE_ONLY, MarketStatus.HALTED)
        )
        return SetMarketStatus(command_id, clock_ms, market, status)


def _random_order(rng: random.Random, command_id: str, clock_ms: int, account: int, market: str) -> PlaceOrder:
    side = rng.choice((Side.BUY, Side.SELL))
    is_market = rng.random() < 0.08
    tif = rng.choice(
        (
            TimeInForce.GTC,
            TimeInForce.GTC,
            TimeInForce.GTC,
            TimeInForce.IOC,
            TimeInForce.FOK,
            TimeInForce.GTD,
            TimeInForce.GTX,
        )
    )
    if is_market:
        tif = TimeInForce.IOC
    centre = 10_000 + (5 if side is Side.SELL else -5)
    price = 0 if is_market else rng.randint(centre - 25, centre + 25)
    if not is_market and rng.random() < 0.02:
        price = rng.choice((0, -1))  # bad input
    size = rng.randint(1, 30) if rng.random() > 0.02 else rng.choice((0, 2_000_000))
    return PlaceOrder(
        command_id,
        clock_ms,
        account,
        market,
        side,
        size,
        price,
        OrderType.MARKET if is_market else OrderType.LIMIT,
        tif,
        clock_ms + rng.randint(1, 300) if tif is TimeInForce.GTD else 0,
        rng.random() < 0.1,
        f"k{rng.randint(1, 12)}" if rng.random() < 0.2 else "",
        rng.choice(tuple(SelfTradePrevention)),
    )
