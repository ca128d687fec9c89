"""The indexer against a real Redis: `perpx indexer` killed with SIGKILL at random points of a long
run ends with the tables of a clean run; an indexer the stream was trimmed past says so."""

import os
import random
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import redis

from messages.codec import encode
from streams.event_batch import entry_fields
from streams.keys import ShardKeys
from tests.views.history.engine_run import margin_events
from tests.views.history.script import dump
from views.history.indexer import Indexer, IndexerSettings
from views.history.queries import all_orders
from views.history.sql import open_sqlite
from views.history.store import HistoryStore

NO_TRIM = IndexerSettings(trim_every_s=0)


def write_stream(client: redis.Redis, keys: ShardKeys, events, seed: int) -> None:
    """The events as the engine service writes them: entries of a few events, ids `<last seq>-0`."""
    rng = random.Random(seed)
    pipe = client.pipeline(transaction=False)
    start = 0
    while start < len(events):
        end = min(len(events), start + rng.randint(1, 40))
        last_seq = events[end - 1].seq
        pipe.xadd(keys.events, entry_fields(encode(list(events[start:end])), [], b"0-0"), id=f"{last_seq}-0")
        start = end
    pipe.execute()


def index_all(client: redis.Redis, keys: ShardKeys, path: Path, settings: IndexerSettings = NO_TRIM) -> HistoryStore:
    store = HistoryStore(open_sqlite(path))
    indexer = Indexer(client, keys, store, settings)
    while indexer.step() or not indexer.caught_up:
        pass
    return store


class IndexerProcess:
    def __init__(self, url: str, keys: ShardKeys, database: Path, *options: str) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "perpx.cli",
                "indexer",
                "--shard",
                keys.shard,
                "--database",
                str(database),
                "--health-port",
                "0",
                *options,
            ],
            env={**os.environ, "REDIS_URL": url, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for raw in iter(self.process.stderr.readline, b""):
            self.lines.append(raw.decode(errors="replace").rstrip())
        self.process.stderr.close()

    def wait_for(self, needle: str, timeout_s: float = 60) -> str:
        deadline = time.monotonic() + timeout_s
        while True:
            for line in self.lines:
                if needle in line:
                    return line
            assert self.process.poll() is None and time.monotonic() < deadline, "\n".join(self.lines[-20:])
            time.sleep(0.02)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.reader.join(10)


def run_until_stopped_by_an_error(indexer: Indexer) -> None:
    """Indexer.run on a thread until it meets an error it will not go past (it then waits, unhealthy)."""
    stop = threading.Event()
    runner = threading.Thread(target=indexer.run, args=(stop,))
    runner.start()
    try:
        deadline = time.monotonic() + 10
        while indexer.error is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        stop.set()
        runner.join(10)


def published_seq(client: redis.Redis, keys: ShardKeys) -> int:
    raw = client.get(keys.indexer_position)
    return int(raw) if raw is not None else 0


def test_killed_at_random_points_then_equal_to_a_clean_run(redis_server, redis_client, shard_keys, tmp_path) -> None:
    events = margin_events(12_000, 11)
    write_stream(redis_client, shard_keys, events, seed=11)
    clean = index_all(redis_client, shard_keys, tmp_path / "clean.sqlite3")
    rng = random.Random(11)
    database = tmp_path / "killed.sqlite3"
    kills_mid_run = 0
    for _ in range(8):
        indexer = IndexerProcess(
            redis_server.url, shard_keys, database, "--read-count", str(rng.choice([3, 10, 30])), "--trim-every", "0"
        )
        indexer.wait_for("indexer for shard")
        time.sleep(rng.uniform(0.05, 0.6))
        kills_mid_run += published_seq(redis_client, shard_keys) < events[-1].seq
        indexer.kill()
    assert kills_mid_run >= 3, "the kills did not land while the indexer had work"
    last = IndexerProcess(redis_server.url, shard_keys, database, "--trim-every", "0")
    deadline = time.monotonic() + 120
    while published_seq(redis_client, shard_keys) < events[-1].seq:
        assert time.monotonic() < deadline and last.process.poll() is None, "\n".join(last.lines[-20:])
        time.sleep(0.05)
    last.kill()
    killed = HistoryStore(open_sqlite(database))
    assert dump(killed) | {"indexer_position": []} == dump(clean) | {"indexer_position": []}
    assert killed.position().last_seq == clean.position().last_seq == events[-1].seq


def test_the_process_reports_health_and_readiness(redis_server, redis_client, shard_keys, tmp_path) -> None:
    events = margin_events(3_000, 12)
    write_stream(redis_client, shard_keys, events, seed=12)
    indexer = IndexerProcess(redis_server.url, shard_keys, tmp_path / "h.sqlite3", "--trim-every", "0")
    try:
        port = int(indexer.wait_for("/healthz and /metrics on port").rsplit(" ", 1)[1])
        deadline = time.monotonic() + 60
        while published_seq(redis_client, shard_keys) < events[-1].seq:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.7)  # one more read finds nothing new: caught up
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            body = response.read().decode()
        assert f'"last_seq": {events[-1].seq}' in body and '"ready": true' in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            metrics = response.read().decode()
        assert f"perpx_indexer_last_seq {float(events[-1].seq)}" in metrics
    finally:
        indexer.kill()


def test_an_indexer_the_stream_was_trimmed_past_stops_and_says_so(redis_client, shard_keys, tmp_path) -> None:
    events = margin_events(3_000, 13)
    write_stream(redis_client, shard_keys, events, seed=13)
    redis_client.xtrim(shard_keys.events, minid="500-0")
    first_seq = int(redis_client.xrange(shard_keys.events, count=1)[0][0].split(b"-")[0])
    store = HistoryStore(open_sqlite(tmp_path / "late.sqlite3"))
    indexer = Indexer(redis_client, shard_keys, store, NO_TRIM)
    run_until_stopped_by_an_error(indexer)
    ok, detail = indexer.health()
    assert not ok
    assert detail["error"].startswith("history is at seq 0 but the next event available is seq")
    assert store.position().last_seq == 0 and dump(store)["orders"] == []

    accepting = Indexer(redis_client, shard_keys, store, IndexerSettings(trim_every_s=0, accept_gaps=True))
    while accepting.step() or not accepting.caught_up:
        pass
    gap_end = dump(store)["history_gaps"][0][1]
    assert gap_end < first_seq <= gap_end + 40  # the gap ends where the oldest kept entry's events begin
    assert store.position().last_seq == events[-1].seq
    assert accepting.metrics.gaps._value.get() == 1


def test_redis_restarted_under_the_indexer(tmp_path) -> None:
    """The indexer waits out a Redis restart and goes on where it was, nothing lost or doubled."""
    from streams.embedded import EmbeddedRedis

    events = margin_events(3_000, 14)
    keys = ShardKeys("restart")
    with EmbeddedRedis(tmp_path / "redis") as server:
        client = redis.Redis.from_url(server.url)
        write_stream(client, keys, events[:2_000], seed=14)
        store = HistoryStore(open_sqlite(tmp_path / "r.sqlite3"))
        indexer = Indexer(client, keys, store, NO_TRIM)
        stop = threading.Event()
        runner = threading.Thread(target=indexer.run, args=(stop,))
        runner.start()
        try:
            while indexer.last_seq < events[1_999].seq:
                time.sleep(0.01)
            server.stop()
            time.sleep(0.5)
            server.start()
            write_stream(client, keys, events[2_000:], seed=15)
            deadline = time.monotonic() + 30
            while indexer.last_seq < events[-1].seq:
                assert time.monotonic() < deadline
                time.sleep(0.01)
        finally:
            stop.set()
            runner.join(10)
            client.close()
    clean = HistoryStore(open_sqlite(tmp_path / "clean.sqlite3"))
    clean.write_batch(events, "x")
    assert dump(store) | {"indexer_position": []} == dump(clean) | {"indexer_position": []}


def test_a_history_ahead_of_the_stream_is_refused(redis_client, shard_keys, tmp_path) -> None:
    """An old history file over a fresh exchange: appending would mix two exchanges, so it stops."""
    events = margin_events(3_000, 16)
    old = HistoryStore(open_sqlite(tmp_path / "old.sqlite3"))
    old.write_batch(events, "x")
    write_stream(redis_client, shard_keys, events[:1_000], seed=16)
    indexer = Indexer(redis_client, shard_keys, old, NO_TRIM)
    run_until_stopped_by_an_error(indexer)
    ok, detail = indexer.health()
    assert not ok and "belongs to another exchange" in detail["error"]
    assert redis_client.get(shard_keys.indexer_position) is None  # nothing published: no trim on its word


def test_the_indexer_prunes_unfilled_orders_by_the_engine_clock(redis_client, shard_keys, tmp_path) -> None:
    """With a 2-minute keep time over 12.5 minutes of engine clock: orders that ended unfilled more
    than 2 minutes (and one prune step) before the end are gone; every order that traded stays."""
    events = margin_events(3_000, 17)  # a command every 250 ms
    write_stream(redis_client, shard_keys, events, seed=17)
    keep_ms, every = 120_000, 500
    store = HistoryStore(open_sqlite(tmp_path / "pruned.sqlite3"))
    settings = IndexerSettings(trim_every_s=0, keep_unfilled_ms=keep_ms, prune_every_events=every)
    indexer = Indexer(redis_client, shard_keys, store, settings)
    while indexer.step() or not indexer.caught_up:
        pass
    full = index_all(redis_client, shard_keys, tmp_path / "full.sqlite3")
    accounts = range(1, 8)  # funded_commands trades seven accounts
    pruned_orders = {o.order_id: o for a in accounts for o in all_orders(store.connection, a, limit=10**6)}
    full_orders = [o for a in accounts for o in all_orders(full.connection, a, limit=10**6)]
    assert len(full_orders) == len(dump(full)["orders"])
    assert indexer.metrics.pruned._value.get() == len(full_orders) - len(pruned_orders) > 0
    for order in full_orders:
        ended_unfilled = order.filled_lots == 0 and order.status != "NEW"
        if not ended_unfilled:
            assert pruned_orders[order.order_id] == order  # what traded or is open stays, unchanged
        elif order.updated_ms < events[-1].ts_ms - keep_ms - every * 250:
            assert order.order_id not in pruned_orders
