"""Per-connection and per-IP admission: connections per IP (this process), incoming message rate."""

import time
from collections import deque


class IpConnections:
    def __init__(self, most: int) -> None:
        self.most = most
        self.open: dict[str, int] = {}

    def admit(self, ip: str) -> bool:
        count = self.open.get(ip, 0)
        if count >= self.most:
            return False
        self.open[ip] = count + 1
        return True

    def release(self, ip: str) -> None:
        count = self.open.get(ip, 0) - 1
        if count > 0:
            self.open[ip] = count
        else:
            self.open.pop(ip, None)


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
