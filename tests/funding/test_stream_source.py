"""The funding process's books from the streams: an event entry it cannot decode is skipped, counted
and logged, and the books go on from the next one."""

from funding.stream_source import StreamBookSource
from matching.markets import load_markets
from messages.codec import encode
from messages.enums import OrderType, Side, TimeInForce
from messages.events import OrderAccepted
from streams.event_batch import entry_fields, skipped_by_reader


def accepted(seq: int, order_id: int, price_ticks: int) -> OrderAccepted:
    return OrderAccepted(
        seq, f"c{seq}", 0, 1, "AAPLUSDC", order_id, "", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, price_ticks, 1_000
    )


def test_an_undecodable_event_entry_is_skipped(redis_client, shard_keys):
    before = skipped_by_reader.get("funding", 0)
    source = StreamBookSource(redis_client, shard_keys, load_markets())
    redis_client.xadd(shard_keys.events, entry_fields(encode([accepted(1, 1, 19_000)]), [], b"1-0"), id="1-0")
    redis_client.xadd(shard_keys.events, {"c": b"2-0", "e": b"\x91\xff"}, id="1-1")
    redis_client.xadd(shard_keys.events, {"c": b"2-0", "e": b"\x91\x93\xa8NewEvent\x02\xa1x"}, id="1-2")
    redis_client.xadd(shard_keys.events, entry_fields(encode([accepted(2, 2, 19_500)]), [], b"3-0"), id="2-0")
    redis_client.xadd(shard_keys.commands, {"c": b"\xa3bad"})  # a command entry the engine dead-letters
    assert source.catch_up() == 5
    assert sorted(source.feed.markets["AAPLUSDC"].book.orders) == [1, 2]
    assert skipped_by_reader["funding"] == before + 2
