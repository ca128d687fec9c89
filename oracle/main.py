"""`perpx oracle`: the oracle service as its own process, against REDIS_URL, until SIGTERM or Ctrl-C.

Prices go to the shard's command stream; the books come from its event stream; corporate actions
from a file (the settings' `corporate_actions`, or --corporate-actions) or the admin stream
(oracle/admin.py: halts, posted prices, schedules) and are sent once, ever.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from pathlib import Path
from typing import TYPE_CHECKING

from ops.health import add_health_arguments
from ops.logs import setup_logging
from streams.connection import must_get_redis_url
from streams.keys import DEFAULT_SHARD, ShardKeys

if TYPE_CHECKING:
    from oracle.clock import Clock
    from oracle.service import OracleService

# The service's own modules (pandas and exchange_calendars among them, ~1.5 s to import) load in
# serve(), not here: every `perpx` process imports this module to register the subcommand, and the
# engine's restart time must not pay for the oracle.

log = logging.getLogger("perpx.oracle")


def add_oracle_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("oracle", help="run the oracle service against REDIS_URL")
    parser.add_argument("--config", type=Path, help="settings TOML (default: the simulator for every market)")
    parser.add_argument("--corporate-actions", type=Path, help="splits and dividends TOML")
    parser.add_argument("--shard", default=DEFAULT_SHARD, help="shard whose streams to use")
    add_health_arguments(parser, "oracle")
    parser.add_argument(
        "--always-open", action="store_true", help="demo: the simulator trades and counts 24/7, weekends included"
    )
    parser.add_argument(
        "--cadence-ms", type=int, metavar="MS", help="publish every market at least this often (default: the settings')"
    )
    parser.add_argument(
        "--clock-offset-ms",
        type=int,
        default=0,
        metavar="MS",
        help="run the oracle's clock this far ahead of (or behind) the wall clock: its sessions, and so "
        "a market open, come when chosen (`perpx up --oracle-open-in S` sets it)",
    )
    parser.set_defaults(run=run_oracle)


def run_oracle(args: argparse.Namespace) -> int:
    setup_logging()
    url = must_get_redis_url()
    asyncio.run(_main(url, args))
    return 0


async def _main(url: str, args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await serve(
        url,
        ShardKeys(args.shard),
        stop,
        args.config,
        args.corporate_actions,
        args.always_open,
        health_address=(args.health_host, args.health_port),
        cadence_ms=args.cadence_ms,
        clock=shifted_clock(args.clock_offset_ms),
    )


def shifted_clock(offset_ms: int) -> Clock | None:
    """The wall clock, or one shifted by `offset_ms` (None: serve() takes the wall clock)."""
    if offset_ms == 0:
        return None
    from oracle.clock import OffsetClock

    log.warning("the oracle's clock runs %+d ms from the wall clock", offset_ms)
    return OffsetClock(offset_ms)


async def serve(
    url: str,
    keys: ShardKeys,
    stop: asyncio.Event,
    config_path: Path | None = None,
    actions_path: Path | None = None,
    open_24_7: bool = False,
    clock: Clock | None = None,
    health_address: tuple[str, int] | None = None,
    cadence_ms: int | None = None,
) -> OracleService:
    """Build the service from its settings and run it until `stop`; returns it for inspection."""
    import msgspec
    import redis.asyncio as aioredis

    from matching.markets import load_markets
    from oracle.admin import RedisInbox
    from oracle.book_view import ViewBookReader
    from oracle.clock import WallClock
    from oracle.config import always_open, build_sources, load_config
    from oracle.corporate_actions import CorporateActionCalendar, load_actions
    from oracle.publisher import RedisPublisher
    from oracle.service import OracleService
    from oracle.sessions import calendar_around
    from oracle.status import write_status

    clock = clock or WallClock()
    config = load_config(config_path)
    specs = load_markets()
    start_ms = clock.now_ms()
    calendar = calendar_around(start_ms)
    params = always_open(config.params) if open_24_7 else config.params
    if cadence_ms is not None:
        params = msgspec.structs.replace(params, cadence_ms=cadence_ms)
    base_dir = config_path.parent if config_path else Path()
    sources = build_sources(
        config.sources, sorted({s.underlying for s in specs}), start_ms, None if open_24_7 else calendar, base_dir
    )
    client = aioredis.from_url(url)
    publisher = RedisPublisher(client, keys)
    actions = CorporateActionCalendar()
    actions.mark_emitted(await publisher.emitted_action_ids())
    for path in (config.corporate_actions, actions_path):
        if path is not None:
            for action in load_actions(path):
                actions.schedule(action)
    book = ViewBookReader(client, keys, specs)
    service = OracleService(specs, sources, calendar, publisher, book, params, actions, RedisInbox(client, keys))
    log.info(
        "oracle: %d markets, sources %s, %d corporate actions pending",
        len(specs),
        ", ".join(s.name for s in sources),
        len(actions.pending()),
    )
    health = None
    if health_address is not None:
        from prometheus_client import CollectorRegistry

        from ops.health import Finding, HealthServer, RedisProbe
        from oracle.prometheus import OracleCollector
        from oracle.readiness import oracle_findings
        from streams.event_batch import SkippedCollector

        registry = CollectorRegistry()
        registry.register(OracleCollector(service))
        registry.register(SkippedCollector())  # events the books could not use
        book.view.metrics.also_register(registry)
        wall = clock
        probe = RedisProbe(url)

        def check() -> tuple[bool, dict[str, object]]:
            return service.health(wall.now_ms())

        def readiness() -> list[Finding]:
            return [probe.finding(), *oracle_findings(service, wall.now_ms())]

        health = HealthServer(check, registry, *health_address, readiness=readiness, service="oracle").start()
        log.info("/healthz, /readyz and /metrics on port %d", health.port)
    reporter = asyncio.create_task(_report(service, stop))
    try:

        async def after_step(now_ms: int) -> None:
            await write_status(client, keys, service, now_ms)

        await service.run(clock, stop, after_step)
    finally:
        reporter.cancel()
        if health is not None:
            health.stop()
            probe.close()
        for source in sources:
            await source.aclose()
        await client.aclose()
    return service


async def _report(service: OracleService, stop: asyncio.Event, every_s: float = 60.0) -> None:
    """A line a minute: what was published and what was refused, for an operator's eye."""
    while not stop.is_set():
        await asyncio.sleep(every_s)
        metrics = service.metrics
        log.info(
            "published %d, quotes refused %d, fetches failed %d",
            metrics.total("published"),
            metrics.total("quote_rejected"),
            metrics.total("fetch_failed"),
        )
