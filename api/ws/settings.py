"""WebSocket limits, from the environment: connections per IP count across every api process (in
Redis, api/ws/guard.py); the others are per connection."""

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class WsSettings:
    max_queued: int = 2_000  # frames waiting for one connection before it is cut off as slow
    connections_per_ip: int = 300  # exchange-wide: every api process of the namespace counts
    ip_lease_s: float = 30.0  # a dead process's connections stop counting within this time
    max_streams: int = 1_024  # per connection, as Binance
    messages_per_s: int = 10  # incoming, per connection, as Binance
    max_frame_bytes: int = 65_536  # a larger incoming frame is answered with an error
    listen_key_check_s: float = 10.0  # how often subscribed listen keys are checked for expiry

    @classmethod
    def from_env(cls) -> "WsSettings":
        def number(name: str, default: float) -> float:
            return float(os.environ.get(name, default))

        base = cls()
        return cls(
            max_queued=int(number("PERPX_WS_MAX_QUEUED", base.max_queued)),
            connections_per_ip=int(number("PERPX_WS_CONNECTIONS_PER_IP", base.connections_per_ip)),
            ip_lease_s=number("PERPX_WS_IP_LEASE_S", base.ip_lease_s),
            max_streams=int(number("PERPX_WS_MAX_STREAMS", base.max_streams)),
            messages_per_s=int(number("PERPX_WS_MESSAGES_PER_S", base.messages_per_s)),
            max_frame_bytes=int(number("PERPX_WS_MAX_FRAME_BYTES", base.max_frame_bytes)),
            listen_key_check_s=number("PERPX_WS_LISTEN_KEY_CHECK_S", base.listen_key_check_s),
        )
