"""The fast engine against the same engine running the naive reference book.

Thousands of random command sequences (every command kind, bad input and retries included) must
produce identical events and identical state, with every invariant checked after every command.
"""

import pytest

from matching.engine import Engine, EngineConfig
from matching.naive_book import NaiveBook
from tests.matching.random_commands import SPECS, CommandGenerator

SEQUENCES = 1_000
COMMANDS_PER_SEQUENCE = 80


def _engines() -> tuple[Engine, Engine]:
    config = EngineConfig(command_window=50, client_id_window=8)  # small windows: eviction is exercised
    return Engine(SPECS, config=config), Engine(SPECS, config=config, book_type=NaiveBook)


@pytest.mark.parametrize("batch", range(10))
def test_fast_and_naive_engines_agree(batch):
    for seed in range(batch * SEQUENCES // 10, (batch + 1) * SEQUENCES // 10):
        fast, naive = _engines()
        generator = CommandGenerator(seed)
        for _ in range(COMMANDS_PER_SEQUENCE):
            command = generator.next(fast)
            fast_events = fast.apply(command)
            naive_events = naive.apply(command)
            assert fast_events == naive_events, f"seed {seed}, command {command}"
            fast.check_invariants()
            naive.check_invariants()
            for market in fast.markets:
                assert fast.markets[market].book.depth(100) == naive.markets[market].book.depth(100)
        assert fast.state_hash() == naive.state_hash(), f"seed {seed}"
