"""REDIS_URL wins; without it perpx starts its own Redis, and says which."""

import redis

from streams.connection import connect, redis_url_or_embedded


def test_redis_url_is_used_when_set(monkeypatch, redis_server):
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    with redis_url_or_embedded() as (url, server):
        assert (url, server) == (redis_server.url, None)


def test_an_embedded_server_otherwise(monkeypatch, tmp_path):
    monkeypatch.delenv("REDIS_URL", raising=False)
    with redis_url_or_embedded(tmp_path, appendfsync="always") as (url, server):
        assert server is not None and server.data_dir == tmp_path / "redis"
        client = connect(url)
        assert client.config_get("appendfsync") == {"appendfsync": "always"}
        client.close()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        raise AssertionError("the embedded server outlived its block")
    except redis.ConnectionError:
        pass
