"""`perpx bench-ws`: WebSocket order entry (/ws-fapi/v1) end to end, open loop at target rates.

Each of N connections logs on with its own funded key (`session.logon`, or `--signed`: every order
signed with its own timestamp). IOC limit buys far below the market go out at a fixed rate, spread
over the connections, whatever the answers do (open loop): order i is due at t0 + i / rate. Its
latency is counted from that due time, not from when it left, so a client or server that stalls is
charged for every order it delayed (coordinated omission corrected). The sender is a forked process
pacing with the system clock on blocking sockets (perpx/bench/raw_ws.py), the parent only reads
answers, so the generator's own delay stays small; how late the sender was is printed too.

Prints, per rate: orders, answered, p50 / p90 / p99 / p99.9 / max in ms, achieved orders/s, errors
by code. Against a running `perpx up` (PERPX_API_LIMITS raised, as for `perpx bench-rest`).
"""

import argparse
import hashlib
import hmac
import json
import os
import selectors
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from api.keys import ApiKey
from perpx.bench.raw_ws import RawWebSocket

_decode = msgspec.json.decode


@dataclass
class RateResult:
    rate_per_s: int
    orders: int
    answered: int
    achieved_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float
    send_late_p99_ms: float  # how late the generator itself sent, p99
    errors: dict[str, int] = field(default_factory=dict)
    cpu_us_per_order: dict[str, float] = field(default_factory=dict)  # of each process watched


def sign(api_key: ApiKey, params: dict[str, Any]) -> dict[str, Any]:
    params = {**params, "apiKey": api_key.key, "timestamp": int(time.time() * 1000)}
    payload = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    return {**params, "signature": hmac.new(api_key.secret.encode(), payload.encode(), hashlib.sha256).hexdigest()}


def connect_traders(url: str, keys: list[ApiKey], signed: bool) -> list[RawWebSocket]:
    """One /ws-fapi/v1 connection per key, logged on unless every order is signed."""
    connections = []
    for api_key in keys:
        ws = RawWebSocket(url.rstrip("/") + "/ws-fapi/v1")
        if not signed:
            ws.send_texts([json.dumps({"id": "logon", "method": "session.logon", "params": sign(api_key, {})})])
            answer = json.loads(ws.receive_texts()[0])
            if answer.get("status") != 200:
                raise RuntimeError(f"session.logon refused: {answer}")
        connections.append(ws)
    return connections


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The value at `fraction` of a sorted list (nearest rank, rounding up: never optimistic)."""
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, int(-(-fraction * len(sorted_values) // 1)) - 1))
    return sorted_values[index]


def _send_paced(
    connections: list[RawWebSocket], keys: list[ApiKey], order: dict[str, Any], rate: int, count: int, t0: float
) -> list[float]:
    """The sender (in the forked child): every order at its due time; returns how late each left."""
    params = json.dumps(order)
    late: list[float] = []
    n = len(connections)
    i = 0
    while i < count:
        now = time.perf_counter()
        due = t0 + i / rate
        if due > now:
            time.sleep(due - now)
            now = time.perf_counter()
        batches: list[list[str]] = [[] for _ in range(n)]
        while i < count and t0 + i / rate <= now:
            if keys:
                signed = json.dumps(sign(keys[i % n], order))
                frame = f'{{"id":{i},"method":"order.place","params":{signed}}}'
            else:
                frame = f'{{"id":{i},"method":"order.place","params":{params}}}'
            batches[i % n].append(frame)
            late.append(now - (t0 + i / rate))
            i += 1
        for ws, frames in zip(connections, batches, strict=True):
            if frames:
                ws.send_texts(frames)
    return late


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """User + system CPU time of each process, by name (Linux's /proc/<pid>/stat)."""
    ticks_per_s = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for name, pid in pids.items():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        seconds[name] = (int(fields[11]) + int(fields[12])) / ticks_per_s  # utime, stime
    return seconds


def run_rate(
    connections: list[RawWebSocket],
    keys: list[ApiKey],
    order: dict[str, Any],
    rate: int,
    count: int,
    signed: bool,
    timeout_s: float = 30.0,
    watch: dict[str, int] | None = None,
) -> RateResult:
    cpu_before = cpu_seconds(watch or {})
    t0 = time.perf_counter() + 0.05
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the sender: pace, report lateness through the pipe, never return
        code = 1
        try:
            os.close(read_end)
            late = sorted(_send_paced(connections, keys if signed else [], order, rate, count, t0))
            os.write(write_end, json.dumps(percentile(late, 0.99)).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    last_answer = t0
    selector = selectors.DefaultSelector()
    for ws in connections:
        selector.register(ws.sock, selectors.EVENT_READ, ws)
    deadline = t0 + count / rate + timeout_s
    try:
        while len(latencies) + sum(errors.values()) < count and time.perf_counter() < deadline:
            for key, _ in selector.select(1.0):
                texts = key.data.receive_once()
                now = time.perf_counter()
                for text in texts:
                    answer = _decode(text)
                    request_id = answer.get("id")
                    if not isinstance(request_id, int):
                        continue
                    last_answer = now
                    if answer.get("status") == 200:
                        latencies.append(now - (t0 + request_id / rate))
                    else:
                        error_code = str(answer.get("error", {}).get("code", answer.get("status")))
                        errors[error_code] = errors.get(error_code, 0) + 1
    finally:
        selector.close()
        os.waitpid(pid, 0)
        with os.fdopen(read_end) as pipe:
            late_p99 = json.loads(pipe.read() or "NaN")
    latencies.sort()
    answered = len(latencies) + sum(errors.values())
    cpu_after = cpu_seconds(watch or {})
    cpu = {name: round((cpu_after[name] - cpu_before[name]) / max(1, answered) * 1e6, 1) for name in cpu_after}
    ms = [x * 1000 for x in latencies]
    return RateResult(
        rate,
        count,
        answered,
        round(answered / max(1e-9, last_answer - t0), 1),
        round(percentile(ms, 0.50), 3),
        round(percentile(ms, 0.90), 3),
        round(percentile(ms, 0.99), 3),
        round(percentile(ms, 0.999), 3),
        round(ms[-1] if ms else float("nan"), 3),
        round(late_p99 * 1000, 3),
        errors,
        cpu,
    )


def bench_ws_orders(
    url: str,
    keys: list[ApiKey],
    rates: list[int],
    duration_s: float,
    symbol: str = "NVDAUSDC",
    price: str = "1.00",
    quantity: str = "10.000",
    signed: bool = False,
    warmup: int = 500,
    watch: dict[str, int] | None = None,
) -> list[RateResult]:
    """Each rate for `duration_s` on the same connections (after `warmup` orders at 1,000/s)."""
    order = {"symbol": symbol, "side": "BUY", "type": "LIMIT", "timeInForce": "IOC", "quantity": quantity}
    order["price"] = price
    connections = connect_traders(url, keys, signed)
    try:
        if warmup:
            run_rate(connections, keys, order, 1000, warmup, signed)
        return [run_rate(connections, keys, order, rate, int(rate * duration_s), signed, watch=watch) for rate in rates]
    finally:
        for ws in connections:
            ws.close()


@dataclass
class MarketDataResult:
    subscribers: int
    trades_expected: int  # trades the orders made, each to be delivered to every subscriber
    delivered: int  # trade messages received over all subscribers
    p50_ms: float  # engine event (the trade's time T, the engine's millisecond clock) to client receipt
    p90_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float
    cut_off: int  # subscribers the api closed as slow consumers


def _read_market_data(subscribers: list[RawWebSocket], deadline: float, expected: int) -> dict[str, Any]:
    """The market data reader (a forked child): each trade message's delay from its T, until every
    subscriber got `expected` trades or the deadline passed."""
    delays: list[float] = []
    received = dict.fromkeys(range(len(subscribers)), 0)
    closed = 0
    selector = selectors.DefaultSelector()
    for index, ws in enumerate(subscribers):
        selector.register(ws.sock, selectors.EVENT_READ, (index, ws))
    while time.monotonic() < deadline and len(delays) < expected * len(subscribers) and received:
        for key, _ in selector.select(0.5):
            index, ws = key.data
            try:
                texts = ws.receive_once()
            except (ConnectionError, OSError):
                closed += 1
                selector.unregister(ws.sock)
                received.pop(index, None)
                continue
            now_ms = time.time() * 1000
            for text in texts:
                message = _decode(text)
                if message.get("e") == "trade":
                    delays.append(now_ms - message["T"])
                    received[index] += 1
    delays.sort()
    return {
        "delivered": len(delays),
        "cut_off": closed,
        **{name: round(percentile(delays, q), 3) for name, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))},
        "p999": round(percentile(delays, 0.999), 3),
        "max": round(delays[-1], 3) if delays else float("nan"),
    }


def bench_market_data(
    url: str,
    maker: ApiKey,
    takers: list[ApiKey],
    subscribers: int,
    rate: int,
    duration_s: float,
    symbol: str,
    price: str,
    quantity: str,
) -> tuple[RateResult, MarketDataResult]:
    """`subscribers` connections on `<symbol>@trade` while takers' IOC buys at `rate` fill against
    one resting sell of the maker's at `price`: every order is a trade, and every trade a message
    to every subscriber. Order entry and market data delays measured at once."""
    count = int(rate * duration_s)
    maker_ws = RawWebSocket(url.rstrip("/") + "/ws-fapi/v1")
    sell = {"symbol": symbol, "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "price": price}
    sell["quantity"] = str(float(quantity) * (count + 10 * rate))
    maker_ws.send_texts([json.dumps({"id": "rest", "method": "order.place", "params": sign(maker, sell)})])
    rested = json.loads(maker_ws.receive_texts()[0])
    if rested.get("status") != 200:
        raise RuntimeError(f"the maker's order was refused: {rested}")
    streams = [RawWebSocket(f"{url.rstrip('/')}/ws/{symbol.lower()}@trade") for _ in range(subscribers)]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(read_end)
            deadline = time.monotonic() + duration_s + 30
            os.write(write_end, json.dumps(_read_market_data(streams, deadline, count)).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    buy = {"symbol": symbol, "side": "BUY", "type": "LIMIT", "timeInForce": "IOC", "quantity": quantity, "price": price}
    connections = connect_traders(url, takers, False)
    try:
        orders = run_rate(connections, takers, buy, rate, count, False)
    finally:
        for ws in connections:
            ws.close()
    os.waitpid(pid, 0)
    with os.fdopen(read_end) as pipe:
        md = json.loads(pipe.read())
    cancel = {"symbol": symbol, "orderId": rested["result"]["orderId"]}
    maker_ws.send_texts([json.dumps({"id": "cancel", "method": "order.cancel", "params": sign(maker, cancel)})])
    maker_ws.receive_texts()
    for ws in [maker_ws, *streams]:
        ws.close()
    result = MarketDataResult(
        subscribers, count, md["delivered"], md["p50"], md["p90"], md["p99"], md["p999"], md["max"], md["cut_off"]
    )
    return orders, result


def describe_market_data(result: MarketDataResult) -> str:
    return (
        f"  market data: {result.subscribers:,} subscribers of @trade, {result.delivered:,} of "
        f"{result.trades_expected * result.subscribers:,} trade messages delivered; engine event to client "
        f"p50 {result.p50_ms:.2f} p90 {result.p90_ms:.2f} p99 {result.p99_ms:.2f} p99.9 {result.p999_ms:.2f} "
        f"max {result.max_ms:.2f} ms (the trade's time has whole milliseconds: up to 1 ms too long); "
        f"{result.cut_off} cut off as slow"
    )


def describe(result: RateResult) -> str:
    errors = ", ".join(f"{code}: {n}" for code, n in sorted(result.errors.items())) or "none"
    cpu = "".join(f"; {name} CPU {us:.0f} us/order" for name, us in result.cpu_us_per_order.items())
    return (
        f"  {result.rate_per_s:>6,}/s offered, {result.answered:,}/{result.orders:,} answered at "
        f"{result.achieved_per_s:,.0f}/s: p50 {result.p50_ms:.2f} p90 {result.p90_ms:.2f} p99 {result.p99_ms:.2f} "
        f"p99.9 {result.p999_ms:.2f} max {result.max_ms:.2f} ms (sender late p99 {result.send_late_p99_ms:.2f} ms); "
        f"errors {errors}{cpu}"
    )


def add_bench_ws_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = commands.add_parser("bench-ws", help="WebSocket order entry, open loop at target rates, vs perpx up")
    parser.add_argument("--url", default="ws://127.0.0.1:8000")
    parser.add_argument("--api-url", default="http://127.0.0.1:8000", help="REST, to fund the accounts")
    parser.add_argument("--data-dir", type=Path, default=None, help="of the running perpx up (for its keys)")
    parser.add_argument("--rates", default="1000", help="orders/s, comma-separated: each run in turn")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds at each rate")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--symbol", default="NVDAUSDC")
    parser.add_argument("--price", default="1.00", help="an IOC buy price far below the market (nothing fills)")
    parser.add_argument("--quantity", default="10.000")
    parser.add_argument("--signed", action="store_true", help="sign every order instead of session.logon")
    parser.add_argument("--api-pid", type=int, help="the api's pid: print its CPU time per order")
    parser.add_argument("--json", action="store_true", help="print one JSON list as the last line")
    parser.set_defaults(run=run_bench_ws)


def funded_keys(data_dir: Path, api_url: str, n: int) -> list[ApiKey]:
    """N fresh trading keys on new accounts, funded through the admin API."""
    import httpx

    from api.key_store import create_key
    from api.keys import permissions_for
    from api.server_key import load_server_key
    from perpx.bench.rest import signed as signed_query
    from perpx.exchange import exchange_redis
    from streams.connection import connect

    with exchange_redis(data_dir) as (url, running):
        if not running:
            raise SystemExit("no running perpx up found (REDIS_URL, or --data-dir of a running perpx up)")
        server_key = load_server_key(data_dir)
        client = connect(url)
        try:
            admin = create_key(client, server_key, 0, permissions_for(admin=True))
            keys = [create_key(client, server_key, None, permissions_for()) for _ in range(n)]
        finally:
            client.close()
    with httpx.Client(base_url=api_url, timeout=30) as http:
        for api_key in keys:
            query, headers = signed_query(admin, {"account": api_key.account_id, "amount": "10000000"})
            http.post(f"/perpx/v1/admin/deposit?{query}", headers=headers).raise_for_status()
    return keys


def run_bench_ws(args: argparse.Namespace) -> int:
    from streams.connection import DEFAULT_DATA_DIR

    data_dir = args.data_dir if args.data_dir is not None else DEFAULT_DATA_DIR
    keys = funded_keys(data_dir, args.api_url, args.connections)
    rates = [int(r) for r in args.rates.split(",")]
    results = bench_ws_orders(
        args.url,
        keys,
        rates,
        args.duration,
        args.symbol,
        args.price,
        args.quantity,
        signed=args.signed,
        watch={"api": args.api_pid} if args.api_pid else None,
    )
    mode = "each order signed" if args.signed else "session.logon"
    print(f"perpx bench-ws against {args.url}: IOC orders on {args.symbol}, {args.connections} connections, {mode}")
    for result in results:
        print(describe(result))
    if args.json:
        print(json.dumps([asdict(r) for r in results]))
    return 0
