"""The engine's own connections: a read sent ahead, and a fenced atomic append."""

import pytest
from redis.exceptions import ResponseError

from streams.pipelined import FencedAppender, PendingRead


def test_a_read_sent_ahead_is_collected_later(redis_server, redis_client, shard_keys):
    reader = PendingRead(redis_server.url)
    try:
        reader.request(shard_keys.commands, "0-0", 10, block_ms=0)  # no BLOCK: answers at once
        assert reader.collect() == []
        reader.request(shard_keys.commands, "0-0", 10, block_ms=2000)
        entry_id = redis_client.xadd(shard_keys.commands, {"c": b"x"})  # arrives while the read waits
        assert reader.collect() == [[entry_id, [b"c", b"x"]]]
    finally:
        reader.close()


def test_appends_only_where_the_stream_ends(redis_server, redis_client, shard_keys):
    appender = FencedAppender(redis_server.url)
    events, dead = shard_keys.events, shard_keys.dead_letters
    try:
        appender.append(events, dead, "0-0", "3-0", 0, ["c", "1-0"], [["entry_id", "1-1", "reason", "junk"]])
        appender.append(events, dead, "3-0", "3-1", 0, ["c", "2-0"], [])
        with pytest.raises(ResponseError, match="FENCED"):
            appender.append(events, dead, "3-0", "4-0", 0, ["c", "3-0"], [])  # someone wrote 3-1 since
        assert [i for i, _ in redis_client.xrange(events)] == [b"3-0", b"3-1"]
        assert redis_client.xrange(dead)[0][1] == {b"entry_id": b"1-1", b"reason": b"junk"}
        redis_client.script_flush()  # as after a Redis restart
        appender.append(events, dead, "3-1", "4-0", 0, ["c", "3-0"], [])
        assert redis_client.xlen(events) == 3
    finally:
        appender.close()
