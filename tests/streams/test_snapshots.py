"""Two snapshots are kept, and the command stream is trimmed only up to the older one."""

from streams.snapshots import Snapshot, SnapshotStore
from streams.stream_ids import parse_id


def test_newest_and_previous_and_trimming(redis_client, shard_keys):
    ids = [parse_id(redis_client.xadd(shard_keys.commands, {"c": b"x"})) for _ in range(6)]
    store = SnapshotStore(redis_client, shard_keys)
    assert store.load() is None

    store.save(Snapshot(b"one", ids[1], 5, "h1", 1))
    assert redis_client.xlen(shard_keys.commands) == 6  # nothing older to fall back on: no trim
    store.save(Snapshot(b"two", ids[3], 9, "h2", 2))
    assert store.load() == Snapshot(b"two", ids[3], 9, "h2", 2)
    assert store.load(previous=True) == Snapshot(b"one", ids[1], 5, "h1", 1)
    remaining = [parse_id(i) for i, _ in redis_client.xrange(shard_keys.commands)]
    assert remaining == ids[1:]  # everything after the previous snapshot is still there


def test_trimming_can_be_turned_off(redis_client, shard_keys):
    ids = [parse_id(redis_client.xadd(shard_keys.commands, {"c": b"x"})) for _ in range(4)]
    store = SnapshotStore(redis_client, shard_keys, trim_commands=False)
    for i in range(4):
        store.save(Snapshot(b"s", ids[i], 1, "h", 1))
    assert redis_client.xlen(shard_keys.commands) == 4


def test_an_older_snapshot_never_replaces_a_newer_one(redis_client, shard_keys):
    ids = [parse_id(redis_client.xadd(shard_keys.commands, {"c": b"x"})) for _ in range(6)]
    store = SnapshotStore(redis_client, shard_keys)
    assert store.save(Snapshot(b"one", ids[1], 5, "h1", 1))
    assert store.save(Snapshot(b"three", ids[3], 9, "h3", 3))
    assert not store.save(Snapshot(b"two", ids[2], 7, "h2", 2))  # finished late
    assert not store.save(Snapshot(b"three again", ids[3], 9, "h3", 4))
    assert store.load().data == b"three" and store.load(previous=True).data == b"one"
    assert [parse_id(i) for i, _ in redis_client.xrange(shard_keys.commands)] == ids[1:]
