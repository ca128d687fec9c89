"""`perpx funding`: the funding service as its own process, against REDIS_URL, until SIGTERM or Ctrl-C.

The only wall-clock read of funding is here (`wall_clock_ms`), passed to the service as its clock.
"""

import argparse
import logging
import signal
import threading
import time
from types import FrameType

import redis
from prometheus_client import CollectorRegistry, Counter, Gauge
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from funding.config import FundingConfig
from funding.publisher import publish_premium_index
from funding.queries import FundingQueries
from funding.rate import RateParams
from funding.redis_ledger import RedisLedger
from funding.service import FundingService
from funding.stream_source import StreamBookSource
from messages.commands import FundingSettle
from ops.health import Finding, HealthServer, RedisProbe, add_health_arguments, age_finding
from ops.logs import setup_logging
from streams.connection import must_get_redis_url
from streams.event_batch import SkippedCollector
from streams.keys import DEFAULT_SHARD, ShardKeys
from views.metrics import ViewMetrics

log = logging.getLogger("perpx.funding")


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


def add_funding_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = commands.add_parser("funding", help="run the funding service against REDIS_URL")
    defaults = FundingConfig()
    parser.add_argument("--shard", default=DEFAULT_SHARD, help="shard whose streams to read and settle")
    parser.add_argument("--sample-interval-ms", type=int, default=defaults.sample_interval_ms, help="premium sampling")
    parser.add_argument(
        "--min-coverage-ppm",
        type=int,
        default=defaults.rate.min_coverage_ppm,
        help="share of an interval's samples (parts per million) below which the premium counts as 0 "
        "(default half; the demo uses 0 so that a fresh start's predicted rate moves at once)",
    )
    add_health_arguments(parser, "funding")
    parser.set_defaults(run=run_funding)


class FundingProcess:
    """The service wired to Redis: catch up on the streams, step, publish the view, count."""

    def __init__(self, url: str, keys: ShardKeys, config: FundingConfig) -> None:
        # retries are safe (the Lua guard makes a resent append a no-op); the socket timeout turns a
        # server that stopped answering into a RedisError the loop retries, never a silent hang
        self.client = redis.Redis.from_url(
            url, health_check_interval=30, socket_timeout=10, retry=Retry(ExponentialBackoff(), 3)
        )
        self.keys = keys
        self.registry = CollectorRegistry()
        self.source = StreamBookSource(self.client, keys, metrics=ViewMetrics(self.registry))
        self.service = FundingService(self.source, RedisLedger(self.client, keys), config)
        self.queries = FundingQueries(self.service)
        self.settled = Counter("funding_settlements", "FundingSettle commands appended", registry=self.registry)
        self.last_step = Gauge("funding_last_step_ms", "clock of the latest step", registry=self.registry)
        self.registry.register(SkippedCollector())  # events the books could not use
        self.last_step_ms = 0
        self.last_step_monotonic = 0.0
        self.reported: set[str] = set()  # unusable markets already logged
        self.probe = RedisProbe(url)  # /readyz's own connection, used from the health thread

    def after_step(self, now_ms: int, appended: list[FundingSettle]) -> None:
        for market, problem in self.service.unusable.items():
            if market not in self.reported:
                log.warning("%s is not funded: %s", market, problem)
                self.reported.add(market)
        for command in appended:
            log.info("settled %s at %d: rate %d ppb", command.market, command.funding_time_ms, command.rate_ppb)
            self.settled.inc()
        publish_premium_index(self.client, self.keys, self.queries, now_ms)
        self.last_step_ms = now_ms
        self.last_step_monotonic = time.monotonic()
        self.last_step.set(now_ms)

    def run(self, stop: threading.Event, redis_patience_s: float = 30.0) -> int:
        """The service's loop on the wall clock. A Redis outage pauses it, a second at a time; one
        longer than `redis_patience_s` ends the process (exit code 1), as the engine's does: its
        supervisor restarts it, and a process orphaned from its exchange does not linger."""
        failing_since: float | None = None
        while not stop.is_set():
            try:
                self.service.run(wall_clock_ms, stop.wait, stop.is_set, self.source.catch_up, self.after_step)
            except redis.RedisError:
                now = time.monotonic()
                if failing_since is None or self.last_step_monotonic > failing_since:
                    failing_since = now  # the first failure, or it worked since the last: a new outage
                if now - failing_since > redis_patience_s:
                    log.error("redis unavailable for %.0f s; exiting", now - failing_since)
                    self.client.close()
                    return 1
                log.exception("redis unavailable; retrying")
                stop.wait(1.0)
        self.client.close()
        return 0

    def health(self) -> tuple[bool, dict[str, object]]:
        behind_ms = wall_clock_ms() - self.last_step_ms
        ok = behind_ms < 5 * self.service.config.sample_interval_ms
        return ok, {"service": "funding", "shard": self.keys.shard, "ms_since_last_step": behind_ms}

    def readiness(self) -> list[Finding]:
        """Redis reachable and steps coming; a market that cannot be funded is named, and is no reason
        to be unready (funding passes it over until it has an index price)."""
        age_s = None if not self.last_step_ms else (wall_clock_ms() - self.last_step_ms) / 1000
        limit_s = 5 * self.service.config.sample_interval_ms / 1000
        findings = [self.probe.finding(), age_finding("steps", age_s, limit_s, "step")]
        unusable = dict(self.service.unusable)
        findings += [Finding(market, True, f"not funded: {problem}") for market, problem in sorted(unusable.items())]
        return findings


def run_funding(args: argparse.Namespace) -> int:
    setup_logging()
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        log.info("signal %d: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    if not 0 <= args.min_coverage_ppm <= 1_000_000:
        raise SystemExit("--min-coverage-ppm must be within 0 and 1000000")
    config = FundingConfig(
        sample_interval_ms=args.sample_interval_ms, rate=RateParams(min_coverage_ppm=args.min_coverage_ppm)
    )
    process = FundingProcess(must_get_redis_url(), ShardKeys(args.shard), config)
    health = HealthServer(
        process.health,
        process.registry,
        args.health_host,
        args.health_port,
        readiness=process.readiness,
        service="funding",
    ).start()
    log.info("funding for shard %s; /healthz, /readyz and /metrics on port %d", args.shard, health.port)
    try:
        code = process.run(stop)
    finally:
        health.stop()
        process.probe.close()
    return code
