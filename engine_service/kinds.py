"""Which state machine the engine service runs: `matching` (books and net positions, no money) or
`margin` (MarginEngine: collateral, margin checks, fees, liquidation, funding, corporate actions).

A snapshot is only readable by the kind that wrote it: keep one kind per shard.
"""

from collections.abc import Callable
from dataclasses import dataclass

from matching.engine import Engine
from matching.markets import load_markets


@dataclass(frozen=True)
class EngineKind:
    make: Callable[[], Engine]
    load: Callable[[bytes], Engine]


def new_matching_engine() -> Engine:
    return Engine(load_markets())


def new_margin_engine() -> Engine:
    from margin.engine import MarginEngine

    return MarginEngine(load_markets())


def load_margin_engine(data: bytes) -> Engine:
    from margin.engine import MarginEngine

    return MarginEngine.restore(data)


ENGINE_KINDS = {
    "matching": EngineKind(new_matching_engine, Engine.restore),
    "margin": EngineKind(new_margin_engine, load_margin_engine),
}
DEFAULT_KIND = "matching"  # an EngineService built in code without a kind
SERVICE_KIND = "margin"  # what `perpx engine` and `perpx up` run: the exchange with money
