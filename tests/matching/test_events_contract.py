"""The events are enough: a naive fold of the events alone (tests/messages/fold.py) gives every
book level by level with its order counts, the queue within each level, every account's open
orders, the prices and each market's book update id, after every command of random sequences.
The fold itself checks, event by event, that update ids go up by exactly one per book change."""

import pytest

from matching.book import OrderBook
from matching.engine import Engine, EngineConfig
from matching.naive_book import NaiveBook
from messages.commands import AmendOrder, CancelOrder, PlaceOrder, PriceUpdate
from messages.enums import CancelReason, MarketSession, OrderType, PriceSource, SelfTradePrevention, Side, TimeInForce
from messages.events import OrderCanceled, OrderRested, PriceApplied, Trade
from tests.matching.helpers import assert_fold_is_the_engine
from tests.matching.random_commands import SPECS, CommandGenerator
from tests.messages.fold import Fold

CONFIG = EngineConfig(command_window=50, client_id_window=8)


@pytest.mark.parametrize("book_type", [OrderBook, NaiveBook])
@pytest.mark.parametrize("batch", range(4))
def test_a_fold_of_the_events_is_the_engine_after_every_command(batch, book_type):
    kinds: set[str] = set()
    for seed in range(batch * 50, (batch + 1) * 50):
        engine = Engine(SPECS, config=CONFIG, book_type=book_type)
        fold = Fold(SPECS)
        generator = CommandGenerator(seed)
        for _ in range(120):
            events = engine.apply(generator.next(engine))
            fold.apply_all(events)
            kinds.update(type(e).__name__ for e in events)
            assert_fold_is_the_engine(fold, engine)
        # every change to a book took exactly one id, in every market
        assert fold.book_changes == sum(market.book_update_id for market in engine.markets.values())
    assert {"OrderRested", "Trade", "OrderCanceled", "OrderAmended", "PriceApplied"} <= kinds


def test_the_update_id_survives_a_snapshot_and_goes_on_from_there():
    engine = Engine(SPECS, config=CONFIG)
    fold = Fold(SPECS)
    generator = CommandGenerator(5)
    for _ in range(200):
        fold.apply_all(engine.apply(generator.next(engine)))
    ids = {symbol: market.book_update_id for symbol, market in engine.markets.items()}
    assert all(ids.values())
    engine = Engine.restore(engine.snapshot())
    assert {symbol: market.book_update_id for symbol, market in engine.markets.items()} == ids
    for _ in range(200):
        fold.apply_all(engine.apply(generator.next(engine)))  # the fold checks each id is the next one
        assert_fold_is_the_engine(fold, engine)


def _place(n: int, account: int, side: Side, lots: int, price: int, **kw) -> PlaceOrder:
    return PlaceOrder(f"p{n}", n, account, "AAAUSDC", side, lots, price, **kw)


def test_which_events_take_an_update_id():
    """Resting, a fill, a cancel of a resting order and an amend take one each; the end of a taker
    that never rested, a rejection and a price do not."""
    engine = Engine(SPECS)
    rested = engine.apply(_place(1, 1, Side.SELL, 5, 10_000))
    assert [(type(e).__name__, getattr(e, "book_update_id", None)) for e in rested] == [
        ("OrderAccepted", None),
        ("OrderRested", 1),
    ]
    ioc = engine.apply(_place(2, 2, Side.BUY, 8, 10_000, time_in_force=TimeInForce.IOC))
    assert [type(e) for e in ioc[1:]] == [Trade, OrderCanceled]
    trade, remainder = ioc[1:]
    assert isinstance(trade, Trade) and (trade.book_update_id, trade.maker_remaining_lots) == (2, 0)
    assert isinstance(remainder, OrderCanceled)
    assert (remainder.reason, remainder.remaining_lots, remainder.book_update_id) == (CancelReason.IOC_REMAINDER, 3, 0)
    order_id = engine.apply(_place(3, 1, Side.BUY, 5, 9_990))[0].order_id
    amended = engine.apply(AmendOrder("a", 4, 1, "AAAUSDC", order_id, "", 0, 3))  # smaller: keeps priority
    assert [(type(e).__name__, e.book_update_id) for e in amended] == [("OrderAmended", 4)]
    assert engine.apply(AmendOrder("b", 5, 1, "AAAUSDC", order_id, "", 0, 3))[0].reason.value == "AMEND_NOTHING"
    prices = engine.apply(
        PriceUpdate("px", 6, "AAAUSDC", 10_000, 10_010, MarketSession.CLOSED, PriceSource.INTERNAL, 9_000, 11_000)
    )
    assert prices == [
        PriceApplied(
            prices[0].seq,
            "px",
            6,
            "AAAUSDC",
            10_000,
            10_010,
            MarketSession.CLOSED,
            PriceSource.INTERNAL,
            engine.markets["AAAUSDC"].market_order_limit_ticks(False),
            engine.markets["AAAUSDC"].market_order_limit_ticks(True),
            9_000,
            11_000,
        )
    ]
    canceled = engine.apply(CancelOrder("c", 7, 1, "AAAUSDC", order_id))
    assert [(e.reason, e.book_update_id) for e in canceled] == [(CancelReason.USER, 5)]
    assert engine.markets["AAAUSDC"].book_update_id == 5
    assert engine.markets["BBBUSDC"].book_update_id == 0  # per market


def test_a_taker_rests_after_its_fills_with_what_is_left():
    engine = Engine(SPECS)
    engine.apply(_place(1, 1, Side.SELL, 5, 10_000))
    stp = SelfTradePrevention.EXPIRE_BOTH
    events = engine.apply(_place(2, 2, Side.BUY, 8, 10_001, order_type=OrderType.LIMIT, self_trade_prevention=stp))
    assert [type(e).__name__ for e in events] == ["OrderAccepted", "Trade", "OrderRested"]
    assert events[0].self_trade_prevention is stp
    rested = events[-1]
    assert isinstance(rested, OrderRested)
    assert (rested.order_id, rested.price_ticks, rested.remaining_lots, rested.book_update_id) == (2, 10_001, 3, 3)
