"""One asyncio Redis connection for a hot path: commands pipelined, replies raw, a third of redis-py's cost.

redis-py's asyncio client spends about 70 us of CPU per command here (a connection taken from the
pool and given back, argument encoding, a response callback, a retry wrapper); the api's order path
makes two per order (the order desk's script, the follower's XREAD). This connection is an asyncio
Protocol with a hiredis reader: `call` writes the command and queues a future, replies resolve the
futures in order. Many calls may be in flight at once (RESP answers in order). Replies are RESP2 as
hiredis builds them (bytes, lists, ints); an error reply raises `redis.ResponseError`.

A call whose caller is cancelled keeps its place in the queue, so the reply that comes for it later
is dropped rather than handed to the next caller. When the connection is lost every call in flight
fails with ConnectionError, and the next call connects again.
"""

import asyncio
import socket
from collections import deque
from typing import Any

import hiredis
import redis.asyncio as aioredis
from redis.exceptions import ResponseError


def pack_command(args: tuple[Any, ...]) -> bytes:
    """RESP: an array of bulk strings."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.reader = hiredis.Reader()
        self.waiting: deque[asyncio.Future[Any]] = deque()
        self.transport: asyncio.Transport | None = None
        self.lost: BaseException | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        while (reply := self.reader.gets()) is not False:
            future = self.waiting.popleft()
            if future.done():  # its caller gave up: the reply is dropped
                continue
            if isinstance(reply, hiredis.ReplyError):
                future.set_exception(ResponseError(str(reply)))
            else:
                future.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = exc or ConnectionError("Redis closed the connection")
        while self.waiting:
            future = self.waiting.popleft()
            if not future.done():
                future.set_exception(ConnectionError(f"Redis connection lost: {self.lost}"))


class LeanConnection:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 6379,
        password: str | None = None,
        db: int = 0,
        path: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.path = path  # a Unix socket instead of host and port
        self.password = password
        self.db = db
        self.protocol: _Protocol | None = None
        self.connecting: asyncio.Future[_Protocol] | None = None

    @classmethod
    def like(cls, client: aioredis.Redis) -> "LeanConnection":
        """A connection to the server `client` talks to (host, port, password, db)."""
        kwargs = client.connection_pool.connection_kwargs
        return cls(
            kwargs.get("host", "127.0.0.1"),
            kwargs.get("port", 6379),
            kwargs.get("password"),
            kwargs.get("db", 0),
            kwargs.get("path"),
        )

    async def _connected(self) -> _Protocol:
        protocol = self.protocol
        if protocol is not None and protocol.lost is None:
            return protocol
        if self.connecting is None:  # one connect at a time; concurrent callers wait for it
            self.connecting = asyncio.ensure_future(self._connect())
        try:
            return await asyncio.shield(self.connecting)
        finally:
            if self.connecting is not None and self.connecting.done():
                self.connecting = None

    async def _connect(self) -> _Protocol:
        loop = asyncio.get_running_loop()
        if self.path is not None:
            _, protocol = await loop.create_unix_connection(_Protocol, self.path)
        else:
            _, protocol = await loop.create_connection(_Protocol, self.host, self.port)
            sock = protocol.transport.get_extra_info("socket") if protocol.transport is not None else None
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.protocol = protocol
        if self.password:
            await self._send(protocol, ("AUTH", self.password))
        if self.db:
            await self._send(protocol, ("SELECT", self.db))
        return protocol

    @staticmethod
    def _send(protocol: _Protocol, args: tuple[Any, ...]) -> "asyncio.Future[Any]":
        if protocol.lost is not None or protocol.transport is None:
            raise ConnectionError(f"Redis connection lost: {protocol.lost}")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        protocol.waiting.append(future)
        protocol.transport.write(pack_command(args))
        return future

    async def call(self, *args: Any) -> Any:
        """Send one command and await its reply (raw RESP2; an error reply raises ResponseError)."""
        protocol = await self._connected()
        return await self._send(protocol, args)

    def close(self) -> None:
        if self.protocol is not None and self.protocol.transport is not None:
            self.protocol.transport.close()
        self.protocol = None
