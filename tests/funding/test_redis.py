"""Funding against a real Redis (the embedded server of the test fixtures) and the real engine
service: books from the event stream, settlements appended through the Lua guard exactly once,
across restarts, with rival instances, and when both race from threads."""

import threading

import pytest
import redis

from engine_service.kinds import ENGINE_KINDS
from engine_service.service import EngineService, EngineSettings
from funding.payments import funding_payments
from funding.redis_ledger import RedisLedger
from funding.service import FundingService
from funding.settlement import SettledFunding, settle_command, settlement_command_id
from funding.stream_source import StreamBookSource
from matching.book import OrderBook
from messages.codec import decode_command
from messages.commands import Deposit, FundingSettle, PlaceOrder, PriceUpdate
from messages.enums import Side
from messages.events import FundingPaid, FundingSettled
from streams.client import append_command
from streams.event_batch import parse_entry
from streams.keys import ShardKeys
from tests.funding.replay import AAPL

H = 3_600_000


def book_state(book: OrderBook) -> list[list[tuple[int, int, int]]]:
    return [
        [(o.order_id, o.price_ticks, o.remaining_lots) for o in book.side_in_priority(is_buy)]
        for is_buy in (True, False)
    ]


def view_book(source: StreamBookSource, market: str) -> OrderBook:
    return source.view.books.must_get(market).book


T0 = 490_000 * H
STEP = 5_000


def funding_commands(client: redis.Redis, keys: ShardKeys) -> list[FundingSettle]:
    commands = [decode_command(fields[b"c"]) for _, fields in client.xrange(keys.commands)]
    return [c for c in commands if isinstance(c, FundingSettle)]


def start_engine(url: str, keys: ShardKeys, kind: str = "matching") -> EngineService:
    make, load = ENGINE_KINDS[kind].make, ENGINE_KINDS[kind].load
    engine = EngineService(url, keys, EngineSettings(block_ms=1), make_engine=make, load_engine=load)
    engine.recover()
    return engine


def drain(engine: EngineService) -> None:
    while engine.step():
        pass


def seed_book(client: redis.Redis, keys: ShardKeys) -> None:
    """AAPL asks 50 @ 100.00 and 100 @ 100.10, bids 200 @ 99.90, index 100.20: premium -1_497_005.
    (The deposits matter to a margin engine; the matching engine rejects them, changing nothing.)"""
    for account in (1, 2, 3):
        append_command(client, keys, Deposit(f"d{account}", 0, account, 10**12))
    for i, (account, side, lots, price) in enumerate(
        [(1, Side.SELL, 50_000, 10_000), (1, Side.SELL, 100_000, 10_010), (2, Side.BUY, 200_000, 9_990)]
    ):
        append_command(client, keys, PlaceOrder(f"o{i}", 0, account, "AAPLUSDC", side, lots, price))
    append_command(client, keys, PriceUpdate("p0", 0, "AAPLUSDC", 10_020, 10_020))


def test_ledger_appends_once_and_keeps_marks_and_history(redis_client, shard_keys):
    ledger = RedisLedger(redis_client, shard_keys)
    assert ledger.last_settled_ms("AAPLUSDC") is None
    assert ledger.open_market("AAPLUSDC", T0) == T0
    assert ledger.open_market("AAPLUSDC", T0 + 5 * H) == T0, "a second opening keeps the first mark"
    assert ledger.append_once(settle_command("AAPLUSDC", T0 + H, -997_005))
    assert not ledger.append_once(settle_command("AAPLUSDC", T0 + H, 12_500))
    assert not ledger.append_once(settle_command("AAPLUSDC", T0, 12_500))
    assert ledger.append_once(settle_command("AAPLUSDC", T0 + 2 * H, 12_500))
    assert ledger.last_settled_ms("AAPLUSDC") == T0 + 2 * H
    assert ledger.history("AAPLUSDC", 10) == [SettledFunding(T0 + 2 * H, 12_500), SettledFunding(T0 + H, -997_005)]
    assert funding_commands(redis_client, shard_keys) == [
        settle_command("AAPLUSDC", T0 + H, -997_005),
        settle_command("AAPLUSDC", T0 + 2 * H, 12_500),
    ]


def test_rival_threads_append_each_boundary_once(redis_server, shard_keys):
    """Two processes' worth of clients hammering the same boundaries with different rates."""
    results: list[list[bool]] = [[], []]

    def contend(i: int) -> None:
        client = redis.Redis.from_url(redis_server.url)
        ledger = RedisLedger(client, shard_keys)
        for hour in range(1, 41):
            for market in ("AAPLUSDC", "NVDAUSDC"):
                results[i].append(ledger.append_once(settle_command(market, T0 + hour * H, i)))
        client.close()

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results[0]) + sum(results[1]) == 80
    client = redis.Redis.from_url(redis_server.url)
    ids = [c.command_id for c in funding_commands(client, shard_keys)]
    client.close()
    assert sorted(ids) == sorted(
        settlement_command_id(m, T0 + h * H) for h in range(1, 41) for m in ("AAPLUSDC", "NVDAUSDC")
    )


def test_end_to_end_through_the_streams_with_a_restart_and_a_rival(redis_server, redis_client, shard_keys):
    engine = start_engine(redis_server.url, shard_keys)
    seed_book(redis_client, shard_keys)
    drain(engine)
    source = StreamBookSource(redis_client, shard_keys)
    service = FundingService(source, RedisLedger(redis_client, shard_keys))
    # the PriceUpdate came before the source started: the oracle repeats it every second
    append_command(redis_client, shard_keys, PriceUpdate("p1", 0, "AAPLUSDC", 10_020, 10_020))
    for t in range(T0, T0 + H + STEP, STEP):
        source.catch_up()
        service.step(t)
    assert [(c.market, c.funding_time_ms, c.rate_ppb) for c in funding_commands(redis_client, shard_keys)] == [
        ("AAPLUSDC", T0 + H, -997_005)
    ]
    drain(engine)  # the engine applies the settlement
    # restart: new source rebuilt from the streams, a new ledger client; and a rival from the start
    client2 = redis.Redis.from_url(redis_server.url)
    restarted_source = StreamBookSource(client2, shard_keys)
    restarted = FundingService(restarted_source, RedisLedger(client2, shard_keys))
    rival_source = StreamBookSource(client2, shard_keys)
    rival = FundingService(rival_source, RedisLedger(client2, shard_keys))
    append_command(redis_client, shard_keys, PriceUpdate("p2", 0, "AAPLUSDC", 10_020, 10_020))
    restarted_source.catch_up()
    assert book_state(view_book(restarted_source, "AAPLUSDC")) == book_state(engine.engine.markets["AAPLUSDC"].book)
    for t in range(T0 + H, T0 + 3 * H + STEP, STEP):
        restarted_source.catch_up()
        rival_source.catch_up()
        restarted.step(t)
        rival.step(t + 1_000)
    client2.close()
    settled = funding_commands(redis_client, shard_keys)
    assert [(c.funding_time_ms, c.rate_ppb) for c in settled] == [
        (T0 + H, -997_005),
        (T0 + 2 * H, -997_005),
        (T0 + 3 * H, -997_005),
    ]
    drain(engine)
    engine.close()


@pytest.mark.parametrize("kind", sorted(ENGINE_KINDS))
def test_source_starts_from_the_engine_snapshot(redis_server, redis_client, shard_keys, kind):
    engine = start_engine(redis_server.url, shard_keys, kind)
    seed_book(redis_client, shard_keys)
    drain(engine)
    engine.take_snapshot()
    # after the snapshot: a taker lifts the 100.00 asks, another order rests
    append_command(redis_client, shard_keys, PlaceOrder("t1", 0, 3, "AAPLUSDC", Side.BUY, 50_000, 10_000))
    append_command(redis_client, shard_keys, PlaceOrder("t2", 0, 3, "AAPLUSDC", Side.BUY, 10_000, 9_995))
    drain(engine)
    redis_client.xtrim(shard_keys.events, maxlen=1)  # the events before the snapshot are gone
    source = StreamBookSource(redis_client, shard_keys)
    source.catch_up()
    assert book_state(view_book(source, "AAPLUSDC")) == book_state(engine.engine.markets["AAPLUSDC"].book)
    assert source.view.prices.must_get("AAPLUSDC").index_price_ticks == 10_020
    engine.close()


def test_source_without_snapshot_replays_every_event(redis_server, redis_client, shard_keys):
    engine = start_engine(redis_server.url, shard_keys)
    seed_book(redis_client, shard_keys)
    drain(engine)
    source = StreamBookSource(redis_client, shard_keys)
    assert source.catch_up() >= 1
    assert book_state(view_book(source, "AAPLUSDC")) == book_state(engine.engine.markets["AAPLUSDC"].book)
    assert source.catch_up() == 0
    engine.close()


def test_an_unreadable_snapshot_falls_back_to_every_event(redis_server, redis_client, shard_keys):
    engine = start_engine(redis_server.url, shard_keys)
    seed_book(redis_client, shard_keys)
    drain(engine)
    redis_client.hset(
        shard_keys.snapshot,
        mapping={"data": b"not a snapshot", "covers": "1-0", "next_seq": 2, "state_hash": "", "taken_ms": 0},
    )
    source = StreamBookSource(redis_client, shard_keys)
    source.catch_up()
    assert book_state(view_book(source, "AAPLUSDC")) == book_state(engine.engine.markets["AAPLUSDC"].book)
    engine.close()


def test_the_margin_engine_pays_the_settlement_through_the_streams(redis_server, redis_client, shard_keys):
    """The whole path: book and index on the streams, the rate sampled from them, FundingSettle
    appended once, the margin engine moving exactly the reference payments between the positions."""
    engine = start_engine(redis_server.url, shard_keys, "margin")
    seed_book(redis_client, shard_keys)
    # a position that leaves the premium as it was: 10 shares sold into the 200 bid at 99.90
    append_command(redis_client, shard_keys, PlaceOrder("x", 0, 3, "AAPLUSDC", Side.SELL, 10_000, 9_990))
    drain(engine)
    source = StreamBookSource(redis_client, shard_keys)
    service = FundingService(source, RedisLedger(redis_client, shard_keys))
    append_command(redis_client, shard_keys, PriceUpdate("p1", 0, "AAPLUSDC", 10_020, 10_020))
    drain(engine)
    for t in range(T0, T0 + H + STEP, STEP):
        source.catch_up()
        service.step(t)
    drain(engine)
    events = [e for _, fields in redis_client.xrange(shard_keys.events) for e in parse_entry((0, 0), fields).events]
    paid = {e.account_id: e.amount_micro for e in events if isinstance(e, FundingPaid)}
    settled = [e for e in events if isinstance(e, FundingSettled)]
    assert [(e.market, e.funding_time_ms, e.rate_ppb) for e in settled] == [("AAPLUSDC", T0 + H, -997_005)]
    # shorts pay longs: 10 shares x 100.20 x 0.0997005% = 0.99899901 USDC, rounded against each side
    expected = funding_payments({2: 10_000, 3: -10_000}, 10_020, AAPL.micro_per_tick_lot, -997_005)
    assert paid == expected.payments_micro == {2: 998_999, 3: -999_000}
    assert settled[0].dust_micro == expected.dust_micro == 1
    engine.close()
