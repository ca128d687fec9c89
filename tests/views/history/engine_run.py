"""Events of a real margin engine over generated order flow: what the indexer meets in a long run."""

from functools import cache

from messages.commands import Command
from messages.events import Event
from tests.exchange_workload import funded_commands, reference_engine
from tests.views.history.script import T0_MS

STEP_MS = 250  # the commands' clock: four a second, so a run spans many minutes


def timed_entries(commands: list[Command]) -> list[tuple[bytes, Command]]:
    return [(f"{T0_MS + i * STEP_MS}-0".encode(), command) for i, command in enumerate(commands)]


@cache
def margin_events(n: int, seed: int) -> tuple[Event, ...]:
    _, events = reference_engine(timed_entries(funded_commands(n, seed)), kind="margin")
    return tuple(events)
