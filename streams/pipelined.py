"""The engine's two Redis connections, each its own, replies raw (RESP2 through hiredis, lists of
bytes, as in streams.raw_reader):

- `PendingRead`: the next batch's XREAD is sent before this batch is applied, so Redis prepares it
  while Python works; its reply is collected at the next step.
- `FencedAppender`: a batch's writes as one script, confirmed before returning (a later write never
  goes out while an earlier one is unconfirmed, so the event stream never has a gap, and a caller
  that reads the stream after a step sees that step's events), and refused if the stream does not
  end where this engine last wrote.
"""

from typing import Any

import redis
from redis.exceptions import NoScriptError

from streams.raw_reader import RawEntry


class PendingRead:
    """At most one XREAD in flight on a dedicated connection."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url, protocol=2)
        self.connection = self.client.connection_pool.get_connection()
        self.in_flight = False

    def request(self, key: str, after: str, count: int, block_ms: int) -> None:
        assert not self.in_flight
        wait = ("BLOCK", block_ms) if block_ms > 0 else ()  # BLOCK 0 would wait forever
        self.connection.send_command("XREAD", "COUNT", count, *wait, "STREAMS", key, after)
        self.in_flight = True

    def collect(self) -> list[RawEntry]:
        """The reply of the request in flight: its entries, or [] when BLOCK ran out."""
        self.in_flight = False
        response = self.connection.read_response()
        return response[0][1] if response else []

    def close(self) -> None:
        self.connection.disconnect()  # a read still in flight is abandoned with the connection
        self.client.connection_pool.release(self.connection)
        self.client.close()


_APPEND_SCRIPT = """
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local last = '0-0'
if newest[1] then last = newest[1][1] end
if last ~= ARGV[1] then
  return redis.error_reply('FENCED the event stream ends at ' .. last .. ', this engine expected ' .. ARGV[1])
end
local args = {KEYS[1]}
if ARGV[3] ~= '0' then
  args[#args + 1] = 'MAXLEN'; args[#args + 1] = '~'; args[#args + 1] = ARGV[3]
end
args[#args + 1] = ARGV[2]
local i = 4
local n = tonumber(ARGV[i])
for j = i + 1, i + n do args[#args + 1] = ARGV[j] end
redis.call('XADD', unpack(args))
i = i + n + 1
while i <= #ARGV do
  n = tonumber(ARGV[i])
  local dead = {KEYS[2], '*'}
  for j = i + 1, i + n do dead[#dead + 1] = ARGV[j] end
  redis.call('XADD', unpack(dead))
  i = i + n + 1
end
return 1
"""


class FencedAppender:
    """Appends one event entry (and its dead letters) only if the event stream still ends where
    this engine last wrote: one script, so atomic. A second engine on the same shard, or a stale
    one, fails its write instead of interleaving its events with ours; it exits and recovers."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url, protocol=2)
        self.connection = self.client.connection_pool.get_connection()
        self.sha = self._call("SCRIPT", "LOAD", _APPEND_SCRIPT)

    def _call(self, *args: Any) -> Any:
        self.connection.send_command(*args)
        return self.connection.read_response()  # raises ResponseError on an error reply

    def append(
        self,
        events_key: str,
        dead_letters_key: str,
        expected_last_id: str,
        entry_id: str,
        max_entries: int,
        fields: list[bytes | str],
        dead_letters: list[list[bytes | str]],
    ) -> None:
        args: list[Any] = [expected_last_id, entry_id, max_entries, len(fields), *fields]
        for dead in dead_letters:
            args += [len(dead), *dead]
        try:
            self._call("EVALSHA", self.sha, 2, events_key, dead_letters_key, *args)
        except NoScriptError:
            self.sha = self._call("SCRIPT", "LOAD", _APPEND_SCRIPT)  # the server lost its script cache
            self._call("EVALSHA", self.sha, 2, events_key, dead_letters_key, *args)

    def close(self) -> None:
        self.connection.disconnect()
        self.client.connection_pool.release(self.connection)
        self.client.close()
