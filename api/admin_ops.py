"""What an operator can do, in one place for the admin endpoints and `perpx admin`.

Market listing, status and money go to the engine as commands; prices and scheduled corporate
actions go to the oracle's admin stream (the oracle posts the price as a source and emits the
split or dividend command when it falls due, on the engine's clock).
"""

from decimal import Decimal

import msgspec
import redis.asyncio as aioredis

from api.decimals import MICRO, format_micro, parse_decimal, to_units
from api.errors import ApiError
from api.gateway import Gateway, new_command_id, now_ms
from api.key_store import KeyStore
from api.keys import permissions_for
from matching.markets import ListingError, spec_from_entry
from messages.commands import Command, Deposit, ListMarket, SetMarketStatus, Withdraw
from messages.enums import MarketStatus
from messages.events import BalanceChanged, Event, MarketListed, MarketStatusChanged
from oracle.admin import AdminOp, PostPrice, ScheduleCashDividend, ScheduleSplit, send_admin
from oracle.corporate_actions import CorporateActionError, action_from_entry
from streams.keys import ShardKeys


def deposit(account_id: int, usdc: str) -> Deposit:
    return Deposit(new_command_id(), now_ms(), account_id, amount_micro(usdc))


def withdraw(account_id: int, usdc: str) -> Withdraw:
    return Withdraw(new_command_id(), now_ms(), account_id, amount_micro(usdc))


def amount_micro(usdc: str) -> int:
    micro = to_units("amount", usdc, MICRO)
    if micro <= 0:
        raise ApiError(-4003, "Amount less than or equal to zero.")
    return micro


async def create_api_key(store: KeyStore, account_id: int | None, read_only: bool) -> dict[str, object]:
    """A trading (or read-only) key, never an admin one: an admin key is made on the exchange's
    machine (`perpx keys create --admin`), so a leaked admin key cannot mint more of its kind."""
    if account_id is not None and account_id <= 0:
        raise ApiError(-1130, "Data sent for parameter 'account' is not valid: a positive account id.")
    api_key = await store.create(account_id, permissions_for(read_only))
    return {
        "account": api_key.account_id,
        "apiKey": api_key.key,
        "secretKey": api_key.secret,
        "permissions": sorted(api_key.permissions),
    }


async def revoke_api_key(store: KeyStore, key: str) -> dict[str, object]:
    if not await store.revoke(key):
        raise ApiError(-2014, "API-key format invalid or no such key.")
    return {"apiKey": key, "revoked": True}


def set_status(symbol: str, status: str) -> SetMarketStatus:
    try:
        market_status = MarketStatus(status)
    except ValueError as exc:
        raise ApiError(-1130, "Data sent for parameter 'status' is not valid.") from exc
    return SetMarketStatus(new_command_id(), now_ms(), symbol, market_status)


def list_market(spec_json: str) -> ListMarket:
    """A market from one markets.toml entry given as JSON (same keys, same human units)."""
    try:
        entry = msgspec.json.decode(spec_json)
        if not isinstance(entry, dict):
            raise ListingError("the spec must be a JSON object")
        spec = spec_from_entry(entry)
    except (msgspec.DecodeError, ListingError) as exc:
        raise ApiError(-1130, f"Data sent for parameter 'spec' is not valid: {exc}") from exc
    return ListMarket(new_command_id(), now_ms(), spec)


def post_price(underlying: str, price: str) -> PostPrice:
    parse_decimal("price", price)
    if Decimal(price) <= 0:
        raise ApiError(-4001, "Price less than or equal to 0.")
    return PostPrice(underlying, price, now_ms())


def schedule_split(action_id: str, symbol: str, effective: str, ratio: str) -> ScheduleSplit:
    entry = {"id": action_id, "market": symbol, "effective": effective, "ratio": ratio}
    checked("split", entry)
    return ScheduleSplit(action_id, symbol, effective, ratio)


def schedule_dividend(action_id: str, symbol: str, effective: str, amount: str) -> ScheduleCashDividend:
    entry = {"id": action_id, "market": symbol, "effective": effective, "amount": amount}
    checked("cash_dividend", entry)
    return ScheduleCashDividend(action_id, symbol, effective, amount)


def checked(kind: str, entry: dict[str, str]) -> None:
    """Refuse at the edge what the oracle would refuse later, out of the caller's sight."""
    try:
        action = action_from_entry(kind, entry)
    except (CorporateActionError, KeyError, ValueError) as exc:
        raise ApiError(-1130, f"Invalid corporate action: {exc}") from exc
    problem = action.problem()
    if problem is not None:
        raise ApiError(-1130, f"Invalid corporate action: {problem}")


async def run_command(gateway: Gateway, command: Command) -> dict[str, object]:
    """Submit; the outcome as JSON (a rejection raises the Binance error)."""
    return outcome(await gateway.submit(command))


async def run_oracle_op(client: aioredis.Redis, keys: ShardKeys, op: AdminOp) -> dict[str, object]:
    return {"sent": type(op).__name__, "entryId": await send_admin(client, keys, op)}


def outcome(events: list[Event]) -> dict[str, object]:
    for event in events:
        if isinstance(event, BalanceChanged):
            return {
                "account": event.account_id,
                "amount": format_micro(event.amount_micro),
                "balance": format_micro(event.balance_micro),
            }
        if isinstance(event, MarketStatusChanged):
            return {"symbol": event.market, "status": event.status.value}
        if isinstance(event, MarketListed):
            return {"symbol": event.spec.symbol, "status": event.status.value}
    return {"events": len(events)}
