"""What an api process needs to know: where Redis is, the server key, the limits."""

from dataclasses import dataclass, field
from pathlib import Path

from api.limits import LimitSettings
from streams.keys import DEFAULT_SHARD


@dataclass(frozen=True)
class ApiSettings:
    redis_url: str
    server_key: bytes  # Fernet key that encrypts API secrets at rest (api.server_key)
    shard: str = DEFAULT_SHARD
    command_timeout_s: float = 5.0
    listen_key_ttl_s: int = 3600
    limits: LimitSettings = field(default_factory=LimitSettings)
    limits_namespace: str = ""  # whose counts these are: the shard unless set (every replica shares them)
    history_db: Path | None = None  # the indexer's SQLite history (None: closed orders etc. are live only)
    demo: bool = False  # serve /perpx/v1/demo/keys to loopback clients (`perpx up`'s local demo only)
