"""`perpx api`: the REST API under uvicorn, against REDIS_URL (or the embedded Redis of --data-dir)."""

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from api.server_key import ENV as SERVER_KEY_ENV
from api.server_key import load_server_key
from streams.connection import DEFAULT_DATA_DIR
from streams.keys import DEFAULT_SHARD

if TYPE_CHECKING:
    from fastapi import FastAPI

DEFAULT_PORT = 8000
HISTORY_ENV = "PERPX_HISTORY_DB"  # the indexer's SQLite history file ("": live views only)
DEMO_ENV = "PERPX_API_DEMO"  # "1": serve the demo key pairs to loopback clients (api/routes/demo.py)


def add_api_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = commands.add_parser("api", help="serve the Binance-compatible REST API (uvicorn)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PERPX_API_PORT", DEFAULT_PORT)))
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--shard", default=DEFAULT_SHARD)
    parser.add_argument(
        "--data-dir",
        type=Path,
        help=f"where server.key and the indexer's history are kept (default: $PERPX_DATA_DIR or {DEFAULT_DATA_DIR})",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="local demo only: serve the demo key pairs at /perpx/v1/demo/keys to loopback clients "
        "(for the trading page's account picker; `perpx up` sets it in its local default setup)",
    )
    parser.set_defaults(run=run_api)


def run_api(args: argparse.Namespace) -> int:
    import uvicorn

    from perpx.exchange import exchange_redis

    data_dir = args.data_dir if args.data_dir is not None else DEFAULT_DATA_DIR
    os.environ[HISTORY_ENV] = history_db_setting(args.data_dir, args.shard)
    with exchange_redis(data_dir) as (url, _):
        # the workers build their app from the environment (uvicorn's factory mode)
        os.environ["REDIS_URL"] = url
        os.environ[SERVER_KEY_ENV] = load_server_key(data_dir).decode()
        os.environ["PERPX_API_SHARD"] = args.shard
        if args.demo:
            os.environ[DEMO_ENV] = "1"
        uvicorn.run(
            "perpx.api_main:app_from_env",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="warning",
            access_log=False,
            # WebSocket: a ping every 3 minutes, a client silent to it for 10 minutes is closed (as
            # Binance); frames past 1 MiB close the connection (1009), smaller ones past the
            # api's own limit are answered with an error frame (api/ws/settings.py)
            ws_ping_interval=float(os.environ.get("PERPX_WS_PING_INTERVAL_S", 180)),
            ws_ping_timeout=float(os.environ.get("PERPX_WS_PING_TIMEOUT_S", 600)),
            ws_max_size=1 << 20,
        )
    return 0


def history_db_setting(data_dir: Path | None, shard: str) -> str:
    """The history file the api reads ("": none): $PERPX_HISTORY_DB if set, else the indexer's file
    under a data directory given explicitly (--data-dir or $PERPX_DATA_DIR, as `perpx up` sets),
    never an unrelated default directory's."""
    if HISTORY_ENV in os.environ:
        return os.environ[HISTORY_ENV]
    if data_dir is None and "PERPX_DATA_DIR" not in os.environ:
        return ""
    from views.history.sql import history_path

    return str(history_path(data_dir if data_dir is not None else DEFAULT_DATA_DIR, shard).resolve())


def app_from_env() -> "FastAPI":  # imported lazily so that `perpx` starts fast
    from api.app import create_app
    from api.limits import limits_from_text
    from api.settings import ApiSettings

    return create_app(
        ApiSettings(
            redis_url=os.environ["REDIS_URL"],
            server_key=os.environ[SERVER_KEY_ENV].encode(),
            shard=os.environ.get("PERPX_API_SHARD", DEFAULT_SHARD),
            limits=limits_from_text(os.environ.get("PERPX_API_LIMITS", "")),
            limits_namespace=os.environ.get("PERPX_API_LIMITS_NAMESPACE", ""),
            command_timeout_s=float(os.environ.get("PERPX_API_COMMAND_TIMEOUT_S", "5")),
            history_db=Path(history) if (history := os.environ.get(HISTORY_ENV, "")) else None,
            demo=os.environ.get(DEMO_ENV, "") == "1",
        )
    )
