"""Publishing the oracle's commands to the engine's command stream in Redis.

A corporate action's command and the record that it was emitted are written in one MULTI, so a
restarted oracle (which reads the record back with `emitted_action_ids`) never sends it twice and
never loses it, however the stream has been trimmed since.
"""

import redis.asyncio as aioredis

from messages.codec import encode
from messages.commands import CashDividend, Command, Split
from streams.keys import ShardKeys


def emitted_actions_key(keys: ShardKeys) -> str:
    """A set of corporate-action ids already sent, under the shard's hash tag."""
    return f"{keys.prefix}:oracle:corporate_actions_emitted"


class RedisPublisher:
    def __init__(self, client: aioredis.Redis, keys: ShardKeys) -> None:
        self.client = client
        self.keys = keys

    async def __call__(self, command: Command) -> None:
        fields = {"c": encode(command)}
        if isinstance(command, Split | CashDividend):
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.xadd(self.keys.commands, fields)  # type: ignore[arg-type]
                pipe.sadd(emitted_actions_key(self.keys), command.command_id.removeprefix("ca:"))
                await pipe.execute()
        else:
            await self.client.xadd(self.keys.commands, fields)  # type: ignore[arg-type]

    async def emitted_action_ids(self) -> list[str]:
        members = await self.client.smembers(emitted_actions_key(self.keys))
        return sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)
