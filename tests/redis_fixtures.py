"""A real Redis for the tests: one embedded redis-server per test session, and a fresh shard per test.

Tests never share keys: each gets a ShardKeys with a unique shard name (the test process's pid in
it, so that a stray process of another test session, say a snapshot child of an engine killed
there, can never write into this session's shards even if it reaches this server), so they need
no FLUSHALL and can run against one server.
"""

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from streams.embedded import EmbeddedRedis
from streams.keys import ShardKeys

_shard_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    data_dir: Path = tmp_path_factory.mktemp("redis")
    with EmbeddedRedis(data_dir) as server:
        yield server


@pytest.fixture
def redis_client(redis_server: EmbeddedRedis) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url)
    yield client
    client.close()


@pytest.fixture
def shard_keys(request: pytest.FixtureRequest) -> ShardKeys:
    return ShardKeys(f"test{os.getpid()}-{next(_shard_numbers)}-{request.node.name[:40]}")
