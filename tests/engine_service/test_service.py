"""The engine service through a real Redis: the same events and state as the engine in-process,
each command applied once, bad messages set aside, and restarts that neither lose nor repeat."""

import pytest
import redis

from engine_service.service import EngineService, EngineSettings, RecoveryError
from messages.codec import encode
from messages.events import Event
from perpx.bench.redis_runner import count_written
from streams.client import append_command
from streams.event_batch import parse_entry
from streams.stream_ids import parse_id
from tests.engine_service.service_thread import running_service, wait_until_covered
from tests.exchange_workload import exchange_commands, reference_run


def append_all(client, keys, commands) -> list[bytes]:
    pipe = client.pipeline(transaction=False)
    for command in commands:
        pipe.xadd(keys.commands, {"c": encode(command)})
    return pipe.execute()


def written_events(client, keys) -> list[Event]:
    return [e for raw_id, f in client.xrange(keys.events) for e in parse_entry(parse_id(raw_id), f).events]


def test_stream_run_equals_the_in_process_run(redis_server, redis_client, shard_keys):
    commands = exchange_commands(4000, seed=3)
    settings = EngineSettings(batch_size=300, block_ms=20, snapshot_every=1500)
    with running_service(redis_server.url, shard_keys, settings) as service:
        ids = append_all(redis_client, shard_keys, commands[:2000])
        ids += [append_command(redis_client, shard_keys, c) for c in commands[2000:2100]]  # one at a time
        ids += append_all(redis_client, shard_keys, commands[2100:])
        wait_until_covered(service, parse_id(ids[-1]))
    expected_hash, expected_events = reference_run(list(zip(ids, commands, strict=True)))
    assert written_events(redis_client, shard_keys) == expected_events
    assert service.engine.state_hash() == expected_hash
    assert redis_client.hget(shard_keys.snapshot, "state_hash").decode() == expected_hash  # snapshot on stop
    assert redis_client.xlen(shard_keys.commands) < len(commands)  # trimmed behind the older snapshot


def test_repeated_commands_change_nothing(redis_server, redis_client, shard_keys):
    plain = exchange_commands(2000, seed=5)
    repeated = exchange_commands(2000, seed=5, duplicate_fraction=0.1)
    assert len(repeated) > len(plain) * 1.08
    hashes = []
    for name, commands in (("plain", plain), ("repeated", repeated)):
        keys = type(shard_keys)(f"{shard_keys.shard}-{name}")
        # explicit entry ids give both runs one clock: a repeat shares its predecessor's millisecond
        ids, seen, ms, sub = [], set(), 0, 0
        for command in commands:
            if command.command_id in seen:
                sub += 1
            else:
                seen.add(command.command_id)
                ms, sub = ms + 1, 0
            ids.append(f"{ms}-{sub}")
        pipe = redis_client.pipeline(transaction=False)
        for entry_id, command in zip(ids, commands, strict=True):
            pipe.xadd(keys.commands, {"c": encode(command)}, id=entry_id)
        pipe.execute()
        with running_service(redis_server.url, keys) as service:
            wait_until_covered(service, parse_id(ids[-1]))
            hashes.append(service.engine.state_hash())
    assert hashes[0] == hashes[1]


def test_a_malformed_message_is_dead_lettered_and_the_engine_goes_on(redis_server, redis_client, shard_keys):
    commands = exchange_commands(50, seed=7)
    with running_service(redis_server.url, shard_keys) as service:
        append_all(redis_client, shard_keys, commands[:20])
        bad = redis_client.xadd(shard_keys.commands, {"c": b"\x93\xa3Bad\x01\x02"})
        no_field = redis_client.xadd(shard_keys.commands, {"order": b"buy me something"})
        ids = append_all(redis_client, shard_keys, commands[20:])
        wait_until_covered(service, parse_id(ids[-1]))
    dead = redis_client.xrange(shard_keys.dead_letters)
    assert [fields[b"entry_id"] for _, fields in dead] == [bad, no_field]
    assert dead[0][1][b"c"] == b"\x93\xa3Bad\x01\x02"
    assert dead[1][1][b"order"] == b"buy me something"
    assert len({e.command_id for e in written_events(redis_client, shard_keys)}) == len(
        {c.command_id for c in commands}
    )


def test_restart_replays_silently_up_to_what_was_written(redis_server, redis_client, shard_keys):
    commands = exchange_commands(3000, seed=11)
    settings = EngineSettings(batch_size=200, block_ms=20, snapshot_every=1000)
    ids = append_all(redis_client, shard_keys, commands)
    first = EngineService(redis_server.url, shard_keys, settings)
    first.recover()
    while first.position < parse_id(ids[1700]):
        first.step()  # a snapshot at ~1000, events written to ~1800, then a "crash": no snapshot on the way out
    first.close()
    second = EngineService(redis_server.url, shard_keys, settings)
    second.recover()
    assert second.position == first.position and second.engine.next_seq == first.engine.next_seq
    while second.position < parse_id(ids[-1]):
        second.step()
    expected_hash, expected_events = reference_run(list(zip(ids, commands, strict=True)))
    events, _, last_seq = count_written(redis_client, shard_keys)  # raises on a repeated or missing seq
    assert (events, last_seq) == (len(expected_events), len(expected_events))
    assert second.engine.state_hash() == expected_hash
    second.close()


def test_an_event_stream_that_replay_cannot_reproduce_stops_the_engine(redis_server, redis_client, shard_keys):
    commands = exchange_commands(100, seed=13)
    ids = append_all(redis_client, shard_keys, commands)
    redis_client.xadd(shard_keys.events, {"c": ids[-1]}, id="999999-0")  # claims 999,999 events were written
    service = EngineService(redis_server.url, shard_keys)
    with pytest.raises(RecoveryError):
        service.recover()
    service.close()


def test_unreadable_snapshots_stop_the_engine_rather_than_start_over(redis_server, redis_client, shard_keys):
    fields = {"data": b"junk", "covers": "5-0", "next_seq": 1, "state_hash": "x", "taken_ms": 0}
    redis_client.hset(shard_keys.snapshot, mapping=fields)
    service = EngineService(redis_server.url, shard_keys)
    with pytest.raises(RecoveryError, match="none is readable"):
        service.recover()
    service.close()


def test_the_event_stream_can_be_capped(redis_server, redis_client, shard_keys):
    commands = exchange_commands(400, seed=17)
    ids = append_all(redis_client, shard_keys, commands)
    service = EngineService(redis_server.url, shard_keys, EngineSettings(batch_size=1, events_max_entries=50))
    service.recover()
    while service.position < parse_id(ids[-1]):
        service.step()
    service.close()
    assert 50 <= redis_client.xlen(shard_keys.events) < len(commands) // 2  # trimmed a node at a time


def test_a_second_engine_on_the_shard_is_fenced_off(redis_server, redis_client, shard_keys):
    commands = exchange_commands(300, seed=19)
    first = EngineService(redis_server.url, shard_keys, EngineSettings(batch_size=100, block_ms=10))
    second = EngineService(redis_server.url, shard_keys, EngineSettings(batch_size=70, block_ms=10))
    first.recover()
    second.recover()
    ids = append_all(redis_client, shard_keys, commands)
    first.step()
    with pytest.raises(redis.ResponseError, match="FENCED"):
        second.step()  # it read the same commands, but the stream no longer ends where it last wrote
    second.close()
    while first.position < parse_id(ids[-1]):
        first.step()
    first.close()
    _, expected_events = reference_run(list(zip(ids, commands, strict=True)))
    assert written_events(redis_client, shard_keys) == expected_events


def test_snapshots_also_come_with_time(redis_server, redis_client, shard_keys):
    settings = EngineSettings(batch_size=10, block_ms=10, snapshot_interval_s=0, snapshot_in_background=False)
    service = EngineService(redis_server.url, shard_keys, settings)
    service.recover()
    ids = append_all(redis_client, shard_keys, exchange_commands(25, seed=23)[:25])
    service.step()
    assert redis_client.hget(shard_keys.snapshot, "covers") is not None  # 10 commands, far below snapshot_every
    while service.position < parse_id(ids[-1]):
        service.step()
    assert parse_id(redis_client.hget(shard_keys.snapshot, "covers")) == parse_id(ids[-1])
    service.close()
