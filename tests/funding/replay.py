"""A replayed book: recorded commands applied to a real Engine, its events fed to the shared views
(views/), as the funding process sees them on the streams."""

import random

from funding.sampler import MarketObservation
from funding.stream_source import observe_view
from matching.engine import Engine
from matching.markets import load_markets
from messages.commands import AmendOrder, CancelAll, CancelOrder, Command, PlaceOrder, PriceUpdate, SetMarketStatus
from messages.enums import MarketStatus, OrderType, SelfTradePrevention, Side, TimeInForce
from messages.events import Event
from messages.market_spec import MarketSpec
from views.exchange import ExchangeView

SPECS = load_markets()
AAPL = next(s for s in SPECS if s.symbol == "AAPLUSDC")  # tick 0.01, lot 0.001, impact notional 10_000 USDC
NVDA = next(s for s in SPECS if s.symbol == "NVDAUSDC")


class ViewFeed:
    """The views as the funding service's BookSource, fed by hand."""

    def __init__(self, engine: Engine) -> None:
        self.view = ExchangeView()
        self.view.seed(engine, engine.next_seq - 1)

    def market_specs(self) -> list[MarketSpec]:
        return self.view.markets.specs()

    def observe(self, market: str) -> MarketObservation | None:
        return observe_view(self.view, market)


class Replay:
    def __init__(self, specs: list[MarketSpec] | None = None, engine_type: type[Engine] = Engine) -> None:
        specs = specs if specs is not None else [AAPL, NVDA]
        self.engine = engine_type(specs)
        self.feed = ViewFeed(self.engine)
        self.events: list[Event] = []
        self.n = 0

    def apply(self, command: Command) -> list[Event]:
        events = self.engine.apply(command)
        self.engine.check_invariants()
        self.events += events
        for event in events:
            self.feed.view.apply(event)
        self.feed.view.books.check_invariants()
        return events

    def next_id(self) -> str:
        self.n += 1
        return f"t{self.n}"

    def place(
        self, ts_ms: int, account: int, market: str, side: Side, lots: int, price: int, **kw: object
    ) -> list[Event]:
        return self.apply(PlaceOrder(self.next_id(), ts_ms, account, market, side, lots, price, **kw))

    def cancel_all(self, ts_ms: int, account: int, market: str) -> list[Event]:
        return self.apply(CancelAll(self.next_id(), ts_ms, account, market))

    def price(self, ts_ms: int, market: str, index_ticks: int, **kw: object) -> list[Event]:
        return self.apply(PriceUpdate(self.next_id(), ts_ms, market, index_ticks, index_ticks, **kw))


def random_commands(rng: random.Random, count: int, market: str = "AAPLUSDC", mid: int = 10_000) -> list[Command]:
    """A recorded session of varied orders: limits of every time in force, market orders, cancels,
    amends (re-priced across the book too), self-trades, GTD expiries, a halt and a resume."""
    commands: list[Command] = []
    ts = 1_000
    placed: list[tuple[int, str]] = []  # (account, client order id): cancels and amends name their own
    for i in range(count):
        ts += rng.randint(0, 3_000)
        kind = rng.random()
        account = rng.randint(1, 3)
        cid = f"r{i}"
        if kind < 0.55 or not placed:
            placed.append((account, cid))
            side = rng.choice([Side.BUY, Side.SELL])
            offset = rng.randint(-40, 40)
            price = mid - 5 + offset if side is Side.BUY else mid + 5 + offset
            tif = rng.choice(
                [TimeInForce.GTC] * 5 + [TimeInForce.IOC, TimeInForce.FOK, TimeInForce.GTX, TimeInForce.GTD]
            )
            expire = ts + rng.randint(1, 20_000) if tif is TimeInForce.GTD else 0
            stp = rng.choice(list(SelfTradePrevention))
            commands.append(
                PlaceOrder(
                    cid,
                    ts,
                    account,
                    market,
                    side,
                    rng.randint(100, 60_000),
                    price,
                    time_in_force=tif,
                    expire_at_ms=expire,
                    self_trade_prevention=stp,
                    client_order_id=cid,
                )
            )
        elif kind < 0.62:
            side = rng.choice([Side.BUY, Side.SELL])
            commands.append(
                PlaceOrder(cid, ts, account, market, side, rng.randint(100, 80_000), 0, order_type=OrderType.MARKET)
            )
        elif kind < 0.82:
            owner, coid = rng.choice(placed[-30:])
            commands.append(CancelOrder(cid, ts, owner, market, client_order_id=coid))
        elif kind < 0.97:
            owner, coid = rng.choice(placed[-30:])
            commands.append(
                AmendOrder(
                    cid,
                    ts,
                    owner,
                    market,
                    client_order_id=coid,
                    new_price_ticks=rng.choice([0, mid + rng.randint(-60, 60)]),
                    new_size_lots=rng.choice([0, rng.randint(100, 60_000)]),
                )
            )
        else:
            status = rng.choice([MarketStatus.HALTED, MarketStatus.ACTIVE, MarketStatus.ACTIVE])
            commands.append(SetMarketStatus(cid, ts, market, status))
    return commands
