"""Test helpers: a small market, command builders with readable defaults, checked application, and
the comparison of a fold of the events (tests/messages/fold.py) with the engine's books."""

import itertools

import msgspec

from matching.book import OrderBook
from matching.engine import Engine, EngineConfig
from matching.snapshot import EngineState
from messages.commands import AmendOrder, CancelAll, CancelOrder, Command, PlaceOrder
from messages.enums import OrderType, Side, TimeInForce
from messages.events import Event
from messages.market_spec import MarginTier, MarketSpec
from tests.messages.fold import Fold, Level

SYMBOL = "TESTUSDC"
_ids = itertools.count(1)


def spec(symbol: str = SYMBOL, **overrides: object) -> MarketSpec:
    """Price 100.00 is 10_000 ticks; a lot is 0.01 share, so 1 lot at 100.00 is 1 USDC."""
    fields: dict = {
        "symbol": symbol,
        "underlying": symbol.removesuffix("USDC"),
        "tick_size": "0.01",
        "lot_size": "0.01",
        "min_notional_micro": 1_000_000,  # 1 USDC: one lot near 100.00
        "max_order_lots": 1_000_000,
        "margin_tiers": (MarginTier(0, 10),),
        "maker_fee_ppm": 100,
        "taker_fee_ppm": 400,
        "impact_notional_micro": 1_000_000_000,
        "market_order_band_ppm": 50_000,
    }
    fields.update(overrides)
    return MarketSpec(**fields)


def new_engine(*specs: MarketSpec, **config: int) -> Engine:
    return Engine(specs or (spec(),), config=EngineConfig(**config))


def next_id() -> str:
    return f"c{next(_ids)}"


def limit(
    account: int,
    side: str,
    price_ticks: int,
    size_lots: int,
    tif: TimeInForce = TimeInForce.GTC,
    market: str = SYMBOL,
    ts_ms: int = 0,
    **kw: object,
) -> PlaceOrder:
    return PlaceOrder(next_id(), ts_ms, account, market, Side(side), size_lots, price_ticks, OrderType.LIMIT, tif, **kw)


def market_order(account: int, side: str, size_lots: int, market: str = SYMBOL, **kw: object) -> PlaceOrder:
    return PlaceOrder(
        next_id(),
        kw.pop("ts_ms", 0),
        account,
        market,
        Side(side),
        size_lots,
        0,
        OrderType.MARKET,
        TimeInForce.IOC,
        **kw,
    )


def cancel(account: int, order_id: int = 0, client_order_id: str = "", market: str = SYMBOL) -> CancelOrder:
    return CancelOrder(next_id(), 0, account, market, order_id, client_order_id)


def cancel_all(account: int, market: str = "") -> CancelAll:
    return CancelAll(next_id(), 0, account, market)


def amend(account: int, order_id: int, price_ticks: int = 0, size_lots: int = 0, market: str = SYMBOL) -> AmendOrder:
    return AmendOrder(next_id(), 0, account, market, order_id, "", price_ticks, size_lots)


def run(engine: Engine, command: Command) -> list[Event]:
    """Apply and check every invariant afterwards, as every test should."""
    events = engine.apply(command)
    engine.check_invariants()
    if events:
        seqs = [e.seq for e in events]
        expected = list(range(engine.next_seq - len(events), engine.next_seq))
        assert seqs == expected, "event seqs not consecutive up to the engine's counter"
    assert all(e.command_id == command.command_id for e in events)
    return events


def kinds(events: list[Event]) -> list[str]:
    return [type(e).__name__ for e in events]


def trading_state(engine: Engine) -> EngineState:
    """The snapshot minus the event counter and the idempotence windows: what 'changes nothing' means
    for a rejected command (which still takes a seq and is remembered, so a retry gets the same answer)."""
    state = msgspec.msgpack.decode(engine.snapshot(), type=EngineState)
    state.next_seq = 0
    state.recent_commands = []
    return state


def depth(engine: Engine, market: str = SYMBOL, levels: int = 50) -> tuple[list, list]:
    return engine.markets[market].book.depth(levels)


def engine_levels(book: OrderBook, is_buy: bool) -> list[Level]:
    """The engine's levels from its orders in priority: (price, total lots, order count)."""
    levels: list[Level] = []
    for order in book.side_in_priority(is_buy):
        if levels and levels[-1][0] == order.price_ticks:
            price, total, count = levels[-1]
            levels[-1] = (price, total + order.remaining_lots, count + 1)
        else:
            levels.append((order.price_ticks, order.remaining_lots, 1))
    return levels


def assert_fold_is_the_engine(fold: Fold, engine: Engine) -> None:
    assert fold.last_seq == engine.next_seq - 1
    assert fold.markets.keys() == engine.markets.keys()
    for symbol, market in engine.markets.items():
        folded = fold.markets[symbol]
        book = market.book
        for is_buy in (True, False):
            levels = engine_levels(book, is_buy)
            assert folded.levels(is_buy) == levels, f"{symbol} {'bids' if is_buy else 'asks'}"
            if type(book) is OrderBook:  # the fast book's own per-level totals and counts agree
                side = book.bids if is_buy else book.asks
                assert [(lv.price_ticks, lv.total_lots, lv.live_count) for lv in side.levels_best_first()] == levels
            assert folded.queue(is_buy) == [o.order_id for o in book.side_in_priority(is_buy)]
        assert folded.book_update_id == market.book_update_id
        assert folded.status is market.status
        assert folded.index_price_ticks == market.index_price_ticks
        assert folded.mark_price_ticks == market.mark_price_ticks
        if market.mark_price_ticks:
            bands = (market.market_order_limit_ticks(False), market.market_order_limit_ticks(True))
            assert folded.band_ticks == bands
    accounts = {o.account_id for m in fold.markets.values() for o in m.orders.values()} | set(engine.traders)
    for account_id in sorted(accounts):
        expected = [(o.order_id, o.remaining_lots) for o in engine.orders_of(account_id)]
        assert fold.open_orders(account_id) == expected
