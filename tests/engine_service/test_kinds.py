"""The margin kind runs MarginEngine through the streams: money matters, and it survives a restart."""

from engine_service.kinds import ENGINE_KINDS
from engine_service.service import EngineService, EngineSettings
from messages.commands import Deposit, PlaceOrder
from messages.enums import RejectReason, Side
from messages.events import OrderRested, Rejected
from streams.client import append_command
from streams.event_batch import parse_entry
from streams.stream_ids import parse_id


def test_margin_kind_checks_collateral_and_recovers(redis_server, redis_client, shard_keys):
    kind = ENGINE_KINDS["margin"]
    settings = EngineSettings(block_ms=10)
    service = EngineService(redis_server.url, shard_keys, settings, kind.make, kind.load)
    service.recover()
    append_command(redis_client, shard_keys, PlaceOrder("broke", 0, 1, "AAPLUSDC", Side.BUY, 1000, 20000))
    append_command(redis_client, shard_keys, Deposit("dep", 0, 2, 1_000_000_000))
    append_command(redis_client, shard_keys, PlaceOrder("funded", 0, 2, "AAPLUSDC", Side.BUY, 1000, 20000))
    while service.step():
        pass
    events = [e for raw, f in redis_client.xrange(shard_keys.events) for e in parse_entry(parse_id(raw), f).events]
    by_command = {e.command_id: e for e in events}  # each command's last event
    assert type(by_command["broke"]) is Rejected and by_command["broke"].reason is RejectReason.UNKNOWN_ACCOUNT
    assert type(by_command["funded"]) is OrderRested
    service.take_snapshot()
    expected = service.engine.state_hash()
    service.close()

    again = EngineService(redis_server.url, shard_keys, settings, kind.make, kind.load)
    again.recover()
    assert type(again.engine).__name__ == "MarginEngine"
    assert again.engine.state_hash() == expected
    again.engine.check_invariants()
    again.close()
