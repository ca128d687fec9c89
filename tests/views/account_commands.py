"""Seeded random command streams for a MarginEngine: every command that moves an account.

Orders of every kind (limit GTC / IOC / FOK / GTD / post-only, market, reduce-only, client ids,
every self-trade prevention), cancels by id and client id, cancel-all, amends, a market maker's
quotes, marks that gap up to 40% (liquidations; the insurance fund starts empty, so ADL too),
internal prices with discovery bounds, funding, dividends, splits, deposits, withdrawals,
leverage, margin mode and isolated margin changes, market status changes, a market listed
mid-way, clock advances, retried commands and bad input. Each command is generated from the
engine's current state (so cancels and amends mostly name live orders), then applied by the caller.
"""

import random

from margin.engine import MarginEngine
from matching.engine import EngineConfig
from messages.commands import (
    AdjustIsolatedMargin,
    AdvanceClock,
    AmendOrder,
    CancelAll,
    CancelOrder,
    CashDividend,
    Command,
    Deposit,
    FundingSettle,
    ListMarket,
    PlaceOrder,
    PriceUpdate,
    SetLeverage,
    SetMarginMode,
    SetMarketStatus,
    Split,
    Withdraw,
)
from messages.enums import MarketSession, MarketStatus, OrderType, PriceSource, SelfTradePrevention, Side, TimeInForce
from tests.margin.exchange import MICRO, spec

SPECS = (
    spec("AAPLUSDC", lot_size="1", maker_fee_ppm=-50, taker_fee_ppm=450),
    spec("NVDAUSDC", lot_size="0.1", tiers=((0, 10), (50_000, 5), (200_000, 2)), maker_fee_ppm=150, taker_fee_ppm=450),
)
LATE_SPEC = spec("TSLAUSDC", lot_size="1", tiers=((0, 25), (20_000, 5)), maker_fee_ppm=0, taker_fee_ppm=300)
TRADERS = (1, 2, 3, 4, 5, 6)
MAKER = 9


def new_engine() -> MarginEngine:
    """Small idempotence windows: retries also come from beyond them, and invariants stay cheap."""
    return MarginEngine(SPECS, config=EngineConfig(command_window=64, client_id_window=16))


class AccountCommands:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.clock_ms = 0
        self.count = 0
        self.issued: list[Command] = []
        self.listed = False
        rng = self.rng
        self.opening = [
            *(lambda t, a=a: Deposit(self.id(), t, a, rng.randint(200, 10_000) * MICRO) for a in TRADERS),
            lambda t: Deposit(self.id(), t, MAKER, 10_000_000 * MICRO),
            lambda t: PriceUpdate(self.id(), t, SPECS[0].symbol, 10_000, 10_000),
        ]
        rng.shuffle(self.opening)  # sometimes trading starts before the first mark

    def next(self, engine: MarginEngine) -> Command:
        command = self.make(engine)
        self.issued.append(command)
        return command

    def id(self) -> str:
        self.count += 1
        return f"a{self.seed}-{self.count}"

    def reference_ticks(self, engine: MarginEngine, market: str) -> int:
        m = engine.markets[market]
        return m.mark_price_ticks or m.last_trade_ticks or 10_000

    def make(self, engine: MarginEngine) -> Command:
        rng = self.rng
        self.clock_ms += rng.choice((0, 1, 5, 50, 1_000))
        t = self.clock_ms
        markets = sorted(engine.markets)
        market = rng.choice(markets)
        account = rng.choice(TRADERS)
        roll = rng.random()
        if self.opening:  # every trader funded, the maker rich, a first mark for most markets
            return self.opening.pop(0)(t)
        halted = [m for m in markets if engine.markets[m].status is not MarketStatus.ACTIVE]
        if halted and rng.random() < 0.1:
            return SetMarketStatus(self.id(), t, rng.choice(halted), MarketStatus.ACTIVE)
        if roll < 0.02 and self.issued:
            return rng.choice(self.issued)  # a retry: applied once
        if roll < 0.06:
            amount = rng.choice((rng.randint(1, 5_000) * MICRO, rng.randint(1, 10**6), 0, -5))
            return Deposit(self.id(), t, rng.choice((*TRADERS, MAKER, 0)), amount)
        if roll < 0.11:
            return Withdraw(self.id(), t, account, rng.choice((rng.randint(1, 30_000) * MICRO, 0, 10**15)))
        if roll < 0.14:
            return SetLeverage(self.id(), t, account, market, rng.randint(0, 30))
        if roll < 0.16:
            return SetMarginMode(self.id(), t, account, market, rng.random() < 0.6)
        if roll < 0.18:
            isolated = [
                (a.account_id, symbol)
                for a in engine.margin.ledger.accounts.values()
                for symbol in sorted(a.isolated_micro)
                if a.account_id > 0 and symbol in a.positions and a.positions[symbol].size_lots
            ]
            if isolated and rng.random() < 0.8:
                account, market = rng.choice(sorted(isolated))
            return AdjustIsolatedMargin(self.id(), t, account, market, rng.randint(-300, 300) * MICRO)
        if roll < 0.50:
            return self.order(engine, t, rng.choice((*TRADERS, MAKER)), market)
        if roll < 0.58:
            return self.quotes(engine, t, market)
        if roll < 0.64:
            return self.cancel(engine, t, account, market)
        if roll < 0.66:
            return CancelAll(self.id(), t, rng.choice((*TRADERS, MAKER)), rng.choice(("", market)))
        if roll < 0.73:
            return self.amend(engine, t, account, market)
        if roll < 0.85:
            return self.price(engine, t, market)
        if roll < 0.88:
            funding_time_ms = t // 1_000 + rng.randint(0, 3)  # sometimes one settled already
            return FundingSettle(self.id(), t, market, funding_time_ms, rng.randint(-3_000_000, 3_000_000))
        if roll < 0.90:
            return CashDividend(self.id(), t, market, rng.choice((rng.randint(1, 3_000_000), 0)))
        if roll < 0.92:
            return Split(self.id(), t, market, *rng.choice(((2, 1), (4, 1), (1, 2), (5, 4), (3, 1), (0, 1))))
        if roll < 0.93:
            return SetMarketStatus(self.id(), t, market, rng.choice(tuple(MarketStatus)))
        if roll < 0.94 and not self.listed:
            self.listed = True
            return ListMarket(self.id(), t, LATE_SPEC)
        self.clock_ms += rng.randint(0, 400)
        return AdvanceClock(self.id(), self.clock_ms)

    def order(self, engine: MarginEngine, t: int, account: int, market: str) -> PlaceOrder:
        rng = self.rng
        side = rng.choice((Side.BUY, Side.SELL))
        reference = self.reference_ticks(engine, market)
        if rng.random() < 0.12:
            price, order_type, tif = 0, OrderType.MARKET, TimeInForce.IOC
        else:
            offset_bps = rng.randint(-300, 300)
            price = max(1, reference * (10_000 + offset_bps) // 10_000)
            order_type = OrderType.LIMIT
            tif = rng.choice((TimeInForce.GTC,) * 4 + tuple(TimeInForce))
            if rng.random() < 0.02:
                price = rng.choice((0, -1))  # bad input
        size = rng.choice((rng.randint(1, 400), rng.randint(1, 3_000)))  # sometimes at the margin's edge
        if rng.random() < 0.02:
            size = rng.choice((0, 10**10))  # bad input
        return PlaceOrder(
            self.id(),
            t,
            account,
            market,
            side,
            size,
            price,
            order_type,
            tif,
            t + rng.randint(1, 2_000) if tif is TimeInForce.GTD else 0,
            rng.random() < 0.15,
            f"c{rng.randint(1, 15)}" if rng.random() < 0.3 else "",
            rng.choice(tuple(SelfTradePrevention)),
        )

    def quotes(self, engine: MarginEngine, t: int, market: str) -> PlaceOrder:
        """The maker adds depth on one side near the reference price."""
        rng = self.rng
        reference = self.reference_ticks(engine, market)
        is_buy = rng.random() < 0.5
        spread_bps = rng.randint(1, 200)
        price = reference * (10_000 - spread_bps) // 10_000 if is_buy else reference * (10_000 + spread_bps) // 10_000
        return PlaceOrder(
            self.id(), t, MAKER, market, Side.BUY if is_buy else Side.SELL, rng.randint(50, 3_000), max(1, price)
        )

    def live_order(self, engine: MarginEngine, account: int, market: str) -> tuple[int, int, str, str]:
        """(owner, order id, market, client id) of a live order mostly, otherwise a guess."""
        rng = self.rng
        live = sorted((o for t in engine.traders.values() for o in t.orders()), key=lambda o: o.order_id)
        if live and rng.random() < 0.85:
            order = rng.choice(live)
            owner = order.account_id if rng.random() < 0.9 else account
            return owner, order.order_id, order.market, order.client_order_id
        return account, rng.randint(1, engine.next_order_id + 1), market, ""

    def cancel(self, engine: MarginEngine, t: int, account: int, market: str) -> CancelOrder:
        owner, order_id, order_market, client_id = self.live_order(engine, account, market)
        if client_id and self.rng.random() < 0.4:
            return CancelOrder(self.id(), t, owner, order_market, 0, client_id)
        return CancelOrder(self.id(), t, owner, order_market, order_id)

    def amend(self, engine: MarginEngine, t: int, account: int, market: str) -> AmendOrder:
        rng = self.rng
        owner, order_id, order_market, _ = self.live_order(engine, account, market)
        reference = self.reference_ticks(engine, order_market)
        price = rng.choice((0, max(1, reference * (10_000 + rng.randint(-300, 300)) // 10_000)))
        return AmendOrder(self.id(), t, owner, order_market, order_id, "", price, rng.choice((0, rng.randint(1, 500))))

    def price(self, engine: MarginEngine, t: int, market: str) -> PriceUpdate:
        rng = self.rng
        current = engine.markets[market].mark_price_ticks or 10_000
        move_bps = rng.choice((rng.randint(-300, 300),) * 2 + (rng.choice((-1, 1)) * rng.randint(1_500, 4_000),))
        if current < 5_000 or current > 20_000:  # gaps compound downward: drift back toward 100.00
            move_bps = abs(move_bps) if current < 5_000 else -abs(move_bps)
        mark = max(1, current * (10_000 + move_bps) // 10_000)
        if rng.random() < 0.03:
            mark = rng.choice((0, -3))  # bad input
        if rng.random() < 0.3:  # an internal index, kept within discovery bounds
            low, high = max(1, mark * 9 // 10), mark * 11 // 10
            return PriceUpdate(
                self.id(), t, market, mark, mark, MarketSession.OVERNIGHT, PriceSource.INTERNAL, low, high
            )
        index = max(1, mark + rng.randint(-20, 20)) if mark > 0 else mark
        return PriceUpdate(self.id(), t, market, index, mark)
