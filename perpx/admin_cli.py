"""`perpx admin ...`: the admin endpoints' operations from the command line (api.admin_ops)."""

import argparse
import asyncio
import json
from pathlib import Path

import redis.asyncio as aioredis

from api import admin_ops
from api.errors import ApiError
from api.gateway import Gateway
from messages.commands import Command
from oracle.admin import AdminOp
from streams.client import CommandClient
from streams.connection import DEFAULT_DATA_DIR
from streams.keys import DEFAULT_SHARD, ShardKeys


def add_admin_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = commands.add_parser("admin", help="operate the exchange: money, markets, prices, corporate actions")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--shard", default=DEFAULT_SHARD)
    ops = parser.add_subparsers(dest="op", required=True)
    for name in ("deposit", "withdraw"):
        op = ops.add_parser(name, help=f"{name} USDC collateral")
        op.add_argument("--account", type=int, required=True)
        op.add_argument("--usdc", required=True, help="a decimal amount, e.g. 100000")
    status = ops.add_parser("status", help="set a market's status")
    status.add_argument("--symbol", required=True)
    status.add_argument("--status", required=True, choices=["ACTIVE", "POST_ONLY", "REDUCE_ONLY", "HALTED"])
    listing = ops.add_parser("list-market", help="list a market (one markets.toml entry as JSON)")
    listing.add_argument("--spec", required=True)
    price = ops.add_parser("price", help="push an oracle price for an underlying")
    price.add_argument("--underlying", required=True)
    price.add_argument("--price", required=True)
    split = ops.add_parser("split", help="schedule a split")
    dividend = ops.add_parser("dividend", help="schedule a cash dividend")
    for op in (split, dividend):
        op.add_argument("--id", required=True)
        op.add_argument("--symbol", required=True)
        op.add_argument("--effective", required=True, help="ISO date or time (New York when no offset)")
    split.add_argument("--ratio", required=True, help='new:old, e.g. "4:1"')
    dividend.add_argument("--amount", required=True, help="USDC per share")
    parser.set_defaults(run=run_admin)


def run_admin(args: argparse.Namespace) -> int:
    from perpx.exchange import exchange_redis

    with exchange_redis(args.data_dir) as (url, running):
        try:
            result = asyncio.run(carry_out(args, url))
        except ApiError as error:
            print(json.dumps({"code": error.code, "msg": error.msg}))
            return 1
        except TimeoutError:
            hint = "" if running else " (no perpx up seems to be running for this --data-dir)"
            print(json.dumps({"code": -1007, "msg": "the engine did not answer" + hint}))
            return 1
    print(json.dumps(result))
    return 0


async def carry_out(args: argparse.Namespace, url: str) -> dict[str, object]:
    keys = ShardKeys(args.shard)
    client = aioredis.Redis.from_url(url)
    try:
        if args.op in ("price", "split", "dividend"):
            op: AdminOp
            if args.op == "price":
                op = admin_ops.post_price(args.underlying, args.price)
            elif args.op == "split":
                op = admin_ops.schedule_split(args.id, args.symbol, args.effective, args.ratio)
            else:
                op = admin_ops.schedule_dividend(args.id, args.symbol, args.effective, args.amount)
            return await admin_ops.run_oracle_op(client, keys, op)
        command: Command
        if args.op == "deposit":
            command = admin_ops.deposit(args.account, args.usdc)
        elif args.op == "withdraw":
            command = admin_ops.withdraw(args.account, args.usdc)
        elif args.op == "status":
            command = admin_ops.set_status(args.symbol, args.status)
        else:
            command = admin_ops.list_market(args.spec)
        async with CommandClient(client, keys, timeout_s=10.0) as commands:
            return await admin_ops.run_command(Gateway(commands), command)
    finally:
        await client.aclose()
