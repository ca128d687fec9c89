"""A real engine with the listed NVDA market, an oracle service publishing into it, and helpers to
put orders on the book. Nothing is faked: publish applies each command to the engine."""

import itertools

from matching.engine import Engine
from matching.markets import load_markets
from messages.commands import Command, PlaceOrder
from messages.enums import Side
from messages.events import Event, Rejected
from oracle.book_view import EngineBookReader
from oracle.service import OracleParams, OracleService
from oracle.sessions import UsEquityCalendar
from oracle.sources.base import PriceFeed

NVDA = next(spec for spec in load_markets() if spec.symbol == "NVDAUSDC")
_ids = itertools.count(1)


class Exchange:
    def __init__(self) -> None:
        self.engine = Engine([NVDA])
        self.published: list[Command] = []
        self.events: list[Event] = []

    async def publish(self, command: Command) -> None:
        self.published.append(command)
        self.events.extend(self.engine.apply(command))
        self.engine.check_invariants()

    def rejected(self) -> list[Rejected]:
        return [e for e in self.events if isinstance(e, Rejected)]

    def quote_book(self, bid_ticks: int, ask_ticks: int, shares: int = 200, ts_ms: int = 0) -> None:
        """A maker quotes `shares` a side: enough for NVDA's 10,000 USDC impact notional."""
        lots = shares * 1000  # lot = 0.001 share
        for side, price in ((Side.BUY, bid_ticks), (Side.SELL, ask_ticks)):
            events = self.engine.apply(PlaceOrder(f"mm{next(_ids)}", ts_ms, 1, NVDA.symbol, side, lots, price))
            assert not any(isinstance(e, Rejected) for e in events), events


def oracle(exchange: Exchange, sources: list[PriceFeed], calendar: UsEquityCalendar, **params: object) -> OracleService:
    return OracleService(
        [NVDA], sources, calendar, exchange.publish, EngineBookReader(exchange.engine), OracleParams(**params)
    )  # type: ignore[arg-type]
