"""Trades with both sides, their fees and realized PnL: the market's tape, each account's fills and income."""

from pathlib import Path

from tests.views.history.script import T0_MS, Script, history, trade
from views.history.queries import agg_trades, historical_trades, income, user_trades

M = "AAPLUSDC"


def test_one_trade_seen_by_the_market_and_by_each_side(tmp_path: Path) -> None:
    """Bob buys 5 at 200 from Alice's ask: Bob pays a 500 micro fee, Alice gets a 100 micro rebate
    and realizes 2,000 micro on the long she was closing."""
    s = Script()
    trade(
        s.command(),
        1,
        200,
        5,
        (2, 20, 0),
        (1, 10, 5),
        taker_fee_micro=500,
        maker_fee_micro=-100,
        maker_realized_pnl_micro=2_000,
    )
    store = history(tmp_path)
    store.write_batch(s.events, "1-0")
    c = store.connection
    assert [(t.trade_id, t.price_ticks, t.size_lots, t.taker_side) for t in historical_trades(c, M)] == [
        (1, 200, 5, "BUY")
    ]
    [bob] = user_trades(c, 2)
    assert (bob.side, bob.is_maker, bob.order_id, bob.fee_micro, bob.realized_pnl_micro) == ("BUY", False, 20, 500, 0)
    [alice] = user_trades(c, 1)
    assert (alice.side, alice.is_maker, alice.order_id, alice.fee_micro, alice.realized_pnl_micro) == (
        "SELL",
        True,
        10,
        -100,
        2_000,
    )
    assert [(i.income_type, i.amount_micro, i.trade_id) for i in income(c, 1)] == [
        ("REALIZED_PNL", 2_000, 1),
        ("COMMISSION", 100, 1),  # a rebate is income
    ]
    assert [(i.income_type, i.amount_micro) for i in income(c, 2)] == [("COMMISSION", -500)]
    assert income(c, 1, income_type="COMMISSION")[0].amount_micro == 100


def test_a_self_trade_gives_the_account_both_sides(tmp_path: Path) -> None:
    s = Script()
    trade(s.command(), 1, 200, 5, (1, 2, 0), (1, 1, 0), taker_fee_micro=50, maker_fee_micro=20)
    store = history(tmp_path)
    store.write_batch(s.events, "1-0")
    fills = user_trades(store.connection, 1)
    assert [(f.side, f.is_maker, f.fee_micro) for f in fills] == [("BUY", False, 50), ("SELL", True, 20)]
    commissions = income(store.connection, 1)
    assert [i.amount_micro for i in commissions] == [-50, -20]
    assert len({i.tran_id for i in commissions}) == 2


def test_user_trades_windows(tmp_path: Path) -> None:
    """Trades 1..6, one a second, Alice the maker of each: fromId, the time window, the limit."""
    s = Script()
    for t in range(1, 7):
        trade(s.command(T0_MS + t * 1_000), t, 100 + t, 1, (2, 100 + t, 0), (1, 1, 6 - t))
    store = history(tmp_path)
    store.write_batch(s.events, "6-0")
    c = store.connection
    assert [f.trade_id for f in user_trades(c, 1, from_trade_id=4)] == [4, 5, 6]
    assert [f.trade_id for f in user_trades(c, 1, start_ms=T0_MS + 2_000, end_ms=T0_MS + 4_000)] == [2, 3, 4]
    assert [f.trade_id for f in user_trades(c, 1, limit=2)] == [1, 2]
    assert [f.trade_id for f in user_trades(c, 2, order_id=105)] == [5]
    assert user_trades(c, 3) == []
    assert [t.trade_id for t in historical_trades(c, M, limit=2)] == [5, 6]
    assert [t.trade_id for t in historical_trades(c, M, from_trade_id=2, limit=2)] == [2, 3]


def test_agg_trades_merge_one_taker_at_one_price(tmp_path: Path) -> None:
    """A taker buying 3 makers at 100 and one at 101 prints two aggregates; the next taker a third."""
    s = Script()
    s.command()
    trade(s, 1, 100, 1, (9, 90, 5), (1, 1, 0))
    trade(s, 2, 100, 2, (9, 90, 3), (2, 2, 0))
    trade(s, 3, 100, 1, (9, 90, 2), (3, 3, 0))
    trade(s, 4, 101, 2, (9, 90, 0), (4, 4, 0))
    trade(s.command(T0_MS + 5), 5, 101, 1, (8, 80, 0), (4, 5, 0))
    store = history(tmp_path)
    store.write_batch(s.events, "5-0")
    rows = [
        (a.agg_id, a.price_ticks, a.size_lots, a.first_trade_id, a.last_trade_id)
        for a in agg_trades(store.connection, M)
    ]
    assert rows == [(1, 100, 4, 1, 3), (4, 101, 2, 4, 4), (5, 101, 1, 5, 5)]
    assert [a.agg_id for a in agg_trades(store.connection, M, limit=2)] == [4, 5]
    assert [a.agg_id for a in agg_trades(store.connection, M, from_id=4, limit=1)] == [4]
    assert [a.agg_id for a in agg_trades(store.connection, M, start_ms=T0_MS + 5)] == [5]


def test_the_history_says_how_far_it_goes(tmp_path: Path) -> None:
    from views.history.queries import indexed_seq

    s = Script()
    trade(s.command(), 1, 200, 5, (2, 20, 0), (1, 10, 5))
    store = history(tmp_path)
    assert indexed_seq(store.connection) == 0
    store.write_batch(s.events, "1-0")
    assert indexed_seq(store.connection) == 1
