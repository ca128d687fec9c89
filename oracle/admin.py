"""Admin instructions to the oracle: halt or resume an underlying, post a price, schedule a
corporate action. The api appends them (JSON) to the shard's oracle admin stream with `send_admin`;
the oracle reads the whole stream at start (so halts and schedules survive a restart) and then
what is new before each step.

JSON shapes (`op` names the kind):
    {"op": "halt", "underlying": "NVDA"}
    {"op": "resume", "underlying": "NVDA"}
    {"op": "post_price", "underlying": "NVDA", "price": "180.25", "ts_ms": 1764000000000}
    {"op": "schedule_split", "id": "NVDA-2026-12-01", "market": "NVDAUSDC",
     "effective": "2026-12-01T04:00:00-05:00", "ratio": "10:1"}
    {"op": "schedule_cash_dividend", "id": "AAPL-q4", "market": "AAPLUSDC", "effective": "2026-11-30",
     "amount": "0.26"}
"""

from typing import Protocol, cast

import msgspec
import redis.asyncio as aioredis

from streams.keys import ShardKeys
from streams.replies import Entry


class Halt(msgspec.Struct, frozen=True, tag="halt", tag_field="op"):
    underlying: str


class Resume(msgspec.Struct, frozen=True, tag="resume", tag_field="op"):
    underlying: str


class PostPrice(msgspec.Struct, frozen=True, tag="post_price", tag_field="op"):
    underlying: str
    price: str  # a decimal string, as at every API edge
    ts_ms: int


class ScheduleSplit(msgspec.Struct, frozen=True, tag="schedule_split", tag_field="op"):
    id: str
    market: str
    effective: str
    ratio: str


class ScheduleCashDividend(msgspec.Struct, frozen=True, tag="schedule_cash_dividend", tag_field="op"):
    id: str
    market: str
    effective: str
    amount: str


AdminOp = Halt | Resume | PostPrice | ScheduleSplit | ScheduleCashDividend

_decoder = msgspec.json.Decoder(AdminOp)


class AdminInbox(Protocol):
    async def take(self) -> list[AdminOp | str]:
        """New instructions in order; a string stands for one that could not be read (why)."""
        ...


class ListInbox:
    """Instructions handed over in-process (tests, a single-process run)."""

    def __init__(self) -> None:
        self.ops: list[AdminOp | str] = []

    def put(self, op: AdminOp) -> None:
        self.ops.append(op)

    async def take(self) -> list[AdminOp | str]:
        ops, self.ops = self.ops, []
        return ops


def admin_stream(keys: ShardKeys) -> str:
    return f"{keys.prefix}:oracle:admin"


async def send_admin(client: aioredis.Redis, keys: ShardKeys, op: AdminOp) -> str:
    """Append one instruction for the oracle; returns its entry id."""
    entry_id = await client.xadd(admin_stream(keys), {"a": msgspec.json.encode(op)})
    return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)


class RedisInbox:
    def __init__(self, client: aioredis.Redis, keys: ShardKeys) -> None:
        self.client = client
        self.stream = admin_stream(keys)
        self.position = "0-0"  # from the beginning: halts and schedules outlive a restart

    async def take(self) -> list[AdminOp | str]:
        out: list[AdminOp | str] = []
        while True:
            entries = cast(list[Entry], await self.client.xrange(self.stream, "(" + self.position, "+", count=500))
            for raw_id, fields in entries:
                self.position = raw_id.decode()
                try:
                    out.append(_decoder.decode(fields[b"a"]))
                except (KeyError, msgspec.DecodeError, msgspec.ValidationError) as exc:
                    out.append(f"entry {self.position}: {exc}")
            if len(entries) < 500:
                return out
