"""No command entry can stop the exchange (issue 11): a fuzz of the engine service through Redis.

Thousands of hostile entries appended straight to the command stream of a running margin engine:
random bytes, random field layouts, truncated and mutated valid entries, unknown tags, extra and
missing items, empty batches, and valid commands with each number at 0, -1, 2**31, 2**53, 2**62,
2**63-1, 2**63, 2**64-1 or 2**70 and each text invalid UTF-8, empty, 10 KB or non-ASCII. After:
the engine is alive, every entry was applied (or rejected) or dead-lettered, exactly once; a probe
order works; the state survives a snapshot and a restart; and it equals an in-process replay of the
entries that were not dead letters. PERPX_FUZZ_ENTRIES sets the number of random entries.
"""

import os
import random
import time
from collections import Counter

import msgspec

from engine_service.kinds import ENGINE_KINDS
from engine_service.service import EngineSettings
from messages.codec import command_decoder, commands_decoder, concrete_subclasses, encode
from messages.commands import Command, Deposit, ListMarket, PlaceOrder, PriceUpdate, SetMarketStatus
from messages.enums import MarketStatus, Side
from messages.events import OrderAccepted
from messages.market_spec import MarketSpec
from streams.event_batch import parse_entry
from streams.stream_ids import parse_id
from tests.engine_service.service_thread import running_service, wait_until_covered
from tests.messages.extreme_values import EXTREME_INTS, EXTREME_TEXTS

RANDOM_ENTRIES = int(os.environ.get("PERPX_FUZZ_ENTRIES", 2000))
MARGIN = ENGINE_KINDS["margin"]
BAD_UTF8 = b"\xff\xfe\x00\x01"
MARKER = "\x00MARK\x00"  # encoded as a 6-byte fixstr, then swapped for invalid UTF-8 bytes

SANE = {
    "account_id": 1,
    "market": "AAPLUSDC",
    "side": Side.BUY,
    "size_lots": 1_000,
    "price_ticks": 19_900,
    "order_id": 1,
    "new_price_ticks": 19_950,
    "new_size_lots": 2_000,
    "index_price_ticks": 20_000,
    "mark_price_ticks": 20_000,
    "funding_time_ms": 0,
    "countdown_ms": 60_000,
    "rate_ppb": 1_000,
    "ratio_new": 2,
    "ratio_old": 1,
    "amount_micro": 1_000_000,
    "amount_micro_per_share": 1_000,
    "leverage": 10,
    "isolated": False,
    "status": "ACTIVE",
}


def sane_spec() -> MarketSpec:
    from matching.markets import load_markets

    return msgspec.structs.replace(load_markets()[0], symbol="NEWUSDC", underlying="NEW")


def sane_command(command_type: type, command_id: str) -> Command:
    values = {}
    for field in msgspec.structs.fields(command_type):
        if field.name == "command_id":
            values["command_id"] = command_id
        elif field.name == "ts_ms":
            values["ts_ms"] = 0
        elif field.name == "spec":
            values["spec"] = sane_spec()
        elif field.name in SANE:
            values[field.name] = SANE[field.name]
        elif field.required:
            raise AssertionError(f"no sane value for {command_type.__name__}.{field.name}")
    return command_type(**values)


def wire(command: Command, field: str | None = None, value: object = None) -> bytes:
    """msgpack of `command` with `field` set to `value`, as a hostile producer could send it:
    an integer beyond msgpack's range goes as a float (the closest the wire carries), invalid
    UTF-8 as raw bytes inside a msgpack str."""
    if field is None:
        return encode(command)
    if value == BAD_UTF8:
        raw = encode(msgspec.structs.replace(command, **{field: MARKER}))
        return raw.replace(b"\xa6" + MARKER.encode(), bytes([0xA0 | len(BAD_UTF8)]) + BAD_UTF8, 1)
    try:
        return encode(msgspec.structs.replace(command, **{field: value}))
    except OverflowError:
        return encode(msgspec.structs.replace(command, **{field: float(value)}))


def hostile_entries(rng: random.Random) -> list[dict[str, bytes]]:
    """Every field of every command at every extreme value, then random damage of all kinds."""
    entries: list[dict[str, bytes]] = []
    serial = iter(range(10**9))
    types = concrete_subclasses(Command)
    for command_type in types:
        for field in msgspec.structs.fields(command_type):
            if field.type is int:
                values: tuple = EXTREME_INTS
            elif field.type is str:
                values = (BAD_UTF8, *EXTREME_TEXTS)
            else:
                continue
            for value in values:
                command_id = value if field.name == "command_id" else f"x{next(serial)}"
                base = sane_command(command_type, command_id if isinstance(command_id, str) else "")
                entries.append({"c": wire(base, field.name, value)})
    for spec_field in ("min_notional_micro", "max_order_lots", "impact_notional_micro", "taker_fee_ppm"):
        for value in EXTREME_INTS:
            spec = sane_spec()
            try:
                spec = msgspec.structs.replace(spec, **{spec_field: value})
                entries.append({"c": encode(ListMarket(f"x{next(serial)}", 0, spec))})
            except OverflowError:
                pass
    valid = [encode(sane_command(rng.choice(types), f"v{next(serial)}")) for _ in range(50)]
    for _ in range(RANDOM_ENTRIES):
        kind = rng.randrange(8)
        good = sane_renamed(rng.choice(valid), f"r{next(serial)}")
        if kind == 0:
            entries.append({"c": rng.randbytes(rng.randrange(0, 80))})
        elif kind == 1:  # truncated
            entries.append({"c": good[: rng.randrange(0, len(good))]})
        elif kind == 2:  # mutated bytes
            mutated = bytearray(good)
            for _ in range(rng.randrange(1, 4)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            entries.append({"c": bytes(mutated)})
        elif kind == 3:  # extra, missing or unknown items
            items = msgspec.msgpack.decode(good)
            choice = rng.randrange(3)
            if choice == 0:
                items.append(rng.choice((1, "x", None, [1])))
            elif choice == 1:
                items = items[: rng.randrange(len(items))]
            else:
                items[0] = rng.choice(("Nope", "", 7, None))
            entries.append({"c": msgspec.msgpack.encode(items)})
        elif kind == 4:  # packed batches, some empty or holding garbage
            batch = [
                msgspec.msgpack.decode(sane_renamed(rng.choice(valid), f"r{next(serial)}"))
                for _ in range(rng.randrange(0, 4))
            ]
            if rng.random() < 0.3:
                batch.append(rng.choice((b"junk", 5, "x", [])))
            entries.append({"b": msgspec.msgpack.encode(batch)})
        elif kind == 5:  # layouts: no command field, both fields, extra fields
            entries.append(
                rng.choice(
                    (
                        {"x": good},
                        {"c": good, "b": good},
                        {"trace": b"t", "c": good},
                        {"b": good},
                        {"c": b""},
                    )
                )
            )
        else:  # plain valid commands keep the state moving
            entries.append({"c": good})
    rng.shuffle(entries)
    return entries


def sane_renamed(raw: bytes, command_id: str) -> bytes:
    """A valid entry under a fresh command id, so that it is applied rather than taken as a repeat."""
    command = command_decoder().decode(raw)
    return encode(msgspec.structs.replace(command, command_id=command_id))


def setup_entries() -> list[dict[str, bytes]]:
    commands = [Deposit(f"fund{a}", 0, a, 10**12) for a in (1, 2, 3)]
    commands += [PriceUpdate(f"px{m}", 0, m, 20_000, 20_000) for m in ("AAPLUSDC", "NVDAUSDC")]
    commands += [PlaceOrder("rest3", 0, 3, "AAPLUSDC", Side.SELL, 1_000, 20_100)]
    return [{"c": encode(c)} for c in commands]


# after the fuzz, whatever it did to the market: open it, fund a new account, place an order
PROBE = [
    SetMarketStatus("open", 0, "AAPLUSDC", MarketStatus.ACTIVE),
    Deposit("fund7", 0, 7, 10**12),
    PlaceOrder("probe", 0, 7, "AAPLUSDC", Side.BUY, 1_000, 20_000),
]


def decoded(fields: dict[bytes, bytes]) -> list[Command] | None:
    """The entry's commands as the engine decodes them; None if it cannot."""
    try:
        if fields.get(b"c") is not None:
            return [command_decoder().decode(fields[b"c"])]
        if fields.get(b"b") is not None:
            return list(commands_decoder().decode(fields[b"b"])) or None
    except Exception:
        return None
    return None


def test_no_entry_stops_the_engine(redis_server, redis_client, shard_keys):
    rng = random.Random(11)
    entries = setup_entries() + hostile_entries(rng)
    settings = EngineSettings(
        batch_size=200, block_ms=20, snapshot_every=700, snapshot_in_background=False, trim_commands=False
    )
    with running_service(redis_server.url, shard_keys, settings, MARGIN) as service:
        pipe = redis_client.pipeline(transaction=False)
        for fields in entries:
            pipe.xadd(shard_keys.commands, fields)
        ids = pipe.execute()
        wait_until_covered(service, parse_id(ids[-1]))
        probe_ids = [redis_client.xadd(shard_keys.commands, {"c": encode(c)}) for c in PROBE]
        wait_until_covered(service, parse_id(probe_ids[-1]))
        assert service.health()[0]
        rescued = service.metrics.registry.get_sample_value("perpx_engine_entries_rescued_total")
        assert rescued == 0  # the real engine never fails
    stopped_hash = service.engine.state_hash()

    # every entry: dead-lettered once, or its commands answered (events or a reply) once
    dead = Counter(f[b"entry_id"] for _, f in redis_client.xrange(shard_keys.dead_letters))
    assert set(dead.values()) == {1}
    runs: Counter[str] = Counter()  # command id -> separate runs of events (one per application)
    previous = None
    replied: Counter[str] = Counter()
    probe_accepted = False
    for raw_id, fields in redis_client.xrange(shard_keys.events):
        batch = parse_entry(parse_id(raw_id), fields)
        for event in batch.events:
            if event.command_id != previous:
                runs[event.command_id] += 1
                previous = event.command_id
            probe_accepted |= isinstance(event, OrderAccepted) and event.command_id == "probe"
        replied.update(r.command_id for r in batch.replies)
    assert probe_accepted
    occurrences: Counter[str] = Counter()  # a mutated entry may repeat a command id: answered by a reply
    for entry_id, fields in zip(ids, entries, strict=True):
        commands = decoded({k.encode(): v for k, v in fields.items()})
        assert (commands is None) == (entry_id in dead), (entry_id, fields)
        occurrences.update(c.command_id for c in commands or () if c.command_id and len(c.command_id) <= 128)
    for command_id, count in occurrences.items():
        assert runs[command_id] <= 1, command_id  # applied once
        assert runs[command_id] + replied[command_id] == count, command_id  # and every arrival answered
    assert len(dead) > RANDOM_ENTRIES // 4

    # the same state as an in-process replay of what was not dead-lettered
    engine = MARGIN.make()
    for entry_id, fields in redis_client.xrange(shard_keys.commands, "-", ids[-1]):
        commands = decoded(fields)
        if commands is None:
            continue
        for command in commands:
            engine.apply(msgspec.structs.replace(command, ts_ms=parse_id(entry_id)[0]))
    for entry_id, command in zip(probe_ids, PROBE, strict=True):
        engine.apply(msgspec.structs.replace(command, ts_ms=parse_id(entry_id)[0]))
    engine.check_invariants()
    assert engine.state_hash() == stopped_hash

    # the snapshot taken on stop restores the same state, and the restarted engine takes orders
    assert redis_client.hget(shard_keys.snapshot, "state_hash").decode() == stopped_hash
    with running_service(redis_server.url, shard_keys, settings, MARGIN) as restarted:
        while not restarted.recovered:
            time.sleep(0.01)
        assert restarted.engine.state_hash() == stopped_hash
        second = redis_client.xadd(
            shard_keys.commands, {"c": encode(PlaceOrder("probe2", 0, 7, "AAPLUSDC", Side.SELL, 1_000, 20_300))}
        )
        wait_until_covered(restarted, parse_id(second))
    last = parse_entry(*_newest(redis_client, shard_keys)).events
    assert any(isinstance(e, OrderAccepted) and e.command_id == "probe2" for e in last)


def _newest(client, keys):
    raw_id, fields = client.xrevrange(keys.events, count=1)[0]
    return parse_id(raw_id), fields
