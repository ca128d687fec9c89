"""`perpx up`: the whole exchange with one command.

Redis is REDIS_URL when set, else an embedded redis-server under --data-dir. Each service runs as
its own `perpx <service>` process under the supervisor. Adding a service is one line in SERVICES.
Every port can be chosen; a default port that is taken (another exchange on this machine, a test)
is replaced by a free one, and `perpx up` prints where each service answers.
"""

import argparse
import logging
import os
import signal
import socket
import threading
import time
from pathlib import Path
from types import FrameType

from api.server_key import ENV as SERVER_KEY_ENV
from api.server_key import load_server_key
from ops.health import DEFAULT_HEALTH_PORTS, default_health_port, health_port_env
from ops.logs import setup_logging
from perpx.exchange import write_url_file
from perpx.supervisor import ServiceSpec, Supervisor
from streams.connection import DEFAULT_DATA_DIR, redis_url_from_env, redis_url_or_embedded
from streams.embedded import APPENDFSYNC_CHOICES

log = logging.getLogger("perpx.up")

SERVICES = [
    ServiceSpec("engine", ("engine",)),
    ServiceSpec("oracle", ("oracle",)),
    ServiceSpec("funding", ("funding",)),
    ServiceSpec("indexer", ("indexer",)),
]
DEFAULT_API_PORT = 8000
PID_DIR = "pids"  # under --data-dir: <service>.pid of each running service
DEMO_FUNDING_SAMPLE_MS = 1000  # the demo's premium samples: the predicted funding rate moves every second

DESCRIPTION = """\
Run the whole exchange: Redis (embedded under --data-dir unless REDIS_URL is set), then the engine,
the oracle and funding, each its own process with its output prefixed by its name. A service that
dies is restarted; Ctrl-C stops them in reverse order, then Redis.

Each service answers /healthz (alive), /readyz (ready, or why not) and /metrics on its health port.
A default port that is taken is replaced by a free one; the ports in use are printed at start."""

DEMO_DESCRIPTION = """\
Run the whole exchange (as perpx up) and, once the API answers, bots that trade on it through the
public API only: a market maker on every market (a two-sided ladder around the mark, half of them
over REST and half over the WebSocket API), two takers and a leveraged trader. Books, trades,
candles and funding move within seconds, on a weekday or a Sunday (off-hours the internal index
follows the book the makers move). The bots' accounts are demo accounts of their own; Ctrl-C
cancels their orders, then stops the exchange. Without --demo (plain perpx up) nothing trades but people."""

EXAMPLES = """\
examples:
  perpx up                                   the simulator prices every market, in US market hours
  perpx demo                                 the same, with bots quoting and trading on every market
  perpx up --always-open                     a demo on a weekend: simulated prices count 24/7
  perpx up --oracle-config oracle.toml       real sources (Pyth, HTTP JSON, CSV replay): see oracle/config.py
  perpx up --funding-sample-interval-ms 1000 --oracle-cadence-ms 500"""


def add_up_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = commands.add_parser(
        "up",
        help="run the whole exchange: Redis (embedded unless REDIS_URL) and services",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_up_options(parser)
    parser.add_argument(
        "--demo", action="store_true", help="also run bots that make markets and trade on every market (perpx demo)"
    )
    parser.set_defaults(run=run_up)
    demo = commands.add_parser(
        "demo",
        help="perpx up --demo: the exchange with market makers and takers trading on every market",
        description=DEMO_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_up_options(demo)
    demo.set_defaults(run=run_up, demo=True)


def add_up_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="where embedded Redis and the history keep their data"
    )
    parser.add_argument("--appendfsync", choices=APPENDFSYNC_CHOICES, default="everysec", help="embedded Redis AOF")

    ports = parser.add_argument_group("ports")
    ports.add_argument("--redis-port", type=int, help="embedded Redis's port (default: a free one)")
    ports.add_argument("--health-host", default="127.0.0.1", help="address the health ports listen on")
    for service, port in DEFAULT_HEALTH_PORTS.items():
        ports.add_argument(
            f"--{service}-port",
            type=int,
            metavar="PORT",
            help=f"{service}'s /healthz, /readyz and /metrics (default {health_port_env(service)} or {port}; "
            "a free one if that is taken)",
        )

    oracle = parser.add_argument_group("oracle")
    oracle.add_argument(
        "--oracle-config", type=Path, metavar="TOML", help="sources, weights, cadence (default: the simulator)"
    )
    oracle.add_argument("--corporate-actions", type=Path, metavar="TOML", help="scheduled splits and dividends")
    oracle.add_argument(
        "--always-open",
        action="store_true",
        help="demo: the simulator trades and its prices count 24/7, weekends included (otherwise prices move "
        "only in US market sessions, and off-hours the index follows the book)",
    )
    oracle.add_argument(
        "--oracle-open-in",
        type=float,
        metavar="S",
        help="load tests: shift the oracle's clock so that the next US regular open (09:30 ET) comes S seconds "
        "after start (prices and sessions follow the shifted clock; the engine's clock does not move)",
    )
    oracle.add_argument("--oracle-cadence-ms", type=int, metavar="MS", help="publish every market at least this often")

    funding = parser.add_argument_group("funding")
    funding.add_argument(
        "--funding-sample-interval-ms", type=int, metavar="MS", help="how often the premium is sampled (default 5000)"
    )

    api = parser.add_argument_group("api")
    api.add_argument(
        "--api-port",
        type=int,
        help=f"the REST API's port on 127.0.0.1 (default {DEFAULT_API_PORT}; a free one if taken)",
    )
    api.add_argument("--api-workers", type=int, default=1, help="uvicorn workers of the REST API")
    api.add_argument("--no-demo", action="store_true", help="no demo keys even in the local default setup")


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the health servers bind
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def choose_port(host: str, name: str, chosen: int | None, default: int) -> int:
    """The port asked for (it must be free), else the default if free, else any free one."""
    if chosen is not None and chosen != 0:
        if not port_is_free(host, chosen):
            raise SystemExit(f"perpx up: port {chosen} for {name} is taken")
        return chosen
    if chosen is None and default != 0 and port_is_free(host, default):
        return default
    port = free_port(host)
    if chosen is None and default != 0:
        log.info("port %d is taken: %s uses %d", default, name, port)
    return port


def service_argv(spec: ServiceSpec, args: argparse.Namespace, health_port: int | None) -> tuple[str, ...]:
    """The spec's arguments and what `perpx up` passes through to that service."""
    argv = list(spec.argv)
    if health_port is not None:
        argv += ["--health-host", args.health_host, "--health-port", str(health_port)]
    if spec.name == "oracle":
        for flag, value in (
            ("--config", args.oracle_config),
            ("--corporate-actions", args.corporate_actions),
            ("--cadence-ms", args.oracle_cadence_ms),
        ):
            if value is not None:
                argv += [flag, str(Path(value).resolve()) if isinstance(value, Path) else str(value)]
        if args.always_open:
            argv.append("--always-open")
        if args.oracle_open_in is not None:
            argv += ["--clock-offset-ms", str(args.oracle_clock_offset_ms)]
    if spec.name == "funding" and args.funding_sample_interval_ms is not None:
        argv += ["--sample-interval-ms", str(args.funding_sample_interval_ms)]
    if spec.name == "funding" and args.demo:  # the premium counts from the first sample of a fresh start
        argv += ["--min-coverage-ppm", "0"]
    return tuple(argv)


def run_up(args: argparse.Namespace) -> int:
    setup_logging()
    supervisor: Supervisor | None = None

    def request_stop(signum: int, frame: FrameType | None) -> None:
        if supervisor is not None:
            supervisor.stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    if args.oracle_open_in is not None:  # once, here: a restarted oracle keeps the same clock
        args.oracle_clock_offset_ms = offset_to_open_ms(args.oracle_open_in)
    if args.demo and args.funding_sample_interval_ms is None:
        args.funding_sample_interval_ms = DEMO_FUNDING_SAMPLE_MS
    specs = []
    for spec in SERVICES:
        port = None
        if spec.name in DEFAULT_HEALTH_PORTS:
            chosen = getattr(args, f"{spec.name}_port")
            port = choose_port(args.health_host, spec.name, chosen, default_health_port(spec.name))
            log.info("%s: http://%s:%d/readyz (and /healthz, /metrics)", spec.name, args.health_host, port)
        specs.append(ServiceSpec(spec.name, service_argv(spec, args, port)))
    api_port = choose_port("127.0.0.1", "api", args.api_port, DEFAULT_API_PORT)
    api_argv: tuple[str, ...] = ("api", "--port", str(api_port), "--workers", str(args.api_workers))
    if is_local_demo(args):  # the trading page may pick the demo accounts (api/routes/demo.py)
        api_argv += ("--demo",)
    specs.append(ServiceSpec("api", api_argv))
    env: dict[str, str] = {}
    if args.demo:  # last, so that it stops first: the bots cancel their orders while the exchange runs
        specs.append(ServiceSpec("bots", ("demo-bots", "--api-url", f"http://127.0.0.1:{api_port}")))
        if "PERPX_API_LIMITS" not in os.environ:
            from perpx.demo import DEMO_LIMITS

            env["PERPX_API_LIMITS"] = DEMO_LIMITS  # every bot is 127.0.0.1 to the per-IP budget
    if args.redis_port is not None and not port_is_free("127.0.0.1", args.redis_port):
        raise SystemExit(f"perpx up: port {args.redis_port} for redis is taken")
    with redis_url_or_embedded(args.data_dir, args.appendfsync, args.redis_port) as (url, server):
        log.info("redis at %s%s", url, f" (embedded, data in {server.data_dir})" if server else "")

        def keep_redis_up() -> None:
            if server is not None and server.maybe_restart():
                log.warning("embedded redis had died; restarted it from its AOF")

        server_key = load_server_key(args.data_dir)
        if server is not None:
            write_url_file(args.data_dir, url)  # so that `perpx keys` and `perpx admin` find this Redis
        supervisor = Supervisor(
            specs,
            {
                **env,
                "REDIS_URL": url,
                SERVER_KEY_ENV: server_key.decode(),
                "PERPX_DATA_DIR": str(args.data_dir.resolve()),
            },
            pid_dir=args.data_dir / PID_DIR,
        )
        try:
            supervisor.start()
            log.info("perpx is up: %s. Ctrl-C stops it.", ", ".join(s.name for s in specs))
            log.info("REST API (Binance USD-M compatible) at http://127.0.0.1:%d, docs at /docs", api_port)
            log.info("trading page at http://127.0.0.1:%d/", api_port)
            if is_local_demo(args):
                start_demo(url, server_key, api_port)
            supervisor.watch(on_tick=keep_redis_up)
        finally:
            log.info("stopping")
            supervisor.stop()
    log.info("stopped")
    return 0


def is_local_demo(args: argparse.Namespace) -> bool:
    """The local default setup (an embedded Redis) without --no-demo: demo keys are made and served."""
    return redis_url_from_env() is None and not args.no_demo


def offset_to_open_ms(open_in_s: float) -> int:
    """How far to shift the oracle's clock for the next regular open to come `open_in_s` from now."""
    from messages.enums import MarketSession
    from oracle.sessions import calendar_around
    from streams.snapshots import wall_clock_ms

    now_ms = wall_clock_ms()
    open_ms = calendar_around(now_ms).next_start_ms(now_ms, MarketSession.REGULAR)
    log.info(
        "the oracle's clock is shifted: the open of %s comes in %.0f s",
        time.strftime("%Y-%m-%d", time.gmtime(open_ms / 1000)),
        open_in_s,
    )
    return open_ms - now_ms - round(open_in_s * 1000)


def wait_for_api(api_port: int, timeout_s: float = 60.0) -> bool:
    """True once the api answers /fapi/v1/ping (it binds its port after its read side caught up)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{api_port}/fapi/v1/ping", timeout=1) as answer:
                if answer.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    log.warning("the api did not answer within %.0f s", timeout_s)
    return False


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
        wait_for_api(api_port)  # the keys are printed for use: once the api answers (its views caught up)
        print_demo_keys(keys, f"http://127.0.0.1:{api_port}")

    threading.Thread(target=run, name="demo-keys", daemon=True).start()
