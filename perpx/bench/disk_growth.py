"""How fast an exchange's disk use grows: `perpx up` in a fresh data directory, idle or with order flow,
its size sampled every `--every` seconds.

    python -m perpx.bench.disk_growth --minutes 20                 # idle: only the oracle's prices
    python -m perpx.bench.disk_growth --minutes 20 --rate 200      # plus 200 order commands a second

Redis's directory (the AOF) and the history database are reported apart, with the stream lengths.
Redis's size is given as its range over the run's last half (once the streams' retention and the
AOF rewrites have set in it rises and falls within a bound); the history's growth per hour is
extrapolated from the last half and from the whole run: a short run says little about a day.
"""

import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import redis

from messages.codec import decode_command, encode
from messages.commands import CancelOrder, Deposit, PlaceOrder, PriceUpdate
from messages.enums import Side, TimeInForce
from streams.keys import ShardKeys

MARKETS = ("AAPLUSDC", "NVDAUSDC", "MSFTUSDC")
ACCOUNTS = 20


def directory_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def latest_prices(client: redis.Redis, keys: ShardKeys) -> dict[str, int]:
    """The newest index price per market, from the oracle's PriceUpdate commands."""
    prices: dict[str, int] = {}
    for _, fields in client.xrevrange(keys.commands, count=200):
        if b"c" in fields:
            command = decode_command(fields[b"c"])
            if isinstance(command, PriceUpdate) and command.market not in prices:
                prices[command.market] = command.index_price_ticks
    return prices


def order_flow(client: redis.Redis, keys: ShardKeys, rate: int, stop: threading.Event) -> None:
    """Makers resting limits around the index, takers crossing with IOCs, and cancels: `rate` a second."""
    rng = random.Random(1)
    for account in range(1, ACCOUNTS + 1):
        client.xadd(keys.commands, {"c": encode(Deposit(f"dg-dep{account}", 0, account, 10_000_000 * 1_000_000))})
    open_orders: list[tuple[int, str, str]] = []
    n = 0
    prices: dict[str, int] = {}
    while not stop.is_set():
        started = time.monotonic()
        if n % (rate * 5) == 0 or not prices:
            prices = latest_prices(client, keys) or prices
        pipe = client.pipeline(transaction=False)
        for _ in range(rate // 10):
            n += 1
            market = rng.choice([m for m in MARKETS if m in prices] or [MARKETS[0]])
            index = prices.get(market, 20_000)
            account = rng.randint(1, ACCOUNTS)
            side = rng.choice([Side.BUY, Side.SELL])
            roll = rng.random()
            if roll < 0.2 and open_orders:
                owner, where, client_id = open_orders.pop(rng.randrange(len(open_orders)))
                command = CancelOrder(f"dg{n}", 0, owner, where, client_order_id=client_id)
            elif roll < 0.45:  # a taker: an IOC across the spread
                price = index * (1005 if side is Side.BUY else 995) // 1000
                command = PlaceOrder(f"dg{n}", 0, account, market, side, rng.randint(100, 500), price,
                                     time_in_force=TimeInForce.IOC)  # fmt: skip
            else:  # a maker: a limit within 0.3% of the index, on its own side
                offset = rng.randint(1, max(1, index * 3 // 1000))
                price = index - offset if side is Side.BUY else index + offset
                client_id = f"dg{n}"
                command = PlaceOrder(f"dg{n}", 0, account, market, side, rng.randint(100, 500), price,
                                     client_order_id=client_id)  # fmt: skip
                open_orders.append((account, market, client_id))
                if len(open_orders) > 5_000:
                    open_orders.pop(0)
            pipe.xadd(keys.commands, {"c": encode(command)})
        pipe.execute()
        stop.wait(max(0.0, 0.1 - (time.monotonic() - started)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=20.0, help="how long to run")
    parser.add_argument("--rate", type=int, default=0, help="order commands a second on top of the oracle (0: idle)")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between samples")
    parser.add_argument("--data-dir", type=Path, help="where (default: a fresh temporary directory)")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="perpx-disk-"))
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    for service in ("ENGINE", "ORACLE", "FUNDING", "INDEXER"):
        env[f"PERPX_{service}_HEALTH_PORT"] = "0"
    log = open(data_dir / "up.log", "wb")  # noqa: SIM115 - open for the child's whole life
    up = subprocess.Popen(
        [sys.executable, "-m", "perpx.cli", "up", "--data-dir", str(data_dir)], env=env, stdout=log, stderr=log
    )
    stop = threading.Event()
    try:
        deadline = time.monotonic() + 60
        while not (found := re.search(rb"redis at (redis://\S+)", (data_dir / "up.log").read_bytes())):
            if time.monotonic() > deadline or up.poll() is not None:
                raise SystemExit(f"perpx up did not start; see {data_dir / 'up.log'}")
            time.sleep(0.2)
        client = redis.Redis.from_url(found.group(1).decode())
        keys = ShardKeys()
        flow = None
        if args.rate:
            time.sleep(5)  # the first prices
            flow = threading.Thread(target=order_flow, args=(client, keys, args.rate, stop), daemon=True)
            flow.start()
        print(f"perpx up in {data_dir}, {'idle' if not args.rate else f'{args.rate} order commands/s'}")
        print(f"{'min':>6} {'redis MB':>9} {'history MB':>11} {'commands':>9} {'events':>8} {'indexed':>8}")
        samples: list[tuple[float, int, int]] = []
        started = time.monotonic()
        while (elapsed := time.monotonic() - started) < args.minutes * 60 + 1:
            redis_bytes = directory_bytes(data_dir / "redis")
            history_bytes = sum(p.stat().st_size for p in data_dir.glob("history.sqlite3*"))
            samples.append((elapsed, redis_bytes, history_bytes))
            indexed = client.get(keys.indexer_position) or b"-"
            print(
                f"{elapsed / 60:6.1f} {redis_bytes / 1e6:9.2f} {history_bytes / 1e6:11.2f} "
                f"{client.xlen(keys.commands):9,} {client.xlen(keys.events):8,} {indexed.decode():>8}",
                flush=True,
            )
            time.sleep(args.every)
        stop.set()
        half = samples[len(samples) // 2 :]
        print(
            f"over the last half: redis between {min(r for _, r, _ in half) / 1e6:.1f} and "
            f"{max(r for _, r, _ in half) / 1e6:.1f} MB (the AOF grows, then is rewritten)"
        )
        for label, first in (("last half", samples[len(samples) // 2]), ("whole run", samples[0])):
            last = samples[-1]
            hours = (last[0] - first[0]) / 3600
            if hours > 0:  # Redis's endpoints say little (a rewrite may fall between): its range is above
                print(
                    f"history growth per hour ({label}, extrapolated from {hours * 60:.0f} min): "
                    f"{(last[2] - first[2]) / hours / 1e6:+.1f} MB"
                )
        client.close()
    finally:
        stop.set()
        up.send_signal(signal.SIGINT)
        try:
            up.wait(60)
        except subprocess.TimeoutExpired:
            up.kill()
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
