"""Per-IP and per-connection admission: connections per IP (exchange-wide), incoming message rate.

Connections per IP are counted across every api process of the exchange (`perpx up --api-workers
N`, replicas on other hosts), in Redis: one sorted set per IP whose members are leases, one per open
connection, scored by when the lease lapses. Admission is one script: drop lapsed leases, refuse
at the limit, else add a lease. A process renews the leases of its open connections every third of
the lease time and removes a lease when its connection closes; the leases of a process that died
without closing them (kill -9, a lost host) lapse within the lease time, so a crash never leaves an
IP locked out for longer than that. Lease times come from the api hosts' clocks, which need only
agree to well within the lease time (30 s by default).
"""

import asyncio
import contextlib
import itertools
import logging
import time
import uuid
from collections import deque

import redis.asyncio as aioredis

from streams.snapshots import wall_clock_ms

log = logging.getLogger("perpx.api.ws")
PREFIX = "perpx:ws:ip:"

_ADMIT = """
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""


class IpLease:
    """One open connection's place in its IP's count; `release` when the connection ends."""

    def __init__(self, guard: "IpConnections", key: str, member: str) -> None:
        self.guard = guard
        self.key = key
        self.member = member

    async def release(self) -> None:
        await self.guard.release(self)


class IpConnections:
    def __init__(self, client: aioredis.Redis, most: int, namespace: str, lease_s: float = 30.0) -> None:
        self.client = client
        self.most = most
        self.namespace = namespace
        self.lease_ms = max(1, int(lease_s * 1000))
        self.process = uuid.uuid4().hex[:16]  # this process's leases, told apart from the others'
        self.numbers = itertools.count(1)
        self.held: dict[str, IpLease] = {}  # member -> lease, the open connections of this process
        self.admit_script = client.register_script(_ADMIT)
        self.renewer: asyncio.Task[None] | None = None

    def key(self, ip: str) -> str:
        return f"{PREFIX}{self.namespace}:{ip}"

    async def admit(self, ip: str) -> IpLease | None:
        """A lease for one more connection from `ip`, or None at the limit."""
        lease = IpLease(self, self.key(ip), f"{self.process}:{next(self.numbers)}")
        self.held[lease.member] = lease  # renewed from now on, even while the script runs
        admitted = await self.admit_script(
            keys=[lease.key], args=[wall_clock_ms(), self.most, self.lease_ms, lease.member]
        )
        if not admitted:
            del self.held[lease.member]
            return None
        return lease

    async def release(self, lease: IpLease) -> None:
        """Never raises (a connection's cleanup goes on): a lease Redis did not take back lapses."""
        if self.held.pop(lease.member, None) is None:
            return
        try:
            await self.client.zrem(lease.key, lease.member)
        except Exception:
            log.exception("releasing a connection lease failed; it lapses within %d ms", self.lease_ms)

    async def renew(self) -> None:
        """Push every held lease's end out by a lease time (XX: a lease released meanwhile stays gone)."""
        if not self.held:
            return
        until = wall_clock_ms() + self.lease_ms
        pipe = self.client.pipeline(transaction=False)
        for lease in list(self.held.values()):
            pipe.zadd(lease.key, {lease.member: until}, xx=True)
            pipe.pexpire(lease.key, self.lease_ms)
        await pipe.execute()

    def start(self) -> None:
        self.renewer = asyncio.create_task(self.keep_renewing(), name="ws-ip-leases")

    async def keep_renewing(self) -> None:
        while True:
            await asyncio.sleep(self.lease_ms / 3000)
            try:
                await self.renew()
            except Exception:
                log.exception("renewing the connection leases failed (they lapse unless a later renewal works)")

    async def stop(self) -> None:
        """Stop renewing and give back what is still held (connections still open at shutdown)."""
        if self.renewer is not None:
            self.renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.renewer
        for lease in list(self.held.values()):
            await self.release(lease)


class MessageRate:
    """At most `per_s` incoming messages in any second (a sliding window of their times)."""

    def __init__(self, per_s: int) -> None:
        self.per_s = per_s
        self.times: deque[float] = deque()

    def allow(self) -> bool:
        now = time.monotonic()
        times = self.times
        while times and now - times[0] >= 1.0:
            times.popleft()
        if len(times) >= self.per_s:
            return False
        times.append(now)
        return True
