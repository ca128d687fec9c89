"""Request and response over the streams, for the services that talk to the engine.

`append_command` only appends (the oracle and funding fire and forget). `CommandClient` appends a
command and awaits its result: the events the engine produced for its `command_id`, all of which
sit in one event entry. A repeated command id gets the original events back (the engine answers it
with a Reply naming their seqs); a command that produced no event gets []. On a timeout the command
may still be applied later: submit it again with the same command id, which is safe.
"""

import asyncio
import contextlib
from typing import cast

import redis
import redis.asyncio as aioredis

from messages.codec import encode
from messages.commands import Command
from messages.events import Event
from streams.event_batch import EventBatch
from streams.event_reader import EventHub, events_by_seq
from streams.keys import ShardKeys


def append_command(client: redis.Redis, keys: ShardKeys, command: Command) -> bytes:
    """Append one command to the shard's command stream; returns its entry id."""
    return cast(bytes, client.xadd(keys.commands, {"c": encode(command)}))


class CommandClient:
    """Use as `async with CommandClient(client, keys) as cc: events = await cc.submit(command)`."""

    def __init__(self, client: aioredis.Redis, keys: ShardKeys, timeout_s: float = 5.0) -> None:
        self.client = client
        self.keys = keys
        self.timeout_s = timeout_s
        self.hub = EventHub(client, keys)
        self.pending: dict[str, asyncio.Future[list[Event]]] = {}
        self.task: asyncio.Task[None] | None = None
        self.fetches: set[asyncio.Task[None]] = set()
        self.queue = self.hub.subscribe()

    async def __aenter__(self) -> "CommandClient":
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start listening at the event stream's current end: results of commands submitted from
        now on cannot be missed."""
        await self.hub.start()
        self.task = asyncio.create_task(self._dispatch(), name="command-client")

    async def stop(self) -> None:
        for task in [self.task, *self.fetches]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.hub.stop()

    async def submit(self, command: Command, timeout_s: float | None = None) -> list[Event]:
        """Append `command` and return its events; TimeoutError if none came within the timeout."""
        if not command.command_id:
            raise ValueError("a command awaited by id needs a command_id")
        future = self.pending.get(command.command_id)
        if future is None:
            future = self.pending[command.command_id] = asyncio.get_running_loop().create_future()
        try:
            await self.client.xadd(self.keys.commands, {"c": encode(command)})
            return await asyncio.wait_for(asyncio.shield(future), timeout_s or self.timeout_s)
        finally:
            if future.done() or self.pending.get(command.command_id) is future:
                self.pending.pop(command.command_id, None)

    async def _dispatch(self) -> None:
        while True:
            batch = await self.queue.get()
            if batch is None:  # fell too far behind: those waiting now may have missed their result
                for future in self.pending.values():
                    if not future.done():
                        future.set_exception(TimeoutError("the command client fell behind the event stream"))
                self.queue = self.hub.subscribe()
                continue
            if self.pending:
                self._resolve(batch)

    def _resolve(self, batch: EventBatch) -> None:
        results: dict[str, list[Event]] = {}
        for event in batch.events:
            if event.command_id in self.pending:
                results.setdefault(event.command_id, []).append(event)
        for command_id, events in results.items():
            self._set(command_id, events)
        for reply in batch.replies:
            if reply.command_id not in self.pending:
                continue
            if reply.count == 0:
                self._set(reply.command_id, [])
            else:
                task = asyncio.create_task(self._fetch(reply.command_id, reply.first_seq, reply.count))
                self.fetches.add(task)
                task.add_done_callback(self.fetches.discard)

    async def _fetch(self, command_id: str, first_seq: int, count: int) -> None:
        self._set(command_id, await events_by_seq(self.client, self.keys, first_seq, count))

    def _set(self, command_id: str, events: list[Event]) -> None:
        future = self.pending.get(command_id)
        if future is not None and not future.done():
            future.set_result(events)
