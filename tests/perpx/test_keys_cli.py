"""`perpx keys create`: prints a key pair once, stored encrypted, found through REDIS_URL."""

import json
import os
import subprocess
import sys

from cryptography.fernet import Fernet

from api.keys import KEY_PREFIX, parse_record


def perpx(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "perpx.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_keys_create_json(redis_server, redis_client, tmp_path):
    server_key = Fernet.generate_key()
    env = {"REDIS_URL": redis_server.url, "PERPX_SERVER_KEY": server_key.decode()}
    done = perpx("keys", "create", "--account", "42", "--read-only", "--json", env=env)
    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)
    assert set(created) == {"account", "key", "secret"} and created["account"] == 42
    stored = parse_record(created["key"], redis_client.hgetall(KEY_PREFIX + created["key"]), Fernet(server_key))
    assert stored is not None and stored.secret == created["secret"] and stored.permissions == {"read"}
    plain = perpx("keys", "create", env=env)
    assert plain.returncode == 0 and "secret" in plain.stdout and "account" in plain.stdout


def test_keys_create_uses_the_data_directory_key_without_the_environment(redis_server, tmp_path):
    env = {"REDIS_URL": redis_server.url, "PERPX_SERVER_KEY": ""}
    done = perpx("keys", "create", "--json", "--data-dir", str(tmp_path), env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "server.key").exists()
    assert perpx("keys", "create", "--account", "0", env=env).returncode != 0
