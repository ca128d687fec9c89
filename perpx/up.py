"""`perpx up`: the whole exchange with one command.

Redis is REDIS_URL when set, else an embedded redis-server under --data-dir. Each service runs as
its own `perpx <service>` process under the supervisor. Adding a service is one line in SERVICES.
"""

import argparse
import logging
import signal
import threading
from pathlib import Path
from types import FrameType

from api.server_key import ENV as SERVER_KEY_ENV
from api.server_key import load_server_key
from ops.logs import setup_logging
from perpx.exchange import write_url_file
from perpx.supervisor import ServiceSpec, Supervisor
from streams.connection import DEFAULT_DATA_DIR, redis_url_or_embedded
from streams.embedded import APPENDFSYNC_CHOICES

log = logging.getLogger("perpx.up")

SERVICES = [
    ServiceSpec("engine", ("engine",)),
    ServiceSpec("oracle", ("oracle",)),
    ServiceSpec("funding", ("funding",)),
]
DEFAULT_API_PORT = 8000


def services(api_port: int, api_workers: int) -> list[ServiceSpec]:
    return [*SERVICES, ServiceSpec("api", ("api", "--port", str(api_port), "--workers", str(api_workers)))]


def add_up_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("up", help="run the whole exchange: Redis (embedded unless REDIS_URL) and services")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="where embedded Redis keeps its data")
    parser.add_argument("--appendfsync", choices=APPENDFSYNC_CHOICES, default="everysec", help="embedded Redis AOF")
    parser.add_argument("--api-port", type=int, default=DEFAULT_API_PORT, help="port of the REST API on 127.0.0.1")
    parser.add_argument("--api-workers", type=int, default=1, help="uvicorn workers of the REST API")
    parser.add_argument("--no-demo", action="store_true", help="no demo keys even in the local default setup")
    parser.set_defaults(run=run_up)


def run_up(args: argparse.Namespace) -> int:
    setup_logging()
    supervisor: Supervisor | None = None

    def request_stop(signum: int, frame: FrameType | None) -> None:
        if supervisor is not None:
            supervisor.stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    with redis_url_or_embedded(args.data_dir, args.appendfsync) as (url, server):
        log.info("redis at %s%s", url, f" (embedded, data in {server.data_dir})" if server else "")

        def keep_redis_up() -> None:
            if server is not None and server.maybe_restart():
                log.warning("embedded redis had died; restarted it from its AOF")

        server_key = load_server_key(args.data_dir)
        if server is not None:
            write_url_file(args.data_dir, url)  # so that `perpx keys` and `perpx admin` find this Redis
        specs = services(args.api_port, args.api_workers)
        supervisor = Supervisor(specs, {"REDIS_URL": url, SERVER_KEY_ENV: server_key.decode()})
        try:
            supervisor.start()
            log.info("perpx is up: %s. Ctrl-C stops it.", ", ".join(s.name for s in specs))
            log.info("REST API (Binance USD-M compatible) at http://127.0.0.1:%d, docs at /docs", args.api_port)
            if server is not None and not args.no_demo:
                start_demo(url, server_key, args.api_port)
            supervisor.watch(on_tick=keep_redis_up)
        finally:
            log.info("stopping")
            supervisor.stop()
    log.info("stopped")
    return 0


def start_demo(url: str, server_key: bytes, api_port: int) -> None:
    """Demo keys for two funded accounts, printed once the engine has funded them (in a thread:
    the supervisor's watch must start at once)."""
    import asyncio

    from perpx.demo_keys import ensure_demo_keys, fund, print_demo_keys
    from streams.connection import connect
    from streams.keys import ShardKeys

    def run() -> None:
        client = connect(url)
        try:
            keys = ensure_demo_keys(client, server_key)
        finally:
            client.close()
        try:
            asyncio.run(fund(url, ShardKeys(), [k.account_id for k in keys]))
        except TimeoutError:
            log.warning("the engine did not fund the demo accounts in time")
            return
        print_demo_keys(keys, f"http://127.0.0.1:{api_port}")

    threading.Thread(target=run, name="demo-keys", daemon=True).start()
