"""/perpx/v1/admin: the operator's endpoints, signed with an admin key (see api.admin_ops)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from api import admin_ops
from api.auth import Signed, signed_with
from api.keys import ADMIN
from api.openapi import documented
from api.params import Boolean, DecimalText, Integer, Params, parse_model

router = APIRouter(prefix="/perpx/v1/admin", tags=["admin"])
Admin = Annotated[Signed, Depends(signed_with(ADMIN))]


class MoneyParams(Params):
    account: Integer
    amount: DecimalText


class NewKeyParams(Params):
    account: Integer | None = None  # a new account when omitted
    readOnly: Boolean = False


class KeyParams(Params):
    apiKey: str


class StatusParams(Params):
    symbol: str
    status: str  # ACTIVE, POST_ONLY, REDUCE_ONLY or HALTED


class ListParams(Params):
    spec: str  # one markets.toml entry as JSON


class PriceParams(Params):
    underlying: str
    price: DecimalText


class SplitParams(Params):
    id: str
    symbol: str
    effective: str  # ISO date or time, America/New_York when no offset is given
    ratio: str  # "4:1"


class DividendParams(Params):
    id: str
    symbol: str
    effective: str
    amount: DecimalText  # USDC per share


@router.post("/deposit", summary="Credit collateral to an account", openapi_extra=documented(MoneyParams))
async def deposit(request: Request, signed: Admin) -> JSONResponse:
    params = parse_model(MoneyParams, signed.params.values)
    command = admin_ops.deposit(params.account, params.amount)
    return JSONResponse(await admin_ops.run_command(request.app.state.gateway, command))


@router.post("/withdraw", summary="Take free collateral out of an account", openapi_extra=documented(MoneyParams))
async def withdraw(request: Request, signed: Admin) -> JSONResponse:
    params = parse_model(MoneyParams, signed.params.values)
    command = admin_ops.withdraw(params.account, params.amount)
    return JSONResponse(await admin_ops.run_command(request.app.state.gateway, command))


@router.post(
    "/marketStatus", summary="Halt, reduce-only, post-only or resume a market", openapi_extra=documented(StatusParams)
)
async def market_status(request: Request, signed: Admin) -> JSONResponse:
    params = parse_model(StatusParams, signed.params.values)
    command = admin_ops.set_status(params.symbol, params.status)
    return JSONResponse(await admin_ops.run_command(request.app.state.gateway, command))


@router.post("/market", summary="List a market", openapi_extra=documented(ListParams))
async def list_market(request: Request, signed: Admin) -> JSONResponse:
    params = parse_model(ListParams, signed.params.values)
    command = admin_ops.list_market(params.spec)
    return JSONResponse(await admin_ops.run_command(request.app.state.gateway, command))


@router.post("/price", summary="Push an oracle price for an underlying", openapi_extra=documented(PriceParams))
async def price(request: Request, signed: Admin) -> JSONResponse:
    params = parse_model(PriceParams, signed.params.values)
    op = admin_ops.post_price(params.underlying, params.price)
    return JSONResponse(await admin_ops.run_oracle_op(request.app.state.redis, request.app.state.shard_keys, op))


@router.post("/split", summary="Schedule a stock split", openapi_extra=documented(SplitParams))
async def split(request: Request, signed: Admin) -> JSONResponse:
    params = parse_model(SplitParams, signed.params.values)
    op = admin_ops.schedule_split(params.id, params.symbol, params.effective, params.ratio)
    return JSONResponse(await admin_ops.run_oracle_op(request.app.state.redis, request.app.state.shard_keys, op))


@router.post("/dividend", summary="Schedule a cash dividend", openapi_extra=documented(DividendParams))
async def dividend(request: Request, signed: Admin) -> JSONResponse:
    params = parse_model(DividendParams, signed.params.values)
    op = admin_ops.schedule_dividend(params.id, params.symbol, params.effective, params.amount)
    return JSONResponse(await admin_ops.run_oracle_op(request.app.state.redis, request.app.state.shard_keys, op))


@router.post(
    "/apiKey",
    summary="Create an API key bound to a new or given account (the secret is shown only in this answer)",
    openapi_extra=documented(NewKeyParams),
)
async def create_api_key(request: Request, signed: Admin) -> JSONResponse:
    params = parse_model(NewKeyParams, signed.params.values)
    return JSONResponse(await admin_ops.create_api_key(request.app.state.keys, params.account, params.readOnly))


@router.delete("/apiKey", summary="Revoke an API key", openapi_extra=documented(KeyParams))
async def revoke_api_key(request: Request, signed: Admin) -> JSONResponse:
    params = parse_model(KeyParams, signed.params.values)
    return JSONResponse(await admin_ops.revoke_api_key(request.app.state.keys, params.apiKey))
