"""The books as the engine's event stream tells them, for the oracle process (a BookReader).

The books themselves are funding.book_feed.BookFeed (real OrderBooks rebuilt from events, shared
with the funding service); this adds the last trade price per market, which the mark needs, and
the reading from Redis: seeded from the engine's newest snapshot (markets, resting orders, last
trade), then every event entry after the seq it covers.
"""

import msgspec
import redis.asyncio as aioredis

from funding.book_feed import BookFeed, FeedMarket
from matching.snapshot import EngineState
from messages.events import Trade
from messages.market_spec import MarketSpec
from oracle.book_view import EMPTY_BOOK, BookTop, top_of
from streams.event_batch import read_entry, skip_unusable
from streams.keys import ShardKeys
from streams.stream_ids import parse_id

_BATCH = 1_000


class StreamBookReader:
    def __init__(self, client: aioredis.Redis, keys: ShardKeys, specs: list[MarketSpec]) -> None:
        self.client = client
        self.keys = keys
        self.feed = BookFeed(specs)
        self.last_trade_ticks: dict[str, int] = {}
        self.position = "0-0"
        self.seeded = False

    async def _seed(self) -> None:
        """From the engine's newest snapshot when there is one; the event stream before it may be gone."""
        self.seeded = True
        raw = await self.client.hgetall(self.keys.snapshot)
        if not raw:
            return
        state = msgspec.msgpack.decode(raw[b"data"], type=EngineState)
        for market_state in state.markets:
            market = FeedMarket(market_state.spec, market_state.status)
            for order in market_state.orders:
                arrival = order.arrival
                market.book.add(order)
                order.arrival = arrival
            market.book.next_arrival = market_state.next_arrival
            self.feed.markets[market_state.spec.symbol] = market
            if market_state.last_trade_ticks:
                self.last_trade_ticks[market_state.spec.symbol] = market_state.last_trade_ticks
        next_seq = int(raw[b"next_seq"])
        self.feed.last_seq = next_seq - 1
        self.position = f"{next_seq - 1}-0"  # event entry ids carry the seq of their last event

    async def refresh(self) -> None:
        if not self.seeded:
            await self._seed()
        while True:
            entries = await self.client.xrange(self.keys.events, "(" + self.position, "+", count=_BATCH)
            for raw_id, fields in entries:
                batch = read_entry(parse_id(raw_id), fields, "oracle")
                for event in batch.events if batch is not None else ():
                    try:
                        self.feed.apply_event(event)
                    except Exception as exc:  # an event the books cannot take: said, counted, passed
                        skip_unusable("oracle", f"event seq {event.seq}", exc)
                    if isinstance(event, Trade):
                        self.last_trade_ticks[event.market] = event.price_ticks
                self.position = raw_id.decode()
            if len(entries) < _BATCH:
                break
        self.feed.flush()  # an entry holds whole commands: the last one read is complete

    def market_specs(self) -> list[MarketSpec]:
        return self.feed.market_specs()

    async def book_top(self, market: str) -> BookTop:
        feed_market = self.feed.markets.get(market)
        if feed_market is None:
            return EMPTY_BOOK
        return top_of(feed_market.book, feed_market.spec, self.last_trade_ticks.get(market))
