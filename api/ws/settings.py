"""WebSocket limits, from the environment (each api process applies them to its own connections)."""

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class WsSettings:
    max_queued: int = 2_000  # frames waiting for one connection before it is cut off as slow
    connections_per_ip: int = 300
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
            max_streams=int(number("PERPX_WS_MAX_STREAMS", base.max_streams)),
            messages_per_s=int(number("PERPX_WS_MESSAGES_PER_S", base.messages_per_s)),
            max_frame_bytes=int(number("PERPX_WS_MAX_FRAME_BYTES", base.max_frame_bytes)),
            listen_key_check_s=number("PERPX_WS_LISTEN_KEY_CHECK_S", base.listen_key_check_s),
        )
