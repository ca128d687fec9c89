"""The one way a reader gets the engine's state: the engine's own loaders, never a decoder of ours.

A snapshot (streams/snapshots.py) is restored into a real engine by the code that wrote it (a
MarginEngine's, else a matching Engine's), and every projection seeds itself from that engine.
From the beginning of the stream, the state is a genesis engine holding the listed markets.
"""

import logging

from margin.engine import MarginEngine
from matching.engine import Engine
from matching.markets import load_markets
from messages.market_spec import MarketSpec

log = logging.getLogger("perpx.views")


class UnreadableSnapshot(Exception):
    """No engine loader reads these bytes (another version, or not a snapshot)."""


def restore_engine(data: bytes) -> Engine:
    """The engine a snapshot holds, restored by whichever engine kind wrote it."""
    problems = []
    for kind in (MarginEngine, Engine):
        try:
            return kind.restore(data)
        except Exception as exc:  # another kind's snapshot, or a format this code does not know
            problems.append(f"{kind.__name__}: {exc}")
    raise UnreadableSnapshot("; ".join(problems))


def genesis_engine(specs: list[MarketSpec] | tuple[MarketSpec, ...] | None = None) -> Engine:
    """The state before the first event: the genesis listing (the engine's, matching/markets.toml,
    unless given), empty books and accounts."""
    return MarginEngine(load_markets() if specs is None else specs)
