"""The api's only way to change anything: a command to the engine, answered by its own events.

Each command gets a fresh id (unique per producer) and the api's wall clock as `ts_ms`; the engine
takes the later of that and its own clock. A Rejected event becomes the Binance error of the one
table (api.reject_codes); a command whose result does not come in time is -1007, its execution
status unknown, as Binance says of a timeout.
"""

import itertools
import os
import secrets
from collections.abc import Callable

from api.errors import ApiError
from api.reject_codes import error_for
from messages.commands import Command
from messages.events import Event, Rejected
from streams.client import CommandClient
from streams.snapshots import wall_clock_ms


class IdSource:
    """A random prefix per process (a forked child draws its own) and a counter: ids unique across
    replicas and restarts without a syscall each (uuid4 reads the OS's randomness every time)."""

    def __init__(self, template: str) -> None:
        self.template = template
        self.renew()
        os.register_at_fork(after_in_child=self.renew)

    def renew(self) -> None:
        self.prefix = self.template.format(secrets.token_hex(8))
        self.counter = itertools.count()


COMMAND_IDS = IdSource("api-{}-")


def new_command_id() -> str:
    return f"{COMMAND_IDS.prefix}{next(COMMAND_IDS.counter)}"


def now_ms() -> int:
    return wall_clock_ms()


WriteObserver = Callable[[Command, list[Event]], None]


class Gateway:
    def __init__(self, client: CommandClient, observe: WriteObserver | None = None) -> None:
        """`observe` sees every command with its result events (the read side marks the account's
        last write there, for read-your-writes)."""
        self.client = client
        self.observe = observe

    async def submit(self, command: Command) -> list[Event]:
        """The command's events; ApiError if it was rejected or timed out."""
        events = await self.submit_any(command)
        for event in events:
            if isinstance(event, Rejected):
                raise error_for(event.command_type, event.reason, event.detail)
        return events

    async def submit_any(self, command: Command) -> list[Event]:
        """The command's events, a Rejected one included (for batches, answered one by one)."""
        try:
            events = await self.client.submit(command)
        except TimeoutError as exc:
            raise timed_out() from exc
        if self.observe is not None:
            self.observe(command, events)
        return events

    async def result_of(self, command: Command) -> list[Event]:
        """The events of a command appended by someone else (api.order_desk), a Rejected one included."""
        try:
            events = await self.client.result(command.command_id)
        except TimeoutError as exc:
            raise timed_out() from exc
        if self.observe is not None:
            self.observe(command, events)
        return events


def timed_out() -> ApiError:
    return ApiError(
        -1007, "Timeout waiting for response from backend server. Send status unknown; execution status unknown.", 503
    )


def rejection_of(events: list[Event]) -> ApiError | None:
    for event in events:
        if isinstance(event, Rejected):
            return error_for(event.command_type, event.reason, event.detail)
    return None
