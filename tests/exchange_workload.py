"""Command streams for the service tests: generated order flow on two listed markets, and the
in-process reference run that the service's output must equal."""

import random

import msgspec

from engine_service.kinds import ENGINE_KINDS
from matching.engine import Engine
from matching.snapshot import EngineState
from messages.commands import AdvanceClock, Command, Deposit, PlaceOrder, PriceUpdate
from messages.enums import SelfTradePrevention
from messages.events import Event
from perpx.bench.runner import workload_commands
from perpx.bench.workload import generate_workload
from streams.stream_ids import id_ms

MARKETS = ["AAPLUSDC", "NVDAUSDC"]


def exchange_commands(n: int, seed: int, duplicate_fraction: float = 0.0) -> list[Command]:
    """About n commands for the packaged listing: limits, cancels, market orders over 7 accounts
    (sizes scaled past the minimum notional), a clock tick now and then, and optionally repeats of
    earlier commands (same command id) sprinkled later in the stream."""
    ops = [op._replace(qty_lots=op.qty_lots * 100) for op in generate_workload(n, seed, markets=2, depth_levels=20)]
    commands = workload_commands(ops, MARKETS, 7, SelfTradePrevention.EXPIRE_TAKER)
    ticked: list[Command] = []
    for i, command in enumerate(commands):
        ticked.append(command)
        if i % 97 == 96:
            ticked.append(AdvanceClock(f"tick{i}", 0))
    commands = ticked
    if duplicate_fraction:
        rng = random.Random(seed)
        with_repeats: list[Command] = []
        for command in commands:
            with_repeats.append(command)
            if rng.random() < duplicate_fraction:
                with_repeats.append(rng.choice(with_repeats[-200:]))
        commands = with_repeats
    return commands


def funded_commands(n: int, seed: int) -> list[Command]:
    """exchange_commands for the margin engine: each account deposits first, and the oracle's
    price follows the flow (a PriceUpdate every 50 commands at the last limit price)."""
    commands: list[Command] = [Deposit(f"dep{a}", 0, a, 50_000_000_000) for a in range(1, 8)]
    last_price: dict[str, int] = {}
    for i, command in enumerate(exchange_commands(n, seed)):
        commands.append(command)
        if isinstance(command, PlaceOrder) and command.price_ticks:
            last_price[command.market] = command.price_ticks
        if i % 50 == 49:
            for market, price in sorted(last_price.items()):
                commands.append(PriceUpdate(f"px{i}{market}", 0, market, price, price))
    return commands


def reference_run(entries: list[tuple[bytes, Command]]) -> tuple[str, list[Event]]:
    """State hash and events of applying the entries in-process, with the service's clock rule."""
    engine, events = reference_engine(entries)
    return engine.state_hash(), events


def reference_engine(entries: list[tuple[bytes, Command]], kind: str = "matching") -> tuple[Engine, list[Event]]:
    engine = ENGINE_KINDS[kind].make()
    events: list[Event] = []
    for entry_id, command in entries:
        events += engine.apply(msgspec.structs.replace(command, ts_ms=id_ms(entry_id)))
    engine.check_invariants()
    return engine, events


def state_differences(expected: bytes, actual: bytes) -> list[str]:
    """Which top-level parts of two engine snapshots differ: a readable failure, not two hashes."""
    a = msgspec.msgpack.decode(expected, type=EngineState)
    b = msgspec.msgpack.decode(actual, type=EngineState)
    return [
        f"{name}: expected {str(getattr(a, name))[:200]}, got {str(getattr(b, name))[:200]}"
        for name in a.__struct_fields__
        if getattr(a, name) != getattr(b, name)
    ]
