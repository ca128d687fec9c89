"""An entry that breaks the engine is dead-lettered after the state is restored from before it.

The engine here has two deliberate bugs, for commands with ids starting "boom" and "huge": the first
changes state and then raises; the second emits an event that msgpack cannot carry. Every other
command is handled as the matching engine handles it. The service must restore the state before each
such entry, dead-letter it with the exception's name, count and log it, and go on; a restart that
replays over those entries (no snapshot to start from) must reach the same state.
"""

import logging
import time
from typing import Any, ClassVar

from engine_service.kinds import EngineKind
from engine_service.service import EngineSettings
from matching.engine import Engine
from matching.market_admin import advance_clock, set_market_status
from matching.markets import load_markets
from messages.codec import encode
from messages.commands import AdvanceClock, Command, PlaceOrder, SetMarketStatus
from messages.enums import MarketStatus, RejectReason, Side
from messages.events import Rejected
from streams.event_batch import parse_entry
from streams.stream_ids import parse_id
from tests.engine_service.service_thread import running_service, wait_until_covered


def raise_half_way(engine: Engine, cmd: AdvanceClock) -> None:
    if cmd.command_id.startswith("boom"):
        engine.next_order_id += 1_000  # a change the restore must undo
        engine.markets["AAPLUSDC"].status = MarketStatus.HALTED
        raise ZeroDivisionError("a bug in a handler")
    advance_clock(engine, cmd)


def emit_unencodable(engine: Engine, cmd: SetMarketStatus) -> None:
    if cmd.command_id.startswith("huge"):
        engine.next_order_id += 7
        engine.out.append(
            Rejected(engine.take_seq(), engine.command_id, engine.ts_ms, "X", RejectReason.UNKNOWN_MARKET, 2**70)
        )
        return
    set_market_status(engine, cmd)


class BuggyEngine(Engine):
    handlers: ClassVar[dict[type, Any]] = {
        **Engine.handlers,
        AdvanceClock: raise_half_way,
        SetMarketStatus: emit_unencodable,
    }


BUGGY = EngineKind(lambda: BuggyEngine(load_markets()), BuggyEngine.restore)


def orders(prefix: str, n: int) -> list[Command]:
    return [
        PlaceOrder(f"{prefix}{i}", 0, 1 + i % 3, "AAPLUSDC", Side.BUY if i % 2 else Side.SELL, 1_000, 20_000 + i % 5)
        for i in range(n)
    ]


def test_a_failing_entry_is_dead_lettered_and_the_state_restored(redis_server, redis_client, shard_keys, caplog):
    commands = [
        *orders("a", 30),
        AdvanceClock("boom1", 0),
        *orders("b", 30),
        SetMarketStatus("huge1", 0, "AAPLUSDC", MarketStatus.ACTIVE),
        *orders("c", 30),
        AdvanceClock("boom2", 0),
        AdvanceClock("fine", 0),
    ]
    settings = EngineSettings(batch_size=25, block_ms=20, snapshot_every=10**9, trim_commands=False)
    with (
        caplog.at_level(logging.ERROR, logger="perpx.engine"),
        running_service(redis_server.url, shard_keys, settings, BUGGY) as service,
    ):
        pipe = redis_client.pipeline(transaction=False)
        for command in commands:
            pipe.xadd(shard_keys.commands, {"c": encode(command)})
        ids = pipe.execute()
        wait_until_covered(service, parse_id(ids[-1]))
        assert service.metrics.registry.get_sample_value("perpx_engine_entries_rescued_total") == 3
        assert service.metrics.registry.get_sample_value("perpx_engine_dead_letters_total") == 3
    assert sum("broke the engine" in r.message for r in caplog.records) == 3
    live_hash = service.engine.state_hash()

    dead = {f[b"entry_id"]: f[b"reason"].decode() for _, f in redis_client.xrange(shard_keys.dead_letters)}
    poisoned = {i for i, c in zip(ids, commands, strict=True) if c.command_id.startswith(("boom", "huge"))}
    assert set(dead) == poisoned
    assert sorted(dead.values()) == [
        "engine failed: ZeroDivisionError",
        "engine failed: ZeroDivisionError",
        "events not encodable: OverflowError",
    ]
    # the state is that of the good commands alone
    reference = Engine(load_markets())
    for entry_id, command in zip(ids, commands, strict=True):
        if entry_id not in poisoned:
            reference.apply(command)
    assert reference.next_order_id == service.engine.next_order_id
    assert reference.markets["AAPLUSDC"].status is MarketStatus.ACTIVE
    events = [e for raw, f in redis_client.xrange(shard_keys.events) for e in parse_entry(parse_id(raw), f).events]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))  # no gap, nothing from a failed entry
    assert not any(e.command_id.startswith(("boom", "huge")) for e in events)

    # a restart with no snapshot replays over the bad entries to the same state, and goes on
    redis_client.delete(shard_keys.snapshot, shard_keys.previous_snapshot)
    with running_service(redis_server.url, shard_keys, settings, BUGGY) as restarted:
        while not restarted.recovered:
            time.sleep(0.01)
        assert restarted.engine.state_hash() == live_hash
        more = redis_client.xadd(shard_keys.commands, {"c": encode(orders("d", 1)[0])})
        wait_until_covered(restarted, parse_id(more))
        assert restarted.metrics.registry.get_sample_value("perpx_engine_dead_letters_total") == 0
    assert len(redis_client.xrange(shard_keys.dead_letters)) == 3  # nothing dead-lettered twice
    assert restarted.engine.next_order_id == service.engine.next_order_id + 1
