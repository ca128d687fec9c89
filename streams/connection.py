"""Where the exchange's Redis is: REDIS_URL, or an embedded server that perpx starts itself."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from streams.embedded import EmbeddedRedis

DEFAULT_DATA_DIR = Path(os.environ.get("PERPX_DATA_DIR", ".perpx"))


def redis_url_from_env() -> str | None:
    return os.environ.get("REDIS_URL") or None


def must_get_redis_url() -> str:
    url = redis_url_from_env()
    if url is None:
        raise SystemExit("REDIS_URL is not set (perpx up starts an embedded Redis and sets it for its services)")
    return url


@contextmanager
def redis_url_or_embedded(
    data_dir: Path = DEFAULT_DATA_DIR, appendfsync: str = "everysec", port: int | None = None
) -> Iterator[tuple[str, EmbeddedRedis | None]]:
    """REDIS_URL when set (and no server of ours); otherwise a real redis-server under
    `data_dir/redis` (on `port`, else a free one) for the block's duration, and the server itself
    so the caller can watch it."""
    url = redis_url_from_env()
    if url is not None:
        yield url, None
        return
    with EmbeddedRedis(data_dir / "redis", port=port, appendfsync=appendfsync) as server:
        yield server.url, server


def connect(url: str, retries: int = 3) -> redis.Redis:
    """A client that returns bytes (the wire is msgpack).

    `retries=0` for a writer that must not resend: a write resent after its reply was lost could
    apply twice; the engine would rather fail and recover from the streams.
    """
    return redis.Redis.from_url(url, health_check_interval=30, retry=Retry(ExponentialBackoff(), retries))
