"""Raw entries come back as flat field lists, in order, bounded as asked."""

from streams.raw_reader import RawStreamReader, field_value, fields_dict


def test_reads_after_and_ranges(redis_server, redis_client, shard_keys):
    key = shard_keys.commands
    ids = [redis_client.xadd(key, {"c": str(i).encode(), "x": b"y"}) for i in range(5)]
    reader = RawStreamReader(redis_server.url)
    try:
        after_first = reader.read_after(key, ids[0].decode(), count=2)
        assert [entry_id for entry_id, _ in after_first] == ids[1:3]
        assert after_first[0][1] == [b"c", b"1", b"x", b"y"]
        assert [e for e, _ in reader.range(key, ids[1].decode(), ids[3].decode(), 10)] == ids[2:4]
        assert reader.read_after(key, ids[-1].decode(), count=10, block_ms=10) == []
    finally:
        reader.close()


def test_field_lookup():
    assert field_value([b"c", b"1"], b"c") == b"1"
    assert field_value([b"t", b"9", b"c", b"1"], b"c") == b"1"
    assert field_value([b"t", b"9"], b"c") is None
    assert fields_dict([b"t", b"9", b"c", b"1"]) == {b"t": b"9", b"c": b"1"}
