"""API keys: bound to an account, permissions, the secret encrypted at rest under the server key."""

import os
import stat

from cryptography.fernet import Fernet

from api.key_store import create_key, revoke_key
from api.keys import KEY_PREFIX, parse_record, permissions_for
from api.server_key import load_server_key


def test_the_redis_copy_does_not_reveal_the_secret(redis_client):
    server_key = Fernet.generate_key()
    api_key = create_key(redis_client, server_key, 77, permissions_for())
    record = redis_client.hgetall(KEY_PREFIX + api_key.key)
    assert api_key.secret.encode() not in b"".join(record.values())
    assert parse_record(api_key.key, record, Fernet(server_key)) == api_key
    assert parse_record(api_key.key, record, Fernet(Fernet.generate_key())) is None  # another server key
    assert revoke_key(redis_client, api_key.key)
    redis_client.delete(KEY_PREFIX + api_key.key)


def test_new_accounts_come_after_named_ones(redis_client):
    server_key = Fernet.generate_key()
    named = create_key(redis_client, server_key, 500_000, permissions_for(read_only=True))
    fresh = create_key(redis_client, server_key, None, permissions_for())
    assert fresh.account_id > named.account_id
    assert named.permissions == {"read"} and fresh.permissions == {"read", "trade"}
    assert len(fresh.key) == len(fresh.secret) == 64


def test_server_key_from_file_is_created_once_private(tmp_path, monkeypatch):
    monkeypatch.delenv("PERPX_SERVER_KEY", raising=False)
    first = load_server_key(tmp_path)
    assert load_server_key(tmp_path) == first
    assert stat.S_IMODE(os.stat(tmp_path / "server.key").st_mode) == 0o600
    monkeypatch.setenv("PERPX_SERVER_KEY", Fernet.generate_key().decode())
    assert load_server_key(tmp_path) != first
