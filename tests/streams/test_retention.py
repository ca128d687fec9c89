"""The event stream is trimmed only below what every reader still needs: the indexer's position, the
older snapshot's next seq, the newest entries, the last minutes, and always the newest entry."""

import redis

from streams.keys import ShardKeys
from streams.retention import EventRetention, RetentionSettings


def write_entries(client: redis.Redis, keys: ShardKeys, first: int, last: int) -> None:
    """Entries for seqs first..last, one event each (ids `<seq>-0`, as the engine service writes)."""
    pipe = client.pipeline(transaction=False)
    for seq in range(first, last + 1):
        pipe.xadd(keys.events, {"c": b"0-0"}, id=f"{seq}-0")
    pipe.execute()


def readers(client: redis.Redis, keys: ShardKeys, indexer: int | None, snapshots: tuple[int, ...]) -> None:
    if indexer is not None:
        client.set(keys.indexer_position, indexer)
    for key, next_seq in zip((keys.previous_snapshot, keys.snapshot), snapshots, strict=False):
        client.hset(key, "next_seq", next_seq)


def retention(client, keys, keep_entries: int = 100, keep_s: float = 0.0) -> EventRetention:
    return EventRetention(client, keys, RetentionSettings(keep_entries=keep_entries, keep_s=keep_s))


def test_nothing_goes_without_an_indexer_position_or_a_snapshot(redis_client, shard_keys) -> None:
    write_entries(redis_client, shard_keys, 1, 1_000)
    assert retention(redis_client, shard_keys).trim().floor is None
    readers(redis_client, shard_keys, 900, ())
    result = retention(redis_client, shard_keys).trim()
    assert (result.floor, result.bound_by, result.removed) == (None, "snapshot", 0)
    assert redis_client.xlen(shard_keys.events) == 1_000


def test_the_slowest_reader_holds_the_floor(redis_client, shard_keys) -> None:
    write_entries(redis_client, shard_keys, 1, 1_000)
    cases = [
        # indexer position, (previous, newest) snapshot next seqs, keep_entries -> floor, held by
        (300, (500, 800), 100, ((301, 0), "indexer")),
        (900, (500, 800), 100, ((500, 0), "snapshot")),
        (990, (995, 998), 100, ((901, 0), "entries")),
        (1_000, (1_001, 1_001), 0, ((1_000, 0), "entries")),  # the newest entry stays, for the engine
    ]
    for indexer, snapshots, keep_entries, expected in cases:
        readers(redis_client, shard_keys, indexer, snapshots)
        assert retention(redis_client, shard_keys, keep_entries).floor(now_s=0) == expected


def test_the_trim_removes_below_the_floor_and_keeps_all_above(redis_client, shard_keys) -> None:
    write_entries(redis_client, shard_keys, 1, 2_000)
    readers(redis_client, shard_keys, 1_500, (1_200, 1_800))
    result = retention(redis_client, shard_keys).trim(now_s=0)
    assert result.floor == (1_200, 0)
    first = int(redis_client.xrange(shard_keys.events, count=1)[0][0].split(b"-")[0])
    assert 1_100 <= first <= 1_200  # approximate: whole nodes of up to 100 entries go
    assert result.removed == first - 1 == 2_000 - redis_client.xlen(shard_keys.events)


def test_the_last_minutes_are_kept(redis_client, shard_keys) -> None:
    """Watched since t=0 s with 1,000 entries; 500 more by t=61: with keep_s 60 the floor is where
    the stream ended 60 s ago (entry 1,000); before 60 s of watching, nothing goes."""
    write_entries(redis_client, shard_keys, 1, 1_000)
    readers(redis_client, shard_keys, 1_500, (1_501, 1_501))
    kept = retention(redis_client, shard_keys, keep_entries=1, keep_s=60)
    assert kept.floor(now_s=0) == (None, "age")
    write_entries(redis_client, shard_keys, 1_001, 1_200)
    assert kept.floor(now_s=30) == (None, "age")
    write_entries(redis_client, shard_keys, 1_201, 1_500)
    assert kept.floor(now_s=61) == ((1_000, 0), "age")
    assert kept.floor(now_s=95) == ((1_200, 0), "age")


def test_an_empty_stream_is_left_alone(redis_client, shard_keys) -> None:
    assert retention(redis_client, shard_keys).trim().floor is None
