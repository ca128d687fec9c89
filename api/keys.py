"""API keys: each bound to one account, with permissions, its secret encrypted in Redis.

A key record is a Redis hash `perpx:api:key:<key>` (account, permissions, Fernet-encrypted secret,
created time); Redis is shared by every api replica and the `perpx keys` command. The secret is
needed in clear to check HMAC signatures, so it is encrypted (not hashed) under the server key:
the Redis data alone does not reveal it. Permissions: `read`, `trade`, and `admin` for
/perpx/v1/admin (an admin key belongs to no trading account, account 0).
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken

KEY_PREFIX = "perpx:api:key:"
NEXT_ACCOUNT = "perpx:api:next_account"  # accounts handed out by `perpx keys create` without --account
READ, TRADE, ADMIN = "read", "trade", "admin"
KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@dataclass(frozen=True)
class ApiKey:
    key: str
    secret: str
    account_id: int
    permissions: frozenset[str]

    def can(self, permission: str) -> bool:
        return permission in self.permissions


def new_key_pair() -> tuple[str, str]:
    """64 alphanumeric characters each, as Binance's keys look."""
    return (
        "".join(secrets.choice(KEY_ALPHABET) for _ in range(64)),
        "".join(secrets.choice(KEY_ALPHABET) for _ in range(64)),
    )


def permissions_for(read_only: bool = False, admin: bool = False) -> frozenset[str]:
    if admin:
        return frozenset({ADMIN})
    return frozenset({READ}) if read_only else frozenset({READ, TRADE})


def key_record(api_key: ApiKey, fernet: Fernet, created_ms: int) -> dict[str, str]:
    return {
        "account": str(api_key.account_id),
        "permissions": ",".join(sorted(api_key.permissions)),
        "secret": fernet.encrypt(api_key.secret.encode()).decode(),
        "created_ms": str(created_ms),
    }


def parse_record(key: str, fields: Mapping[bytes, bytes], fernet: Fernet) -> ApiKey | None:
    """The key from its record; None when there is none or the server key cannot open it."""
    if not fields:
        return None
    try:
        secret = fernet.decrypt(fields[b"secret"]).decode()
    except (InvalidToken, KeyError):
        return None
    return ApiKey(
        key,
        secret,
        int(fields[b"account"]),
        frozenset(p for p in fields[b"permissions"].decode().split(",") if p),
    )


def is_well_formed(key: str) -> bool:
    return 0 < len(key) <= 128 and all(c in KEY_ALPHABET for c in key)
