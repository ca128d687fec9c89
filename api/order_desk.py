"""New orders in: the limits checked and the command appended in one Redis call, for many at once.

An order used to cost three round trips before the engine saw it (the IP's weight, the account's
order counts, the XADD), each its own wait and its own syscalls. Here one script does all three for
every order that arrived in the same turn of the event loop: per order, the IP's ban and minute
weight (when the caller has not charged it already, as REST's middleware has), then the account's
order counts (refused orders count, as at Binance), then, if both pass, the XADD. The counts stay
in Redis, exact and shared by every replica, with the same keys and rules as api/limits.py.

While one call is in flight the next orders queue, and go in the next call (group commit): at a
low rate an order waits for nothing, at a high one the calls carry many orders each. A caller is
told its order's fate (`Admission`); an admitted order's events are then awaited through the
gateway, whose command client was told to expect them before the script ran.

All the keys of one call are on one Redis node only while the api talks to one Redis; on a
Redis Cluster the limit keys would have to move under the shard's hash tag.
"""

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from api.errors import ApiError
from api.limits import COUNT_ORDERS_FUNCTION, WEIGH_FUNCTION, WEIGHT_EXPIRE_S, Limiter, TooMuchWeight, ip_weight_used
from messages.codec import encode
from messages.commands import Command
from streams.client import CommandClient
from streams.keys import ShardKeys
from streams.lean_connection import LeanConnection
from streams.snapshots import wall_clock_ms

MAX_ORDERS_PER_CALL = 64  # a script holds Redis while it runs: the engine's reads wait behind it
NO_IP = -1  # an order whose IP weight the caller charged already

# KEYS: the command stream, then 5 per order (IP ban, weight, refusals; account 10 s, 1 min counts)
# ARGV: IP limit, expiry, ban after, ban s, orders per 10 s, per minute; then 3 per order
# (IP weight or -1, order count, the encoded command). Per order: {status, ban_s, ip_used, short, long}
# with status 0 appended, 1 too much IP weight, 2 IP banned, 3 too many orders.
_ADMIT_AND_APPEND = (
    WEIGH_FUNCTION
    + COUNT_ORDERS_FUNCTION
    + """
local out = {}
local limit, expire_s, ban_after, ban_s = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local per_10s, per_minute = tonumber(ARGV[5]), tonumber(ARGV[6])
for i = 0, (#KEYS - 1) / 5 - 1 do
  local k, a = 2 + i * 5, 7 + i * 3
  local weight = tonumber(ARGV[a])
  local status, banned, used, short, long = 0, 0, -1, 0, 0
  if weight >= 0 then
    local weighed = weigh(KEYS[k], KEYS[k + 1], KEYS[k + 2], weight, limit, expire_s, ban_after, ban_s)
    status, banned, used = weighed[1], weighed[2], weighed[3]
  end
  if status == 0 then
    short, long = count_orders(KEYS[k + 3], KEYS[k + 4], tonumber(ARGV[a + 1]))
    if short > per_10s or long > per_minute then
      status = 3
    else
      redis.call('XADD', KEYS[1], '*', 'c', ARGV[a + 2])
    end
  end
  out[#out + 1] = {status, banned, used, short, long}
end
return out
"""
)


@dataclass(frozen=True)
class Admission:
    """What the limits said of one order: appended when `refused` is None."""

    ip_used: int  # the IP's weight this minute, or NO_IP when not charged here (or refused at the IP)
    order_counts: tuple[int, int]  # the account's orders in this 10 s and this minute, this one included
    refused: Exception | None  # ApiError (418 ban, 429 -1015) or TooMuchWeight


@dataclass
class _Waiting:
    command: Command
    account_id: int
    count: int
    ip: str | None
    ip_weight: int
    admission: "asyncio.Future[Admission]"


class OrderDesk:
    def __init__(self, client: aioredis.Redis, limiter: Limiter, commands: CommandClient, keys: ShardKeys) -> None:
        self.limiter = limiter
        self.commands = commands
        self.stream = keys.commands
        self.redis = LeanConnection.like(client)  # its own connection: a third of redis-py's cost a call
        self.sha = hashlib.sha1(_ADMIT_AND_APPEND.encode()).hexdigest()
        self.queue: list[_Waiting] = []
        self.flusher: asyncio.Task[None] | None = None
        self.calls = 0  # script calls made, and orders they carried (the batching, for /metrics or a bench)
        self.orders = 0

    async def admit(
        self, command: Command, account_id: int, count: int = 1, ip: str | None = None, ip_weight: int = 0
    ) -> Admission:
        """Check the limits for `count` new orders of `account_id` (and the IP's weight when `ip` is
        given) and append `command` if they pass. The command's result is then expected by the
        command client: await it with `Gateway.result_of`."""
        self.commands.expect(command.command_id)
        waiting = _Waiting(command, account_id, count, ip, ip_weight, asyncio.get_running_loop().create_future())
        self.queue.append(waiting)
        if self.flusher is None:
            self.flusher = asyncio.create_task(self._flush(), name="order-desk")
        try:
            admission = await waiting.admission
        except BaseException:
            self.commands.forget(command.command_id)
            raise
        if admission.refused is not None:
            self.commands.forget(command.command_id)
        return admission

    async def _flush(self) -> None:
        """Send what queued (up to MAX_ORDERS_PER_CALL a call) until nothing is left."""
        try:
            while self.queue:
                batch = self.queue[:MAX_ORDERS_PER_CALL]
                del self.queue[:MAX_ORDERS_PER_CALL]
                try:
                    results = await self._call(batch)
                except Exception as exc:  # Redis unreachable: those orders are refused with the error
                    for waiting in batch:
                        if not waiting.admission.done():
                            waiting.admission.set_exception(exc)
                    continue
                for waiting, result in zip(batch, results, strict=True):
                    if not waiting.admission.done():
                        waiting.admission.set_result(self._admission(result))
        finally:
            self.flusher = None

    async def _call(self, batch: Sequence[_Waiting]) -> list[list[int]]:
        now_ms = wall_clock_ms()
        settings = self.limiter.settings
        keys: list[str] = [self.stream]
        args: list[Any] = [
            settings.ip_weight_per_minute,
            WEIGHT_EXPIRE_S,
            settings.ban_after_refused,
            settings.ban_s,
            settings.orders_per_10s,
            settings.orders_per_minute,
        ]
        for waiting in batch:
            ip_keys = self.limiter.ip_keys(waiting.ip, now_ms) if waiting.ip is not None else ["", "", ""]
            keys += ip_keys
            keys += self.limiter.order_keys(waiting.account_id, now_ms)
            args += [waiting.ip_weight if waiting.ip is not None else NO_IP, waiting.count, encode(waiting.command)]
        self.calls += 1
        self.orders += len(batch)
        try:
            results: list[list[int]] = await self.redis.call("EVALSHA", self.sha, len(keys), *keys, *args)
        except ResponseError as exc:
            if not str(exc).startswith("NOSCRIPT"):
                raise
            await self.redis.call("SCRIPT", "LOAD", _ADMIT_AND_APPEND)  # first call, or the server lost its scripts
            results = await self.redis.call("EVALSHA", self.sha, len(keys), *keys, *args)
        return results

    def close(self) -> None:
        self.redis.close()

    def _admission(self, result: list[int]) -> Admission:
        status, ban_s, used, short, long = (int(x) for x in result)
        counts = (short, long)
        if status in (1, 2):
            try:
                ip_weight_used(status, ban_s, used)
            except (ApiError, TooMuchWeight) as refused:
                return Admission(NO_IP, counts, refused)
        refused_orders = self.limiter.too_many_orders(short, long) if status == 3 else None
        return Admission(used, counts, refused_orders)
