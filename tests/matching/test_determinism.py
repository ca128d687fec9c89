"""Same commands, same events and state: twice in a row, under other hash seeds, and across
snapshot and restore at random points."""

import hashlib
import os
import random
import subprocess
import sys
from pathlib import Path

import msgspec

from matching.engine import Engine, EngineConfig
from tests.matching.random_commands import SPECS, random_commands

CONFIG = EngineConfig(command_window=50, client_id_window=8)
_encoder = msgspec.msgpack.Encoder()


def event_log_hash(engine: Engine, commands) -> str:
    digest = hashlib.sha256()
    for command in commands:
        for event in engine.apply(command):
            digest.update(_encoder.encode(event))
    return digest.hexdigest()


def test_same_commands_give_the_same_event_log_and_state_twice():
    commands = random_commands(7, 2_000)
    first, second = Engine(SPECS, config=CONFIG), Engine(SPECS, config=CONFIG)
    assert event_log_hash(first, commands) == event_log_hash(second, commands)
    assert first.state_hash() == second.state_hash()


_CHILD = """
import sys
from matching.engine import Engine, EngineConfig
from tests.matching.random_commands import SPECS, random_commands
from tests.matching.test_determinism import event_log_hash
engine = Engine(SPECS, config=EngineConfig(command_window=50, client_id_window=8))
print(event_log_hash(engine, random_commands(11, 1_500)), engine.state_hash())
"""


def test_hash_seed_does_not_change_events_or_state():
    root = Path(__file__).resolve().parents[2]
    outputs = set()
    for hash_seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run(
            [sys.executable, "-c", _CHILD], cwd=root, env=env, capture_output=True, text=True, check=True
        )
        outputs.add(result.stdout.strip())
    assert len(outputs) == 1, outputs


def test_snapshot_and_restore_at_random_points_then_continue_identically():
    rng = random.Random(3)
    for seed in range(40):
        commands = random_commands(seed, 300)
        reference = Engine(SPECS, config=CONFIG)
        reference_events = [reference.apply(c) for c in commands]
        cut_points = sorted(rng.sample(range(1, len(commands)), 3))
        engine = Engine(SPECS, config=CONFIG)
        for i, command in enumerate(commands):
            if i in cut_points:
                data = engine.snapshot()
                before = engine.state_hash()
                engine = Engine.restore(data)
                assert engine.state_hash() == before, f"seed {seed}: restore changed the state at {i}"
                engine.check_invariants()
            assert engine.apply(command) == reference_events[i], f"seed {seed}: diverged at command {i}"
        assert engine.state_hash() == reference.state_hash()
