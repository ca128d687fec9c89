"""The settlement ledger in Redis: the high-water mark, the history and the append to the command
stream happen in one Lua script, so they happen together or not at all - whichever funding process
gets there first, and whatever dies halfway (a script is atomic, and lands in the AOF as a whole).

Keys live under the shard's hash tag, beside its command stream, so the script stays legal on a
Redis Cluster: `...:funding:marks` (hash market -> mark ms) and `...:funding:history:{market}`
(sorted set of "time:rate" scored by time).
"""

from typing import cast

import redis

from funding.settlement import SettledFunding
from messages.codec import encode
from messages.commands import FundingSettle
from streams.keys import ShardKeys

_APPEND_ONCE = """
local mark = redis.call('HGET', KEYS[1], ARGV[1])
if mark and tonumber(mark) >= tonumber(ARGV[2]) then
    return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[2] .. ':' .. ARGV[3])
redis.call('XADD', KEYS[3], '*', 'c', ARGV[4])
return 1
"""

_PASS_OVER = """
local mark = redis.call('HGET', KEYS[1], ARGV[1])
if mark and tonumber(mark) >= tonumber(ARGV[2]) then
    return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""


class RedisLedger:
    def __init__(self, client: redis.Redis, keys: ShardKeys) -> None:
        self.client = client
        self.keys = keys
        self.marks_key = f"{keys.prefix}:funding:marks"
        self.append_script = client.register_script(_APPEND_ONCE)
        self.pass_over_script = client.register_script(_PASS_OVER)

    def history_key(self, market: str) -> str:
        return f"{self.keys.prefix}:funding:history:{market}"

    def last_settled_ms(self, market: str) -> int | None:
        mark = self.client.hget(self.marks_key, market)
        return int(mark) if mark is not None else None

    def open_market(self, market: str, from_ms: int) -> int:
        self.client.hsetnx(self.marks_key, market, from_ms)
        mark = self.last_settled_ms(market)
        assert mark is not None
        return mark

    def append_once(self, command: FundingSettle) -> bool:
        keys = [self.marks_key, self.history_key(command.market), self.keys.commands]
        args: list[str | int | bytes] = [command.market, command.funding_time_ms, command.rate_ppb, encode(command)]
        return bool(self.append_script(keys=keys, args=args))

    def pass_over(self, market: str, funding_time_ms: int) -> bool:
        return bool(self.pass_over_script(keys=[self.marks_key], args=[market, funding_time_ms]))

    def history(self, market: str, limit: int) -> list[SettledFunding]:
        if limit <= 0:
            return []
        members = cast(list[bytes], self.client.zrevrange(self.history_key(market), 0, limit - 1))
        settled = []
        for member in members:
            time_text, _, rate_text = member.decode().partition(":")
            settled.append(SettledFunding(int(time_text), int(rate_text)))
        return settled
