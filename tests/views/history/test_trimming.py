"""Trimming keeps what recovery and the indexer need: with the streams trimmed behind the snapshots
and the indexer, an engine killed and restarted recovers, writes the events a reference run
writes, and the history is the reference's, without a gap."""

import time

import redis

from messages.codec import encode
from streams.event_batch import parse_entry
from streams.keys import ShardKeys
from streams.retention import RetentionSettings
from streams.stream_ids import parse_id
from tests.engine_service.engine_process import EngineProcess, wait_covered
from tests.exchange_workload import funded_commands, reference_engine
from tests.views.history.script import dump
from views.history.indexer import Indexer, IndexerSettings
from views.history.sql import open_sqlite
from views.history.store import HistoryStore

# trim as hard as the readers allow: no late readers kept, a trim every step
TRIM_HARD = IndexerSettings(trim_every_s=1e-9, retention=RetentionSettings(keep_entries=1, keep_s=0))


def append(client: redis.Redis, keys: ShardKeys, commands: list) -> list[bytes]:
    pipe = client.pipeline(transaction=False)
    for command in commands:
        pipe.xadd(keys.commands, {"c": encode(command)})
    return pipe.execute()


def catch_up(indexer: Indexer) -> None:
    while indexer.step() or not indexer.caught_up:
        pass
    indexer.last_trim_monotonic = 0.0
    indexer.maybe_trim()


def test_an_engine_restarted_after_trimming_recovers(redis_server, redis_client, shard_keys, tmp_path) -> None:
    commands = funded_commands(6_000, 21)
    half = len(commands) // 2
    engine = EngineProcess(redis_server.url, shard_keys, snapshot_every=400, batch_size=100, kind="margin")
    engine.wait_recovered()
    ids = append(redis_client, shard_keys, commands[:half])
    wait_covered(redis_client, shard_keys, parse_id(ids[-1]))
    time.sleep(0.5)  # the last periodic snapshots land
    store = HistoryStore(open_sqlite(tmp_path / "history.sqlite3"))
    indexer = Indexer(redis_client, shard_keys, store, TRIM_HARD)
    catch_up(indexer)
    [(first_id, first_fields)] = redis_client.xrange(shard_keys.events, count=1)
    first_event_seq = parse_entry(parse_id(first_id), first_fields).events[0].seq
    assert first_event_seq > 1_000, "the event stream was not trimmed"
    assert redis_client.xlen(shard_keys.commands) < half, "the command stream was not trimmed"
    previous_next_seq = int(redis_client.hget(shard_keys.previous_snapshot, "next_seq"))
    assert first_event_seq <= previous_next_seq  # a reader starting from either snapshot finds its events

    engine.kill()
    ids += append(redis_client, shard_keys, commands[half:])
    engine = EngineProcess(redis_server.url, shard_keys, snapshot_every=400, batch_size=100, kind="margin")
    engine.wait_recovered()
    wait_covered(redis_client, shard_keys, parse_id(ids[-1]))
    engine.stop()
    catch_up(indexer)
    assert indexer.error is None

    _, events = reference_engine(list(zip(ids, commands, strict=True)), kind="margin")
    reference = HistoryStore(open_sqlite(tmp_path / "reference.sqlite3"))
    reference.write_batch(events, "x")
    assert dump(store) | {"indexer_position": []} == dump(reference) | {"indexer_position": []}
    assert store.position().last_seq == events[-1].seq
