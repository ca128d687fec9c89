"""Order history a trader can check by hand: the order's row, and every state it passed through."""

from pathlib import Path

from messages.enums import CancelReason, OrderType, Side, TimeInForce
from messages.events import OrderAccepted, OrderAmended, OrderCanceled, OrderRested
from tests.views.history.script import T0_MS, Script, history, trade
from views.history.queries import all_orders, get_order, order_events

M = "AAPLUSDC"


def place(s: Script, account: int, order_id: int, side: Side, price: int, size: int, tif=TimeInForce.GTC, **kw) -> None:
    s.add(
        OrderAccepted,
        account_id=account,
        market=M,
        order_id=order_id,
        client_order_id=f"cl{order_id}",
        side=side,
        order_type=OrderType.LIMIT,
        time_in_force=tif,
        price_ticks=price,
        size_lots=size,
        **kw,
    )


def rest(s: Script, account: int, order_id: int, side: Side, price: int, remaining: int, update_id: int) -> None:
    s.add(
        OrderRested,
        account_id=account,
        market=M,
        order_id=order_id,
        client_order_id=f"cl{order_id}",
        side=side,
        price_ticks=price,
        remaining_lots=remaining,
        book_update_id=update_id,
    )


def test_a_bid_filled_in_two_trades(tmp_path: Path) -> None:
    """Alice bids 10 at 100; Bob sells 4, then Carol sells 6: Alice's order is FILLED at an average of 100."""
    s = Script()
    place(s.command(), 1, 1, Side.BUY, 100, 10)
    rest(s, 1, 1, Side.BUY, 100, 10, 1)
    place(s.command(T0_MS + 1_000), 2, 2, Side.SELL, 100, 4, TimeInForce.IOC)
    trade(s, 1, 100, 4, (2, 2, 0), (1, 1, 6), Side.SELL)
    place(s.command(T0_MS + 2_000), 3, 3, Side.SELL, 99, 6, TimeInForce.IOC)
    trade(s, 2, 100, 6, (3, 3, 0), (1, 1, 0), Side.SELL)
    store = history(tmp_path)
    store.write_batch(s.events, "9-0")

    alice = must_order(store, 1, 1)
    assert (alice.status, alice.filled_lots, alice.remaining_lots, alice.resting) == ("FILLED", 10, 0, False)
    assert alice.filled_notional_tick_lots == 100 * 10
    assert (alice.created_ms, alice.updated_ms) == (T0_MS, T0_MS + 2_000)
    assert [(e.kind, e.size_lots, e.remaining_lots, e.trade_id) for e in order_events(store.connection, 1, 1)] == [
        ("ACCEPTED", 10, 10, None),
        ("RESTED", 10, 10, None),
        ("FILLED", 4, 6, 1),
        ("FILLED", 6, 0, 2),
    ]
    carol = must_order(store, 3, 3)
    assert (carol.status, carol.filled_lots, carol.price_ticks, carol.filled_notional_tick_lots) == (
        "FILLED",
        6,
        99,
        600,
    )


def test_a_partial_fill_then_a_cancel(tmp_path: Path) -> None:
    """Alice bids 10, 3 trade, she cancels: CANCELED (reason USER) with 7 unfilled and 3 filled."""
    s = Script()
    place(s.command(), 1, 1, Side.BUY, 100, 10)
    rest(s, 1, 1, Side.BUY, 100, 10, 1)
    place(s.command(), 2, 2, Side.SELL, 100, 3, TimeInForce.IOC)
    trade(s, 1, 100, 3, (2, 2, 0), (1, 1, 7), Side.SELL)
    s.command()
    s.add(
        OrderCanceled,
        account_id=1,
        market=M,
        order_id=1,
        client_order_id="cl1",
        remaining_lots=7,
        reason=CancelReason.USER,
        book_update_id=3,
    )
    store = history(tmp_path)
    store.write_batch(s.events, "6-0")
    alice = must_order(store, 1, 1)
    assert (alice.status, alice.cancel_reason, alice.filled_lots, alice.remaining_lots) == ("CANCELED", "USER", 3, 7)
    assert [e.kind for e in order_events(store.connection, 1, 1)] == ["ACCEPTED", "RESTED", "FILLED", "CANCELED"]


def test_what_an_order_could_not_do_expires_it(tmp_path: Path) -> None:
    """An IOC's remainder, a GTD reaching its time: EXPIRED with the reason; self-trade prevention: EXPIRED_IN_MATCH."""
    s = Script()
    place(s.command(), 1, 1, Side.BUY, 100, 5, TimeInForce.IOC)
    s.add(
        OrderCanceled,
        account_id=1,
        market=M,
        order_id=1,
        client_order_id="cl1",
        remaining_lots=5,
        reason=CancelReason.IOC_REMAINDER,
    )
    place(s.command(), 1, 2, Side.BUY, 101, 5, TimeInForce.GTD, expire_at_ms=T0_MS + 60_000)
    rest(s, 1, 2, Side.BUY, 101, 5, 1)
    s.command(T0_MS + 60_000)
    s.add(
        OrderCanceled,
        account_id=1,
        market=M,
        order_id=2,
        client_order_id="cl2",
        remaining_lots=5,
        reason=CancelReason.EXPIRED,
        book_update_id=2,
    )
    place(s.command(), 1, 3, Side.SELL, 101, 5)
    s.add(
        OrderCanceled,
        account_id=1,
        market=M,
        order_id=3,
        client_order_id="cl3",
        remaining_lots=5,
        reason=CancelReason.SELF_TRADE,
    )
    store = history(tmp_path)
    store.write_batch(s.events, "8-0")
    rows = all_orders(store.connection, 1, M, limit=10)
    assert [(o.order_id, o.status, o.cancel_reason, o.expire_at_ms) for o in rows] == [
        (1, "EXPIRED", "IOC_REMAINDER", 0),
        (2, "EXPIRED", "EXPIRED", T0_MS + 60_000),
        (3, "EXPIRED_IN_MATCH", "SELF_TRADE", 0),
    ]
    assert [e.kind for e in order_events(store.connection, 1, 2)] == ["ACCEPTED", "RESTED", "EXPIRED"]


def test_amends_in_place_and_to_a_new_price(tmp_path: Path) -> None:
    """Shrunk from 10 to 8 it keeps its place; moved to 98 it leaves the book and rests again there."""
    s = Script()
    place(s.command(), 1, 1, Side.BUY, 100, 10)
    rest(s, 1, 1, Side.BUY, 100, 10, 1)
    s.command()
    s.add(
        OrderAmended,
        account_id=1,
        market=M,
        order_id=1,
        client_order_id="cl1",
        price_ticks=100,
        size_lots=8,
        remaining_lots=8,
        priority_kept=True,
        book_update_id=2,
    )
    s.command()
    s.add(
        OrderAmended,
        account_id=1,
        market=M,
        order_id=1,
        client_order_id="cl1",
        price_ticks=98,
        size_lots=8,
        remaining_lots=8,
        priority_kept=False,
        book_update_id=3,
    )
    rest(s, 1, 1, Side.BUY, 98, 8, 4)
    store = history(tmp_path)
    store.write_batch(s.events, "5-0")
    order = must_order(store, 1, 1)
    assert (order.status, order.price_ticks, order.orig_size_lots, order.size_lots, order.resting) == (
        "NEW",
        98,
        10,
        8,
        True,
    )
    assert [(e.kind, e.price_ticks, e.size_lots) for e in order_events(store.connection, 1, 1)] == [
        ("ACCEPTED", 100, 10),
        ("RESTED", 100, 10),
        ("AMENDED", 100, 8),
        ("AMENDED", 98, 8),
        ("RESTED", 98, 8),
    ]


def test_an_order_is_found_by_client_id_and_only_by_its_account(tmp_path: Path) -> None:
    s = Script()
    place(s.command(), 1, 1, Side.BUY, 100, 10)
    place(s.command(), 2, 2, Side.BUY, 100, 10)
    store = history(tmp_path)
    store.write_batch(s.events, "2-0")
    assert must_order(store, 1, 1).client_order_id == "cl1"
    assert get_order(store.connection, 1, client_order_id="cl1") == must_order(store, 1, 1)
    assert get_order(store.connection, 2, order_id=1) is None
    assert get_order(store.connection, 1, client_order_id="cl2") is None
    assert order_events(store.connection, 2, 1) == []


def test_each_batch_boundary_gives_the_same_rows(tmp_path: Path) -> None:
    """An order filled and canceled within one batch, or across batches, ends the same."""
    s = Script()
    place(s.command(), 1, 1, Side.BUY, 100, 10)
    rest(s, 1, 1, Side.BUY, 100, 10, 1)
    place(s.command(), 2, 2, Side.SELL, 100, 3, TimeInForce.IOC)
    trade(s, 1, 100, 3, (2, 2, 0), (1, 1, 7), Side.SELL)
    s.add(
        OrderCanceled,
        account_id=1,
        market=M,
        order_id=1,
        client_order_id="cl1",
        remaining_lots=7,
        reason=CancelReason.USER,
        book_update_id=3,
    )
    whole = history(tmp_path, "whole.sqlite3")
    whole.write_batch(s.events, "x")
    for cut in range(1, len(s.events)):
        split = history(tmp_path, f"split{cut}.sqlite3")
        split.write_batch(s.events[:cut], "x")
        split.write_batch(s.events[cut:], "x")
        assert all_orders(split.connection, 1, limit=10) == all_orders(whole.connection, 1, limit=10)
        assert order_events(split.connection, 1, 1) == order_events(whole.connection, 1, 1)


def must_order(store, account_id: int, order_id: int):
    order = get_order(store.connection, account_id, order_id=order_id)
    assert order is not None
    return order


def test_orders_ended_without_a_fill_are_forgotten_after_the_keep_time(tmp_path: Path) -> None:
    """Pruning before T0+1d: the order canceled unfilled at T0 goes (with its states); the one that
    traded, the one canceled later and the one still open stay."""
    day_ms = 86_400_000
    s = Script()
    for order_id in (1, 2, 3, 4):
        place(s.command(), 1, order_id, Side.BUY, 100, 10)
        rest(s, 1, order_id, Side.BUY, 100, 10, order_id)
    place(s.command(), 2, 5, Side.SELL, 100, 3, TimeInForce.IOC)
    trade(s, 1, 100, 3, (2, 5, 0), (1, 2, 7), Side.SELL)
    for order_id, remaining, ts_ms in ((1, 10, T0_MS), (2, 7, T0_MS), (3, 10, T0_MS + 2 * day_ms)):
        s.command(ts_ms).add(
            OrderCanceled, account_id=1, market=M, order_id=order_id, client_order_id=f"cl{order_id}",
            remaining_lots=remaining, reason=CancelReason.USER, book_update_id=6 + order_id,
        )  # fmt: skip
    store = history(tmp_path)
    store.write_batch(s.events, "x")
    assert store.prune_unfilled_orders(T0_MS + day_ms) == 1
    assert [o.order_id for o in all_orders(store.connection, 1, limit=10)] == [2, 3, 4]
    assert order_events(store.connection, 1, 1) == []
    assert [e.kind for e in order_events(store.connection, 1, 2)] == ["ACCEPTED", "RESTED", "FILLED", "CANCELED"]
