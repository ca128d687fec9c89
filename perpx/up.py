"""`perpx up`: the whole exchange with one command.

Redis is REDIS_URL when set, else an embedded redis-server under --data-dir. Each service runs as
its own `perpx <service>` process under the supervisor. Adding a service is one line in SERVICES.
"""

import argparse
import logging
import signal
from pathlib import Path
from types import FrameType

from ops.logs import setup_logging
from perpx.supervisor import ServiceSpec, Supervisor
from streams.connection import DEFAULT_DATA_DIR, redis_url_or_embedded
from streams.embedded import APPENDFSYNC_CHOICES

log = logging.getLogger("perpx.up")

SERVICES = [
    ServiceSpec("engine", ("engine",)),
    ServiceSpec("oracle", ("oracle",)),
    ServiceSpec("funding", ("funding",)),
    ServiceSpec("indexer", ("indexer",)),
]


def add_up_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("up", help="run the whole exchange: Redis (embedded unless REDIS_URL) and services")
    parser.add_argument(
        "--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="where embedded Redis and the history keep their data"
    )
    parser.add_argument("--appendfsync", choices=APPENDFSYNC_CHOICES, default="everysec", help="embedded Redis AOF")
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

        supervisor = Supervisor(SERVICES, {"REDIS_URL": url, "PERPX_DATA_DIR": str(args.data_dir.resolve())})
        try:
            supervisor.start()
            log.info("perpx is up: %s. Ctrl-C stops it.", ", ".join(s.name for s in SERVICES))
            supervisor.watch(on_tick=keep_redis_up)
        finally:
            log.info("stopping")
            supervisor.stop()
    log.info("stopped")
    return 0
