"""Reading the event stream: a tail that any number of processes can run (plain XREAD, no consumer
group, so every reader sees every entry), and a hub that fans one tail out to many local subscribers.
An entry that does not decode is logged, counted and skipped (streams.event_batch.read_entry).

Readers deduplicate by `seq`: the engine never writes an event twice, but a reader restarted from
an older position, or two positions overlapping, must not hand an event out twice.
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import cast

import redis.asyncio as aioredis

from messages.events import Event
from streams.event_batch import EventBatch, read_entry
from streams.keys import ShardKeys
from streams.replies import Entry, ReadReply
from streams.stream_ids import ZERO, StreamId, format_id, parse_id

log = logging.getLogger("perpx.streams")


async def last_entry_id(client: aioredis.Redis, keys: ShardKeys) -> StreamId:
    """Id of the newest event entry, or 0-0: a reader started from it misses nothing written after."""
    newest = cast(list[Entry], await client.xrevrange(keys.events, count=1))
    return parse_id(newest[0][0]) if newest else ZERO


async def tail_events(
    client: aioredis.Redis, keys: ShardKeys, after: StreamId, block_ms: int = 1000, count: int = 500
) -> AsyncIterator[EventBatch]:
    """Event entries after `after`, forever: each as an EventBatch with its events of seq not yet seen."""
    position = after
    seen_seq = after[0]
    while True:
        response = cast(ReadReply, await client.xread({keys.events: format_id(position)}, count=count, block=block_ms))
        if not response:
            continue
        for raw_id, fields in response[0][1]:
            position = parse_id(raw_id)
            batch = read_entry(position, fields, "event tail")
            if batch is None:
                continue
            if batch.events and batch.events[0].seq <= seen_seq:
                batch.events = [e for e in batch.events if e.seq > seen_seq]
            if batch.events:
                seen_seq = batch.events[-1].seq
            yield batch


async def events_by_seq(client: aioredis.Redis, keys: ShardKeys, first_seq: int, count: int) -> list[Event]:
    """The events of seqs first_seq .. first_seq+count-1, read back from the stream (for a repeated
    command's original result). Fewer if the stream was trimmed past them."""
    last_seq = first_seq + count - 1
    found: list[Event] = []
    start = f"{first_seq}-0"
    while True:
        entries = cast(list[Entry], await client.xrange(keys.events, min=start, count=50))
        if not entries:
            return found
        for raw_id, fields in entries:
            entry_id = parse_id(raw_id)
            batch = read_entry(entry_id, fields, "events by seq")
            if batch is not None:
                found.extend(e for e in batch.events if first_seq <= e.seq <= last_seq)
            if entry_id[0] >= last_seq:
                return found
        start = "(" + entries[-1][0].decode()


class EventHub:
    """One tail of the event stream fanned out to local subscribers, each with a bounded queue.

    A subscriber that falls `max_queue` batches behind is dropped (its queue gets None) rather than
    allowed to hold everyone back; it may resubscribe and catch up from the stream by seq.
    """

    def __init__(self, client: aioredis.Redis, keys: ShardKeys, max_queue: int = 10_000) -> None:
        self.client = client
        self.keys = keys
        self.max_queue = max_queue
        self.subscribers: set[asyncio.Queue[EventBatch | None]] = set()
        self.task: asyncio.Task[None] | None = None
        self.position: StreamId = ZERO

    async def start(self, after: StreamId | None = None) -> None:
        self.position = after if after is not None else await last_entry_id(self.client, self.keys)
        self.task = asyncio.create_task(self._run(), name="event-hub")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            done, _ = await asyncio.wait({self.task}, timeout=1)
            if not done:  # redis-py can hold a cancelled blocking read open: cut the connections
                await self.client.connection_pool.disconnect()
                await asyncio.wait({self.task}, timeout=5)
            if self.task.done() and not self.task.cancelled() and self.task.exception() is not None:
                log.error("event hub failed", exc_info=self.task.exception())
        for queue in self.subscribers:
            queue.put_nowait(None)
        self.subscribers.clear()

    def subscribe(self) -> "asyncio.Queue[EventBatch | None]":
        queue: asyncio.Queue[EventBatch | None] = asyncio.Queue(self.max_queue + 1)
        self.subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: "asyncio.Queue[EventBatch | None]") -> None:
        self.subscribers.discard(queue)

    async def _run(self) -> None:
        """Tail forever; when Redis goes away, wait and resume from the last entry handed out."""
        delay_s = 0.1
        while True:
            try:
                async for batch in tail_events(self.client, self.keys, self.position):
                    delay_s = 0.1
                    self.position = batch.entry_id
                    for queue in list(self.subscribers):
                        if queue.qsize() >= self.max_queue:
                            self.subscribers.discard(queue)
                            queue.put_nowait(None)
                        else:
                            queue.put_nowait(batch)
            except (ConnectionError, OSError, aioredis.ConnectionError, aioredis.TimeoutError) as exc:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError from exc  # redis-py turned our cancellation into an error
                log.warning("event stream unreachable (%s); retrying in %.1f s", exc, delay_s)
                await asyncio.sleep(delay_s)
                delay_s = min(5.0, delay_s * 2)
