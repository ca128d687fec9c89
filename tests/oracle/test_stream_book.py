"""The oracle's books from the event stream: an entry it cannot decode is skipped, counted and logged."""

import redis.asyncio as aioredis

from matching.markets import load_markets
from messages.codec import encode
from messages.enums import Side
from messages.events import Trade
from oracle.stream_book import StreamBookReader
from streams.event_batch import entry_fields, skipped_by_reader


def trade(seq: int, price_ticks: int) -> Trade:
    return Trade(seq, f"c{seq}", 0, "AAPLUSDC", seq, price_ticks, 1, Side.BUY, 10 + seq, 1, 0, seq, 2, 0)


async def test_an_undecodable_event_entry_is_skipped(redis_server, shard_keys):
    before = skipped_by_reader.get("oracle", 0)
    client = aioredis.Redis.from_url(redis_server.url)
    try:
        await client.xadd(shard_keys.events, entry_fields(encode([trade(1, 19_000)]), [], b"1-0"), id="1-0")
        await client.xadd(shard_keys.events, {"c": b"2-0", "e": b"\xc1"}, id="1-1")
        await client.xadd(shard_keys.events, entry_fields(encode([trade(2, 19_500)]), [], b"3-0"), id="2-0")
        reader = StreamBookReader(client, shard_keys, load_markets())
        await reader.refresh()
        assert reader.last_trade_ticks["AAPLUSDC"] == 19_500
        assert skipped_by_reader["oracle"] == before + 1
    finally:
        await client.aclose()
