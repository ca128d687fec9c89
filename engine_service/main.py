"""`perpx engine`: the engine service as its own process, against REDIS_URL, until SIGTERM or Ctrl-C."""

import argparse
import logging
import os
import signal
import threading
from types import FrameType

from engine_service.kinds import ENGINE_KINDS, SERVICE_KIND
from engine_service.readiness import EngineReadiness
from engine_service.service import EngineService, EngineSettings, tune_gc
from ops.health import HealthServer, add_health_arguments
from ops.logs import setup_logging
from streams.connection import must_get_redis_url
from streams.keys import DEFAULT_SHARD, ShardKeys

log = logging.getLogger("perpx.engine")


def add_engine_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = commands.add_parser("engine", help="run the engine service against REDIS_URL")
    defaults = EngineSettings()
    parser.add_argument("--shard", default=DEFAULT_SHARD, help="shard whose streams to serve")
    parser.add_argument(
        "--kind",
        choices=sorted(ENGINE_KINDS),
        default=os.environ.get("PERPX_ENGINE_KIND", SERVICE_KIND),
        help="matching: books and positions only; margin: with collateral and liquidation (default PERPX_ENGINE_KIND"
        f" or {SERVICE_KIND})",
    )
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size, help="command entries per read")
    parser.add_argument("--snapshot-every", type=int, default=defaults.snapshot_every, help="commands per snapshot")
    parser.add_argument(
        "--events-max-entries",
        type=int,
        default=defaults.events_max_entries,
        help="keep about this many event stream entries (one per batch); 0 keeps them all",
    )
    add_health_arguments(parser, "engine")
    parser.set_defaults(run=run_engine)


def run_engine(args: argparse.Namespace) -> int:
    setup_logging()
    tune_gc()
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        log.info("signal %d: stopping after this batch", signum)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    settings = EngineSettings(
        batch_size=args.batch_size, snapshot_every=args.snapshot_every, events_max_entries=args.events_max_entries
    )
    kind = ENGINE_KINDS[args.kind]
    service = EngineService(must_get_redis_url(), ShardKeys(args.shard), settings, kind.make, kind.load)
    readiness = EngineReadiness(service)
    health = HealthServer(
        service.health,
        service.metrics.registry,
        args.health_host,
        args.health_port,
        readiness=readiness,
        service="engine",
    ).start()
    log.info("%s engine for shard %s; /healthz, /readyz and /metrics on port %d", args.kind, args.shard, health.port)
    try:
        service.run(stop)
    finally:
        health.stop()
        readiness.close()
    return 0
