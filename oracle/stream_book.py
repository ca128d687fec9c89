"""The books as the engine's event stream tells them, for the oracle process (a BookReader).

The books themselves are funding.book_feed.BookFeed (real OrderBooks folded from events, with the
last trade price per market, which the mark needs), shared with the funding service; this adds
the reading from Redis: seeded from the engine's newest snapshot by the engine's own loaders
(funding.stream_source.seed_from_snapshot), then every event entry after the seq it covers.
"""

import redis.asyncio as aioredis

from funding.book_feed import BookFeed
from funding.stream_source import seed_from_snapshot
from messages.market_spec import MarketSpec
from oracle.book_view import EMPTY_BOOK, BookTop, top_of
from streams.event_batch import parse_entry
from streams.keys import ShardKeys
from streams.stream_ids import parse_id

_BATCH = 1_000


class StreamBookReader:
    def __init__(self, client: aioredis.Redis, keys: ShardKeys, specs: list[MarketSpec]) -> None:
        self.client = client
        self.keys = keys
        self.feed = BookFeed(specs)
        self.position = "0-0"
        self.seeded = False

    async def _seed(self) -> None:
        """From the engine's newest snapshot when there is one; the event stream before it may be gone."""
        self.seeded = True
        raw = await self.client.hgetall(self.keys.snapshot)
        if not raw or not seed_from_snapshot(self.feed, raw[b"data"]):
            return
        next_seq = int(raw[b"next_seq"])
        self.feed.last_seq = next_seq - 1
        self.position = f"{next_seq - 1}-0"  # event entry ids carry the seq of their last event

    async def refresh(self) -> None:
        if not self.seeded:
            await self._seed()
        while True:
            entries = await self.client.xrange(self.keys.events, "(" + self.position, "+", count=_BATCH)
            for raw_id, fields in entries:
                for event in parse_entry(parse_id(raw_id), fields).events:
                    self.feed.apply_event(event)
                self.position = raw_id.decode()
            if len(entries) < _BATCH:
                break

    def market_specs(self) -> list[MarketSpec]:
        return self.feed.market_specs()

    async def book_top(self, market: str) -> BookTop:
        feed_market = self.feed.markets.get(market)
        if feed_market is None:
            return EMPTY_BOOK
        return top_of(feed_market.book, feed_market.spec, feed_market.last_trade_ticks or None)
