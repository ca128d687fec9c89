"""The BookFeed kept up to date from Redis: the engine's event stream for the books and prices.

Start-up: the books come from the engine's newest snapshot (its markets, books, index and last
trade, nothing else), then from the event entries after the snapshot's last seq; without a
snapshot, from the genesis listing (the engine's, matching/markets.toml, unless given) and the
first event. Session and index source come with the next PriceApplied (the oracle sends one a second).
"""

import logging

import redis

from engine_service.kinds import ENGINE_KINDS
from funding.book_feed import BookFeed, FeedMarket
from funding.sampler import MarketObservation
from matching.markets import load_markets
from messages.market_spec import MarketSpec
from streams.event_batch import parse_entry
from streams.keys import ShardKeys
from streams.snapshots import SnapshotStore
from streams.stream_ids import parse_id

_BATCH = 1_000

log = logging.getLogger("perpx.funding")


class StreamBookSource:
    """A BookSource for the service; call `catch_up()` before each step."""

    def __init__(self, client: redis.Redis, keys: ShardKeys, specs: list[MarketSpec] | None = None) -> None:
        self.client = client
        self.keys = keys
        self.feed = BookFeed(specs if specs is not None else load_markets())
        self.event_position = "0-0"
        snapshot = SnapshotStore(client, keys, trim_commands=False).load()
        if snapshot is not None and seed_from_snapshot(self.feed, snapshot.data):
            self.feed.last_seq = snapshot.next_seq - 1
            self.event_position = f"{snapshot.next_seq - 1}-0"  # entry ids are the seq of their last event

    def catch_up(self) -> int:
        """Apply every event written since the last call; return how many entries."""
        read = 0
        while True:
            entries = self.client.xrange(self.keys.events, "(" + self.event_position, "+", count=_BATCH)
            for raw_id, fields in entries:
                for event in parse_entry(parse_id(raw_id), fields).events:
                    self.feed.apply_event(event)
                self.event_position = raw_id.decode()
            read += len(entries)
            if len(entries) < _BATCH:
                break
        return read

    def market_specs(self) -> list[MarketSpec]:
        return self.feed.market_specs()

    def observe(self, market: str) -> MarketObservation | None:
        return self.feed.observe(market)


def seed_from_snapshot(feed: BookFeed, data: bytes) -> bool:
    """Markets, status, index and books of an engine snapshot, restored by the engine service's own
    loaders (so the format is always the engine's; whichever kind wrote it); the rest of the engine
    is dropped. False if no loader reads it: the feed then replays the event stream from its start."""
    for kind in sorted(ENGINE_KINDS):
        try:
            engine = ENGINE_KINDS[kind].load(data)
        except Exception:  # another kind's snapshot, or a format this code does not know
            continue
        feed.markets = {
            symbol: FeedMarket(
                market.spec,
                market.status,
                market.book,
                market.index_price_ticks,
                last_trade_ticks=market.last_trade_ticks,
            )
            for symbol, market in sorted(engine.markets.items())
        }
        return True
    log.warning("no engine loader reads the snapshot; rebuilding the books from the first event")
    return False
