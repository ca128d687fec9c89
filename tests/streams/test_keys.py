"""One shard's keys share one Redis Cluster hash tag; shards never share a key."""

import redis

from streams.keys import ShardKeys


def test_every_key_of_a_shard_has_its_hash_tag():
    keys = ShardKeys("us1")
    names = [keys.commands, keys.events, keys.dead_letters, keys.snapshot, keys.previous_snapshot]
    assert all(name.startswith("perpx:{us1}:") for name in names)
    assert len(set(names)) == len(names)
    slots = {redis.cluster.key_slot(name.encode()) for name in names}
    assert len(slots) == 1
    assert not set(names) & {ShardKeys("us2").commands, ShardKeys("us2").events}
