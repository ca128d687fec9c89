import random

import pytest

from funding.book_feed import BookFeed
from funding.sampler import observe_book
from margin.engine import MarginEngine
from matching.book import OrderBook
from messages.commands import Deposit, ListMarket, PlaceOrder, PriceUpdate, SetMarketStatus, Split
from messages.enums import MarketSession, MarketStatus, OrderType, PriceSource, Side, TimeInForce
from messages.events import OrderAccepted, OrderRested, Trade
from tests.funding.replay import AAPL, NVDA, Replay, random_commands


def book_state(book: OrderBook) -> list[list[tuple[int, int, int]]]:
    return [
        [(o.order_id, o.price_ticks, o.remaining_lots) for o in book.side_in_priority(is_buy)]
        for is_buy in (True, False)
    ]


def assert_same_books(replay: Replay) -> None:
    for symbol, market in replay.engine.markets.items():
        mirror = replay.feed.markets[symbol]
        mirror.book.check_invariants()
        assert book_state(mirror.book) == book_state(market.book)
        assert mirror.status is market.status
        for notional in (1_000_000_000, AAPL.impact_notional_micro, 50_000_000_000):
            for is_buy in (True, False):
                assert mirror.book.impact_price_ticks(is_buy, notional, 10) == market.book.impact_price_ticks(
                    is_buy, notional, 10
                )


@pytest.mark.parametrize("seed", range(8))
def test_feed_rebuilds_the_engine_books_from_events_alone(seed):
    """Differential: after every command of a varied recorded session, the book rebuilt from events
    equals the engine's own, order by order and in priority, and so do the impact prices."""
    rng = random.Random(seed)
    replay = Replay()
    kinds = set()
    for command in random_commands(rng, 400) + random_commands(rng, 100, market="NVDAUSDC", mid=20_000):
        events = replay.apply(command)
        kinds.update(type(e).__name__ for e in events)
        assert_same_books(replay)
    assert {"Trade", "OrderCanceled", "OrderAmended", "Rejected"} <= kinds  # the session exercised them


def test_events_seen_twice_change_nothing():
    replay = Replay()
    replay.place(1, 1, "AAPLUSDC", Side.SELL, 1_000, 10_010)
    replay.place(2, 2, "AAPLUSDC", Side.BUY, 400, 10_010)
    before = book_state(replay.feed.markets["AAPLUSDC"].book)
    for event in replay.events:
        replay.feed.apply_event(event)
    assert book_state(replay.feed.markets["AAPLUSDC"].book) == before == [[], [(1, 10_010, 600)]]


def test_a_taker_rests_with_its_order_rested_after_its_trades():
    """A buy crossing two asks: its Trades empty the asks, then its OrderRested puts what is left
    in the book; folded event by event, the book never crosses."""
    replay = Replay()
    replay.place(1, 1, "AAPLUSDC", Side.SELL, 300, 10_000)
    replay.place(2, 1, "AAPLUSDC", Side.SELL, 300, 10_001)
    events = replay.engine.apply(PlaceOrder("big", 3, 2, "AAPLUSDC", Side.BUY, 1_000, 10_005))
    feed = replay.feed
    books = []
    for event in events:
        feed.apply_event(event)
        feed.markets["AAPLUSDC"].book.check_invariants()
        books.append(book_state(feed.markets["AAPLUSDC"].book))
    assert [type(e).__name__ for e in events] == ["OrderAccepted", "Trade", "Trade", "OrderRested"]
    assert books == [
        [[], [(1, 10_000, 300), (2, 10_001, 300)]],
        [[], [(2, 10_001, 300)]],
        [[], []],
        [[(3, 10_005, 400)], []],
    ]


def test_applied_prices_set_index_session_and_source():
    replay = Replay([AAPL])
    replay.apply(PriceUpdate("p1", 1, "AAPLUSDC", 10_000, 10_001, MarketSession.OVERNIGHT, PriceSource.INTERNAL))
    replay.apply(PriceUpdate("p2", 2, "AAPLUSDC", 0, 10_001))  # the engine rejects it: no PriceApplied
    replay.apply(PriceUpdate("p3", 3, "NVDAUSDC", 20_000, 20_000))  # not listed: rejected
    feed = replay.feed
    observation = feed.observe("AAPLUSDC")
    assert observation is not None
    assert (observation.index_price_ticks, observation.session, observation.index_source) == (
        10_000,
        MarketSession.OVERNIGHT,
        PriceSource.INTERNAL,
    )
    assert feed.observe("NVDAUSDC") is None


def test_halted_and_unknown_markets_cannot_be_observed():
    replay = Replay()
    replay.price(1, "AAPLUSDC", 10_000)
    assert replay.feed.observe("AAPLUSDC") is not None
    replay.apply(SetMarketStatus("h", 2, "AAPLUSDC", MarketStatus.HALTED))
    assert replay.feed.observe("AAPLUSDC") is None
    assert replay.feed.observe("TSLAUSDC") is None


def test_listed_later_markets_join_the_feed():
    replay = Replay([AAPL])
    assert [s.symbol for s in replay.feed.market_specs()] == ["AAPLUSDC"]
    replay.apply(ListMarket("l", 1, NVDA))
    assert [s.symbol for s in replay.feed.market_specs()] == ["AAPLUSDC", "NVDAUSDC"]
    replay.place(2, 1, "NVDAUSDC", Side.SELL, 1_000, 20_000)
    assert book_state(replay.feed.markets["NVDAUSDC"].book) == [[], [(1, 20_000, 1_000)]]


def test_observation_matches_observe_book_on_the_engine():
    replay = Replay()
    replay.price(1, "AAPLUSDC", 10_000)
    replay.place(2, 1, "AAPLUSDC", Side.SELL, 2_000_000, 10_010)
    replay.place(3, 2, "AAPLUSDC", Side.BUY, 2_000_000, 9_990)
    engine_market = replay.engine.markets["AAPLUSDC"]
    assert replay.feed.observe("AAPLUSDC") == observe_book(engine_market.book, AAPL, 10_000)


def test_an_order_rested_and_hit_within_one_command_rests_with_what_is_left():
    """The engine may rest an order and then, in the same command, trade against it (a liquidation
    set off by the command places IOC orders into the book): its OrderRested comes first, so the
    trade reduces it in the book."""
    feed = BookFeed([AAPL])
    events = [
        OrderAccepted(1, "c1", 0, 7, "AAPLUSDC", 1, "", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, 10_000, 1_000),
        OrderRested(2, "c1", 0, 7, "AAPLUSDC", 1, "", Side.BUY, 10_000, 1_000, 1),
        OrderAccepted(3, "c1", 0, 8, "AAPLUSDC", 2, "", Side.SELL, OrderType.LIMIT, TimeInForce.IOC, 9_990, 400),
        Trade(4, "c1", 0, "AAPLUSDC", 1, 10_000, 400, Side.SELL, 2, 8, 0, 1, 7, 600, 0, 0, 2),
    ]
    for event in events:
        feed.apply_event(event)
    feed.check_invariants()
    assert book_state(feed.markets["AAPLUSDC"].book) == [[(1, 10_000, 600)], []]
    assert feed.markets["AAPLUSDC"].last_trade_ticks == 10_000


@pytest.mark.parametrize("seed", range(3))
def test_feed_follows_the_margin_engine_through_liquidations_and_a_split(seed):
    """Differential against the full engine: margin checks reject orders, price moves liquidate
    accounts into the book (orders placed inside a PriceUpdate command), and a 4:1 split rescales
    the market's tick and lot; the feed's books and specs stay the engine's."""
    rng = random.Random(seed)
    replay = Replay([AAPL], engine_type=MarginEngine)
    for account in (1, 2, 3):
        replay.apply(Deposit(f"d{account}", 0, account, rng.choice([20_000, 200_000, 10**7]) * 1_000_000))
    replay.apply(Deposit("d9", 0, 9, 10**13))
    replay.place(1, 9, "AAPLUSDC", Side.BUY, 2_000_000, 9_000)  # a deep bid for liquidations to hit
    replay.place(1, 9, "AAPLUSDC", Side.SELL, 2_000_000, 11_000)
    replay.price(2, "AAPLUSDC", 10_000)
    kinds: set[str] = set()
    for i, command in enumerate(random_commands(rng, 300)):
        events = replay.apply(command)
        if i % 25 == 24:
            events += replay.price(command.ts_ms, "AAPLUSDC", rng.randint(9_200, 10_800))
        if i == 150:
            events += replay.apply(Split("split", command.ts_ms, "AAPLUSDC", 4, 1))
        kinds.update(type(e).__name__ for e in events)
        assert_same_books(replay)
        assert replay.feed.markets["AAPLUSDC"].spec == replay.engine.markets["AAPLUSDC"].spec
    assert {"Trade", "SplitApplied"} <= kinds


def test_feed_follows_a_liquidation_into_the_book():
    """A 15x long is liquidated by a 5.5% drop: inside the PriceUpdate command the engine cancels
    its orders and sells IOC slices into the bids; the feed sees the same book afterwards."""
    replay = Replay([AAPL], engine_type=MarginEngine)
    replay.apply(Deposit("d1", 0, 1, 1_000_000_000))  # 1,000 USDC
    replay.apply(Deposit("d9", 0, 9, 10**13))
    replay.price(1, "AAPLUSDC", 10_000)
    replay.place(2, 9, "AAPLUSDC", Side.SELL, 200_000, 10_000)
    replay.place(3, 1, "AAPLUSDC", Side.BUY, 150_000, 10_000)  # 150 shares at 100: 15x
    replay.place(4, 1, "AAPLUSDC", Side.SELL, 1_000, 10_500, reduce_only=True)  # canceled by the liquidation
    for i, (lots, price) in enumerate([(50_000, 9_700), (50_000, 9_600), (100_000, 9_500)]):
        replay.place(5 + i, 9, "AAPLUSDC", Side.BUY, lots, price)
    assert_same_books(replay)
    events = replay.price(10, "AAPLUSDC", 9_450)
    assert any(type(e).__name__ == "PositionLiquidated" for e in events), events
    assert any(isinstance(e, Trade) for e in events)
    assert_same_books(replay)
    assert replay.engine.risk.position_lots(1, "AAPLUSDC") == 0
