"""What every projection is: a fold of events that can start from an engine's state.

A projection never decodes a snapshot itself: the follower restores the engine's state once
(engine_state.py) and hands the same Engine to every projection's `seed`, so the starting point
is exactly the engine's, read by the engine's own code.
"""

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from matching.engine import Engine
from messages.events import Event

EventHandler = Callable[[Any], None]


class Projection(Protocol):
    name: str

    def seed(self, engine: Engine, last_seq: int) -> None:
        """Forget everything and start from `engine`'s state, which covers events up to `last_seq`
        (a restored snapshot, or a genesis engine with `last_seq` 0)."""
        ...

    def handlers(self) -> Mapping[type[Event], EventHandler]:
        """The event types this projection folds, each with its handler (called once per event)."""
        ...
