"""The server key that encrypts API secrets at rest, so a copy of the Redis data alone reveals none.

PERPX_SERVER_KEY (a Fernet key) when set; else `server.key` in the data directory, created on first
use, readable by its owner only. Every api replica and `perpx keys` must use the same key.
"""

import os
from pathlib import Path

from cryptography.fernet import Fernet

ENV = "PERPX_SERVER_KEY"
FILE_NAME = "server.key"


def load_server_key(data_dir: Path) -> bytes:
    from_env = os.environ.get(ENV)
    if from_env:
        key = from_env.strip().encode()
        Fernet(key)  # a malformed key fails here, at start, not on the first request
        return key
    path = data_dir / FILE_NAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(Fernet.generate_key())
    key = path.read_bytes().strip()
    Fernet(key)
    return key
