"""What "the views equal the engine" means for books, checked level by level and queue by queue."""

from matching.engine import Engine
from views.books import Level, QueuedOrder
from views.exchange import ExchangeView
from views.naive_books import NaiveBookView


def engine_queue(engine: Engine, symbol: str, is_buy: bool) -> list[tuple[int, list[QueuedOrder]]]:
    levels: dict[int, list[QueuedOrder]] = {}
    for order in engine.markets[symbol].book.side_in_priority(is_buy):
        levels.setdefault(order.price_ticks, []).append(
            QueuedOrder(order.order_id, order.account_id, order.remaining_lots)
        )
    return list(levels.items())


def engine_levels(engine: Engine, symbol: str, is_buy: bool) -> list[Level]:
    return [
        Level(price, sum(o.remaining_lots for o in queue), len(queue))
        for price, queue in engine_queue(engine, symbol, is_buy)
    ]


def assert_books_agree(view: ExchangeView, engine: Engine, naive: NaiveBookView | None = None) -> None:
    view.books.check_invariants()
    assert sorted(view.books.books) == sorted(engine.markets)
    for symbol, market in sorted(engine.markets.items()):
        depth = view.books.depth(symbol)
        assert depth.last_update_id == market.book_update_id, symbol
        assert depth.bids == engine_levels(engine, symbol, True), symbol
        assert depth.asks == engine_levels(engine, symbol, False), symbol
        for is_buy in (True, False):
            assert view.books.queue(symbol, is_buy) == engine_queue(engine, symbol, is_buy), symbol
            expected = market.book.impact_price_ticks(
                is_buy, market.spec.impact_notional_micro, market.spec.micro_per_tick_lot
            )
            assert view.books.impact_price_ticks(symbol, is_buy) == expected
        ticker = view.books.book_ticker(symbol)
        assert ticker.bid_ticks == (market.book.best_bid_ticks or 0)
        assert ticker.ask_ticks == (market.book.best_ask_ticks or 0)
        assert view.markets.must_get(symbol).spec == market.spec
        assert view.markets.must_get(symbol).status == market.status
        prices = view.prices.must_get(symbol)
        assert (prices.mark_price_ticks, prices.index_price_ticks) == (
            market.mark_price_ticks,
            market.index_price_ticks,
        )
        assert prices.last_trade_ticks == market.last_trade_ticks
        if naive is not None:
            assert naive.depth(symbol) == depth
            for is_buy in (True, False):
                assert naive.queue(symbol, is_buy) == view.books.queue(symbol, is_buy)
                assert naive.impact_price_ticks(symbol, is_buy) == view.books.impact_price_ticks(symbol, is_buy)
