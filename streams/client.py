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
from streams.event_batch import Reply
from streams.event_reader import EventHub, events_by_seq
from streams.keys import ShardKeys


def append_command(client: redis.Redis, keys: ShardKeys, command: Command) -> bytes:
    """Append one command to the shard's command stream; returns its entry id."""
    return cast(bytes, client.xadd(keys.commands, {"c": encode(command)}))


def _time_out(future: "asyncio.Future[list[Event]]") -> None:
    if not future.done():
        future.set_exception(TimeoutError("no result within the timeout"))


class CommandClient:
    """Use as `async with CommandClient(client, keys) as cc: events = await cc.submit(command)`.

    With `own_reader=False` it reads nothing itself: a process that already follows the event
    stream (the api's read side) hands it every entry's events and replies (`take`), so each
    entry is read and decoded once, and a result is resolved only after the views applied it.
    """

    def __init__(
        self, client: aioredis.Redis, keys: ShardKeys, timeout_s: float = 5.0, own_reader: bool = True
    ) -> None:
        self.client = client
        self.keys = keys
        self.timeout_s = timeout_s
        self.hub = EventHub(client, keys) if own_reader else None
        self.pending: dict[str, asyncio.Future[list[Event]]] = {}
        self.task: asyncio.Task[None] | None = None
        self.fetches: set[asyncio.Task[None]] = set()
        self.queue = self.hub.subscribe() if self.hub is not None else None

    async def __aenter__(self) -> "CommandClient":
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start listening at the event stream's current end: results of commands submitted from
        now on cannot be missed. (Fed by `take`, the feeder must be following already.)"""
        if self.hub is not None:
            await self.hub.start()
            self.task = asyncio.create_task(self._dispatch(), name="command-client")

    async def stop(self) -> None:
        for task in [self.task, *self.fetches]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.hub is not None:
            await self.hub.stop()

    async def submit(self, command: Command, timeout_s: float | None = None) -> list[Event]:
        """Append `command` and return its events; TimeoutError if none came within the timeout."""
        self.expect(command.command_id)
        try:
            await self.client.xadd(self.keys.commands, {"c": encode(command)})
        except BaseException:
            self.forget(command.command_id)
            raise
        return await self.result(command.command_id, timeout_s)

    def expect(self, command_id: str) -> None:
        """Be ready for `command_id`'s result before the command is appended (then it cannot be missed)."""
        if not command_id:
            raise ValueError("a command awaited by id needs a command_id")
        if command_id not in self.pending:
            self.pending[command_id] = asyncio.get_running_loop().create_future()

    def forget(self, command_id: str) -> None:
        """The command expected was not appended after all."""
        self.pending.pop(command_id, None)

    async def result(self, command_id: str, timeout_s: float | None = None) -> list[Event]:
        """The events of an expected command; TimeoutError if none came within the timeout."""
        future = self.pending[command_id]
        # a timer and the future itself rather than wait_for(shield(...)): two tasks' worth less per order
        timer = asyncio.get_running_loop().call_later(timeout_s or self.timeout_s, _time_out, future)
        try:
            return await asyncio.shield(future) if not future.done() else future.result()
        finally:
            timer.cancel()
            if future.done() or self.pending.get(command_id) is future:
                self.pending.pop(command_id, None)

    def fail_pending(self, reason: str) -> None:
        """Those waiting now may have missed their result (the reader fell behind or started over):
        they get a TimeoutError, the command's execution status unknown."""
        for future in self.pending.values():
            if not future.done():
                future.set_exception(TimeoutError(reason))

    async def _dispatch(self) -> None:
        assert self.hub is not None and self.queue is not None
        while True:
            batch = await self.queue.get()
            if batch is None:  # fell too far behind: those waiting now may have missed their result
                self.fail_pending("the command client fell behind the event stream")
                self.queue = self.hub.subscribe()
                continue
            if self.pending:
                self.take(batch.events, batch.replies)

    def take(self, events: list[Event], replies: list[Reply]) -> None:
        """One event entry's events and replies: resolve the commands waiting for them."""
        if not self.pending:
            return
        results: dict[str, list[Event]] = {}
        pending = self.pending
        for event in events:
            if event.command_id in pending:
                results.setdefault(event.command_id, []).append(event)
        for command_id, found in results.items():
            self._set(command_id, found)
        for reply in replies:
            if reply.command_id not in pending:
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
