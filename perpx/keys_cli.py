"""`perpx keys create [--account N] [--read-only] [--admin] [--json]`: a new API key, printed once."""

import argparse
import json
from pathlib import Path

from api.key_store import create_key
from api.keys import permissions_for
from api.server_key import load_server_key
from streams.connection import DEFAULT_DATA_DIR, connect


def add_keys_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = commands.add_parser("keys", help="API keys")
    actions = parser.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a key bound to one account; prints key and secret once")
    create.add_argument("--account", type=int, help="the account (a new one when omitted)")
    create.add_argument("--read-only", action="store_true", help="read permission only, no trading")
    create.add_argument("--admin", action="store_true", help="an admin key for /perpx/v1/admin (no account)")
    create.add_argument("--json", action="store_true", help="print one JSON object: account, key, secret")
    create.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    create.set_defaults(run=run_create)


def run_create(args: argparse.Namespace) -> int:
    from perpx.exchange import exchange_redis

    if args.account is not None and args.account <= 0:
        raise SystemExit("--account must be a positive account id")
    with exchange_redis(args.data_dir) as (url, _):
        client = connect(url)
        try:
            account = 0 if args.admin else args.account
            api_key = create_key(
                client, load_server_key(args.data_dir), account, permissions_for(args.read_only, args.admin)
            )
        finally:
            client.close()
    if args.json:
        print(json.dumps({"account": api_key.account_id, "key": api_key.key, "secret": api_key.secret}))
    else:
        print(f"account {api_key.account_id} ({', '.join(sorted(api_key.permissions))})")
        print(f"key     {api_key.key}")
        print(f"secret  {api_key.secret}")
        print("the secret is shown only now: keep it")
    return 0
