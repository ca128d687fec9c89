"""listenKey for user data streams: POST, PUT (keep alive), DELETE, with the API key alone.

One key per account, as Binance's futures: POST returns the account's valid key (extended) or a new
one. Keys live in Redis for 60 minutes after the last POST or PUT, shared by every api replica and
read by the WebSocket side to route an account's events.
"""

import secrets
from typing import Annotated, cast

import redis.asyncio as aioredis
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from api.auth import verify_key_only
from api.errors import ApiError, key_refused
from api.keys import READ, ApiKey
from api.openapi import documented
from api.params import read_params

router = APIRouter(prefix="/fapi/v1", tags=["user data stream"])
KeyHolder = Annotated[ApiKey, Depends(verify_key_only)]
LISTEN_KEY_PREFIX = "perpx:api:listen_key:"  # <listen key> -> account id
ACCOUNT_LISTEN_KEY_PREFIX = "perpx:api:listen_key_of:"  # <account id> -> its listen key


def listen_key_name(listen_key: str) -> str:
    return LISTEN_KEY_PREFIX + listen_key


async def account_of_listen_key(client: aioredis.Redis, listen_key: str) -> int | None:
    """The account whose stream `listen_key` opens, if it is still valid (for the WebSocket side)."""
    account = await client.get(listen_key_name(listen_key))
    return int(account) if account is not None else None


def unknown_listen_key() -> ApiError:
    return ApiError(-1125, "This listenKey does not exist.")


async def current_key(client: aioredis.Redis, account_id: int) -> str | None:
    found = cast(bytes | None, await client.get(ACCOUNT_LISTEN_KEY_PREFIX + str(account_id)))
    if found is None:
        return None
    key = found.decode()
    return key if await client.exists(listen_key_name(key)) else None


async def extend(client: aioredis.Redis, account_id: int, listen_key: str, ttl_s: int) -> None:
    pipe = client.pipeline(transaction=True)
    pipe.set(listen_key_name(listen_key), str(account_id), ex=ttl_s)
    pipe.set(ACCOUNT_LISTEN_KEY_PREFIX + str(account_id), listen_key, ex=ttl_s)
    await pipe.execute()


async def named_key(request: Request, api_key: ApiKey) -> str:
    """The listenKey a PUT or DELETE names (or the account's own), checked to be the account's."""
    client = request.app.state.redis
    values = (await read_params(request)).values
    listen_key = values.get("listenKey") or await current_key(client, api_key.account_id)
    if not listen_key or await account_of_listen_key(client, listen_key) != api_key.account_id:
        raise unknown_listen_key()
    return listen_key


def require_read(api_key: ApiKey) -> None:
    if not api_key.can(READ):
        raise key_refused()


@router.post(
    "/listenKey", summary="Start a user data stream (USER_STREAM)", openapi_extra=documented(None, False, True)
)
async def post_listen_key(request: Request, api_key: KeyHolder) -> JSONResponse:
    require_read(api_key)
    client = request.app.state.redis
    listen_key = await current_key(client, api_key.account_id) or secrets.token_urlsafe(48)
    await extend(client, api_key.account_id, listen_key, request.app.state.settings.listen_key_ttl_s)
    return JSONResponse({"listenKey": listen_key})


@router.put(
    "/listenKey", summary="Keep a user data stream alive (USER_STREAM)", openapi_extra=documented(None, False, True)
)
async def put_listen_key(request: Request, api_key: KeyHolder) -> JSONResponse:
    require_read(api_key)
    listen_key = await named_key(request, api_key)
    await extend(request.app.state.redis, api_key.account_id, listen_key, request.app.state.settings.listen_key_ttl_s)
    return JSONResponse({"listenKey": listen_key})


@router.delete(
    "/listenKey", summary="Close a user data stream (USER_STREAM)", openapi_extra=documented(None, False, True)
)
async def delete_listen_key(request: Request, api_key: KeyHolder) -> JSONResponse:
    require_read(api_key)
    listen_key = await named_key(request, api_key)
    client = request.app.state.redis
    await client.delete(listen_key_name(listen_key), ACCOUNT_LISTEN_KEY_PREFIX + str(api_key.account_id))
    return JSONResponse({})
