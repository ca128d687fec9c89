"""One client connection's outgoing side: a bounded queue of encoded frames and the task that sends them.

The fan-out only ever appends to the queue (`offer`, never awaiting): a connection whose queue is
full is marked overflowed, its queue dropped, and its sender sends one error frame and closes it.
So one slow socket costs at most `max_queued` frames of memory and never delays anyone else. A
sender stuck on a socket that takes nothing is cancelled at the overflow; the error frame and the
close are then attempted with a deadline (the socket may take nothing more), after which the
transport is dropped.
"""

import asyncio
import contextlib
import json
from collections import deque

from starlette.websockets import WebSocket, WebSocketState

SLOW_CONSUMER_CLOSE = 1008


class Connection:
    def __init__(self, websocket: WebSocket, max_queued: int, combined: bool) -> None:
        self.websocket = websocket
        self.max_queued = max_queued
        self.combined = combined  # frames wrapped as {"stream":..,"data":..}
        self.queue: deque[str] = deque()
        self.wakeup = asyncio.Event()
        self.overflowed = False
        self.closed = False
        self.streams: set[str] = set()  # market streams subscribed
        self.listen_keys: set[str] = set()  # user data streams subscribed
        self.sent = 0
        self.sender: asyncio.Task[None] | None = None

    def offer(self, frame: str) -> None:
        """Queue a frame; past `max_queued` the connection is cut off (never blocks, never grows)."""
        if self.closed or self.overflowed:
            return
        if len(self.queue) >= self.max_queued:
            self.overflowed = True
            self.queue.clear()
            if self.sender is not None:
                self.sender.cancel()  # it may be stuck on the socket: the connection ends now
        else:
            self.queue.append(frame)
        self.wakeup.set()

    def close_soon(self, frame: str | None = None) -> None:
        """Send `frame` (if any) after what is queued, then close."""
        if frame is not None:
            self.queue.append(frame)
        self.closed = True
        self.wakeup.set()

    def start(self) -> "asyncio.Task[None]":
        self.sender = asyncio.create_task(self.send_loop())
        return self.sender

    async def send_loop(self) -> None:
        websocket = self.websocket
        try:
            while not self.overflowed:
                await self.wakeup.wait()
                self.wakeup.clear()
                while self.queue and not self.overflowed:
                    await websocket.send_text(self.queue.popleft())
                    self.sent += 1
                if self.closed:
                    await websocket.close()
                    return
        except Exception:  # the socket went away: the receive side ends the connection
            return
        finally:
            self.closed = True

    async def close(self) -> None:
        self.closed = True
        if self.websocket.application_state == WebSocketState.DISCONNECTED:
            return
        code = 1000
        if self.overflowed:
            code = SLOW_CONSUMER_CLOSE
            error = {"error": {"code": -1, "msg": "Slow consumer: send queue full; connection closed."}}
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.websocket.send_text(json.dumps(error)), 1.0)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.websocket.close(code), 1.0)
