"""`perpx indexer`: the history indexer as its own process, against REDIS_URL, until SIGTERM or Ctrl-C.

History goes to an SQLite file under the data directory (PERPX_DATA_DIR, which `perpx up` sets).
"""

import argparse
import logging
import os
import signal
import threading
from pathlib import Path
from types import FrameType

from ops.health import HealthServer
from ops.logs import setup_logging
from streams.connection import DEFAULT_DATA_DIR, connect, must_get_redis_url
from streams.keys import DEFAULT_SHARD, ShardKeys
from streams.retention import RetentionSettings
from views.history.indexer import Indexer, IndexerSettings
from views.history.sql import HISTORY_FILE, history_path, open_sqlite
from views.history.store import HistoryStore

log = logging.getLogger("perpx.indexer")


def add_indexer_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("indexer", help="write the event stream's history into SQL (SQLite) and trim it")
    defaults, retention = IndexerSettings(), RetentionSettings()
    parser.add_argument("--shard", default=DEFAULT_SHARD, help="shard whose event stream to index")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="where the history file lives")
    parser.add_argument("--database", type=Path, help=f"the SQLite file (default: <data dir>/{HISTORY_FILE})")
    parser.add_argument("--read-count", type=int, default=defaults.read_count, help="event entries per transaction")
    parser.add_argument(
        "--keep-entries", type=int, default=retention.keep_entries, help="event entries always kept for late readers"
    )
    parser.add_argument(
        "--keep-seconds", type=float, default=retention.keep_s, help="and those of the last this many seconds"
    )
    parser.add_argument(
        "--trim-every",
        type=float,
        default=defaults.trim_every_s,
        help="seconds between trims of the event stream (0: never)",
    )
    parser.add_argument(
        "--keep-unfilled-days",
        type=float,
        default=defaults.keep_unfilled_ms / 86_400_000,
        help="forget orders that ended without a fill after this many days, as Binance does (0: keep them)",
    )
    parser.add_argument(
        "--accept-gaps",
        action="store_true",
        help="if the stream was trimmed past this history, record the gap in history_gaps and go on "
        "(else stop with an error)",
    )
    parser.add_argument("--health-host", default="127.0.0.1", help="address of /healthz and /metrics")
    parser.add_argument(
        "--health-port",
        type=int,
        default=int(os.environ.get("PERPX_INDEXER_HEALTH_PORT", "9104")),
        help="port of /healthz and /metrics (0: any free one; default PERPX_INDEXER_HEALTH_PORT or 9104)",
    )
    parser.set_defaults(run=run_indexer)


def run_indexer(args: argparse.Namespace) -> int:
    setup_logging()
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    path = args.database or history_path(args.data_dir, args.shard)
    store = HistoryStore(open_sqlite(path))
    settings = IndexerSettings(
        read_count=args.read_count,
        trim_every_s=args.trim_every,
        retention=RetentionSettings(keep_entries=args.keep_entries, keep_s=args.keep_seconds),
        accept_gaps=args.accept_gaps,
        keep_unfilled_ms=round(args.keep_unfilled_days * 86_400_000),
    )
    client = connect(must_get_redis_url())
    indexer = Indexer(client, ShardKeys(args.shard), store, settings)
    health = HealthServer(indexer.health, indexer.metrics.registry, args.health_host, args.health_port).start()
    log.info("indexer for shard %s into %s; /healthz and /metrics on port %d", args.shard, path, health.port)
    try:
        indexer.run(stop)
    finally:
        health.stop()
        store.close()
        client.close()
    return 0
