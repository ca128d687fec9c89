"""The seam between the history and its database: SQLite (the standard sqlite3 module) by default.

Everything above this module speaks DB-API 2.0 with `?` placeholders and plain SQL (no SQLite
functions, ON CONFLICT as PostgreSQL spells it), so a PostgreSQL connection (psycopg, with its
placeholders translated here) can be added as a second `open_*` without touching the rest.
"""

import sqlite3
from importlib.resources import files
from pathlib import Path
from typing import Any, Protocol

from streams.keys import DEFAULT_SHARD


class Cursor(Protocol):
    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...
    def executemany(self, sql: str, parameters: Any, /) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    def cursor(self) -> Any: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def close(self) -> None: ...


def schema_sql() -> str:
    return files("views.history").joinpath("schema.sql").read_text()


HISTORY_FILE = "history.sqlite3"


def history_path(data_dir: Path, shard: str = DEFAULT_SHARD) -> Path:
    """A shard's history database under the data directory (the indexer's and the API's default)."""
    return data_dir / (HISTORY_FILE if shard == DEFAULT_SHARD else f"history-{shard}.sqlite3")


def open_sqlite(path: Path) -> sqlite3.Connection:
    """The history file, created with its tables if new. WAL lets the API read while the indexer
    writes; synchronous=FULL makes a commit survive a power cut, since the position written with
    it lets the streams be trimmed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, isolation_level="DEFERRED", check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA busy_timeout=5000")
    connection.executescript(schema_sql())
    return connection


def open_sqlite_reader(path: Path) -> sqlite3.Connection:
    """The history for a reader (the API): read-only, so it can never write what the indexer owns;
    WAL lets it read while the indexer writes. The file must exist (the indexer creates it)."""
    connection = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, check_same_thread=False)
    connection.execute("PRAGMA busy_timeout=5000")
    return connection
