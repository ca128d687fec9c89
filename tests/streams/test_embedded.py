"""The embedded server is a real redis-server with AOF on, under our directory, stopped cleanly."""

import redis

from streams.embedded import EmbeddedRedis, find_redis_server


def test_binary_is_found_without_anything_on_path(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("PERPX_REDIS_SERVER", raising=False)
    assert find_redis_server().endswith("redis-server")


def test_data_survives_a_clean_stop_and_a_kill(tmp_path):
    with EmbeddedRedis(tmp_path, appendfsync="always") as server:
        client = redis.Redis.from_url(server.url)
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        assert client.config_get("appendfsync") == {"appendfsync": "always"}
        assert client.config_get("bind")["bind"] == "127.0.0.1"
        client.xadd("s", {"c": b"one"})
        client.close()
    assert server.process is not None and server.process.returncode == 0
    assert (tmp_path / "appendonly.aof").exists()

    again = EmbeddedRedis(tmp_path, appendfsync="always").start()
    client = redis.Redis.from_url(again.url)
    client.xadd("s", {"c": b"two"})
    again.kill()
    client.close()

    with EmbeddedRedis(tmp_path) as last:
        client = redis.Redis.from_url(last.url)
        assert [fields[b"c"] for _, fields in client.xrange("s")] == [b"one", b"two"]
        client.close()


def test_the_server_goes_when_its_parent_is_killed(tmp_path):
    import subprocess
    import sys
    import time

    script = (
        "import sys, time; from pathlib import Path; from streams.embedded import EmbeddedRedis\n"
        "server = EmbeddedRedis(Path(sys.argv[1])).start(); print(server.url, flush=True); time.sleep(60)"
    )
    parent = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE)
    url = parent.stdout.readline().decode().strip()
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    assert client.ping()
    parent.kill()
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
        except redis.ConnectionError:
            break
        assert time.monotonic() < deadline, "redis-server outlived its parent"
        time.sleep(0.05)
    client.close()
