"""The engine's two Redis connections, each its own, replies raw (RESP2 through hiredis, lists of
bytes, as in streams.raw_reader):

- `PendingRead`: the next batch's XREAD is sent before this batch is applied, so Redis prepares it
  while Python works; its reply is collected at the next step.
- `MultiWriter`: a batch's writes as one MULTI ... EXEC, packed once and confirmed before returning
  (a later write never goes out while an earlier one is unconfirmed, so the event stream never has
  a gap, and a caller that reads the stream after a step sees that step's events).
"""

from typing import Any

import redis
from redis.exceptions import ResponseError

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


class MultiWriter:
    """MULTI ... EXEC on a dedicated connection, without redis-py's pipeline objects."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url, protocol=2)
        self.connection = self.client.connection_pool.get_connection()

    def execute(self, commands: list[tuple[Any, ...]]) -> None:
        """Run the commands atomically; raise if Redis refused any of them."""
        self.connection.send_packed_command(self.connection.pack_commands([("MULTI",), *commands, ("EXEC",)]))
        results: Any = None
        for _ in range(len(commands) + 2):
            results = self.connection.read_response()  # raises on a refused MULTI or a queuing error
        if results is None:
            raise ResponseError("EXEC aborted")
        for result in results:
            if isinstance(result, ResponseError):
                raise result

    def close(self) -> None:
        self.connection.disconnect()
        self.client.connection_pool.release(self.connection)
        self.client.close()
