"""The history is written exactly once per event: batches fed twice, batches cut anywhere, a
transaction aborted between its writes and its commit, and a gap refused."""

import random
import sqlite3
from pathlib import Path

import pytest

from tests.views.history.engine_run import margin_events
from tests.views.history.script import dump, history
from views.history.sql import open_sqlite
from views.history.store import HistoryGap, HistoryStore

EVENTS = 3_000


def write_in_batches(store: HistoryStore, events, rng: random.Random) -> None:
    start = 0
    while start < len(events):
        end = min(len(events), start + rng.randint(1, 200))
        store.write_batch(events[start:end], f"{events[end - 1].seq}-0")
        start = end


def test_batches_cut_anywhere_give_one_history(tmp_path: Path) -> None:
    events = margin_events(EVENTS, 7)
    whole = history(tmp_path, "whole.sqlite3")
    whole.write_batch(events, "x")
    for seed in range(3):
        cut = history(tmp_path, f"cut{seed}.sqlite3")
        write_in_batches(cut, events, random.Random(seed))
        assert dump(cut) | {"indexer_position": []} == dump(whole) | {"indexer_position": []}
    assert dump(whole)["trades"] and dump(whole)["orders"] and dump(whole)["candles"]


def test_the_same_events_fed_twice_change_nothing(tmp_path: Path) -> None:
    events = margin_events(EVENTS, 7)
    store = history(tmp_path)
    store.write_batch(events[:2_000], "a")
    before = dump(store)
    assert store.write_batch(events[:2_000], "a").events == 0
    assert store.write_batch(events[1_000:1_500], "a").events == 0
    assert dump(store) == before
    counts = store.write_batch(events[1_500:], "b")  # overlapping: only the new ones count
    assert counts.events == len(events) - 2_000
    clean = history(tmp_path, "clean.sqlite3")
    clean.write_batch(events, "b")
    assert dump(store) == dump(clean)


def test_a_gap_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    events = margin_events(EVENTS, 7)
    store = history(tmp_path)
    store.write_batch(events[:100], "100-0")
    before = dump(store)
    with pytest.raises(HistoryGap, match="history is at seq 100 but the next event available is seq 121"):
        store.write_batch(events[120:200], "200-0")
    assert dump(store) == before
    with pytest.raises(HistoryGap):
        store.write_batch([*events[100:110], *events[115:120]], "120-0")  # a hole inside a batch, too
    assert dump(store) == before


def test_a_gap_skipped_on_purpose_is_recorded(tmp_path: Path) -> None:
    events = margin_events(EVENTS, 7)
    store = history(tmp_path)
    store.write_batch(events[:100], "100-0")
    try:
        store.write_batch(events[120:200], "200-0")
    except HistoryGap as gap:
        store.skip_gap(gap, "100-0")
    store.write_batch(events[120:200], "200-0")
    assert dump(store)["history_gaps"] == [(101, 120)]
    assert store.position().last_seq == 200


class FlakyConnection(sqlite3.Connection):
    """A real SQLite connection whose commit sometimes fails after every row was written: the
    transaction must then leave nothing behind."""

    rng = random.Random(0)
    failures = 0

    def commit(self) -> None:
        if FlakyConnection.rng.random() < 0.3:
            FlakyConnection.failures += 1
            raise sqlite3.OperationalError("disk I/O error (injected before the commit)")
        super().commit()


def test_an_abort_between_the_writes_and_the_commit_loses_and_doubles_nothing(tmp_path: Path) -> None:
    events = margin_events(EVENTS, 7)
    clean = history(tmp_path, "clean.sqlite3")
    clean.write_batch(events, f"{events[-1].seq}-0")
    open_sqlite(tmp_path / "flaky.sqlite3").close()  # the schema, through the ordinary path
    flaky = HistoryStore(sqlite3.connect(tmp_path / "flaky.sqlite3", factory=FlakyConnection))
    rng = random.Random(1)
    start = 0
    while start < len(events):
        end = min(len(events), start + rng.randint(1, 60))
        try:
            flaky.write_batch(
                events[start - rng.randint(0, 50) if start > 50 else start : end], f"{events[end - 1].seq}-0"
            )
        except sqlite3.OperationalError:
            # what a restarted indexer does: read from the stored position again
            start = flaky.position().last_seq
            continue
        start = end
    assert FlakyConnection.failures > 10
    assert dump(flaky) == dump(clean)


def test_an_event_of_a_newer_engine_is_counted_and_its_seq_kept(tmp_path: Path) -> None:
    """An event this indexer cannot decode (views.entries gives its seq and tag) is skipped and
    counted; the events after it follow on without a gap. Events that are not history count nothing."""
    from messages.enums import MarketSession, PriceSource
    from messages.events import PriceApplied
    from views.entries import UndecodableEvent

    events = list(margin_events(EVENTS, 7)[:50])
    newer = UndecodableEvent(51, "PositionTeleported", "unknown tag")
    price = PriceApplied(52, "c", 0, "AAPLUSDC", 100, 100, MarketSession.REGULAR, PriceSource.EXTERNAL, 99, 101)
    store = history(tmp_path)
    counts = store.write_batch([*events, newer, price], "52-0")
    assert (counts.events, dict(counts.unknown_events or {})) == (52, {"PositionTeleported": 1})
    assert store.position().last_seq == 52


def test_the_resting_orders_of_the_history_are_the_engines_books(tmp_path: Path) -> None:
    """After a long margin run, the orders the history says rest are exactly the engine's book
    orders, with their prices and remaining sizes; every other order has ended, with a status."""
    from tests.exchange_workload import funded_commands, reference_engine
    from tests.views.history.engine_run import timed_entries

    engine, events = reference_engine(timed_entries(funded_commands(EVENTS, 7)), kind="margin")
    store = history(tmp_path)
    write_in_batches(store, events, random.Random(3))
    in_books = sorted(
        (order.order_id, symbol, order.price_ticks, order.remaining_lots)
        for symbol, market in engine.markets.items()
        for is_buy in (True, False)
        for order in market.book.side_in_priority(is_buy)
    )
    cursor = store.connection.cursor()
    cursor.execute(
        "SELECT order_id, market, price_ticks, remaining_lots FROM orders WHERE resting = 1 ORDER BY order_id"
    )
    assert cursor.fetchall() == in_books and in_books
    cursor.execute("SELECT DISTINCT status FROM orders WHERE resting = 0")
    assert {row[0] for row in cursor.fetchall()} <= {"FILLED", "CANCELED", "EXPIRED", "EXPIRED_IN_MATCH"}


def test_each_accounts_income_adds_up_to_its_balance(tmp_path: Path) -> None:
    """Deposits, realized PnL, fees (and funding, dividends, liquidation fees when they happen): the
    income history of every account sums to the balance its last AccountUpdated reports, exactly."""
    from messages.events import AccountUpdated

    events = margin_events(EVENTS, 7)
    store = history(tmp_path)
    write_in_batches(store, events, random.Random(4))
    balances = {e.account_id: e.balance_micro for e in events if isinstance(e, AccountUpdated)}
    cursor = store.connection.cursor()
    cursor.execute("SELECT account_id, SUM(amount_micro) FROM income GROUP BY account_id ORDER BY account_id")
    assert dict(cursor.fetchall()) == balances and len(balances) == 7


def test_the_api_reads_while_the_indexer_writes_and_cannot_write(tmp_path: Path) -> None:
    from views.history.queries import historical_trades
    from views.history.sql import history_path, open_sqlite_reader

    events = margin_events(EVENTS, 7)
    path = history_path(tmp_path)
    writer = HistoryStore(open_sqlite(path))
    writer.write_batch(events[:1_000], "a")
    reader = open_sqlite_reader(path)
    seen = len(historical_trades(reader, "AAPLUSDC", from_trade_id=0, limit=10**6))
    writer.write_batch(events[1_000:], "b")
    assert len(historical_trades(reader, "AAPLUSDC", from_trade_id=0, limit=10**6)) > seen
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.execute("DELETE FROM trades")
    reader.close()
