"""How a `perpx` tool finds the exchange's Redis: REDIS_URL, else the embedded server that a running
`perpx up` of the same --data-dir started (its URL is in <data-dir>/redis.url while it runs), else
an embedded server of its own over that data directory for the tool's duration."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from streams.connection import redis_url_from_env
from streams.embedded import EmbeddedRedis

URL_FILE = "redis.url"


def write_url_file(data_dir: Path, url: str) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / URL_FILE
    path.write_text(url + "\n")
    return path


def running_url(data_dir: Path) -> str | None:
    path = data_dir / URL_FILE
    if not path.exists():
        return None
    url = path.read_text().strip()
    client = redis.Redis.from_url(url, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        return None
    finally:
        client.close()
    return url


@contextmanager
def exchange_redis(data_dir: Path) -> Iterator[tuple[str, bool]]:
    """(url, whether the exchange's services are expected to be running there)."""
    url = redis_url_from_env() or running_url(data_dir)
    if url is not None:
        yield url, True
        return
    with EmbeddedRedis(data_dir / "redis") as server:
        yield server.url, False
