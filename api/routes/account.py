"""Signed account settings: leverage, margin type, isolated position margin (commands to margin/)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from api.auth import Signed, signed_with
from api.decimals import MICRO, format_micro, to_units
from api.errors import ApiError
from api.gateway import Gateway, new_command_id, now_ms
from api.keys import TRADE
from api.markets import Market
from api.openapi import documented
from api.params import DecimalText, Integer, Params, parse_model
from messages.commands import AdjustIsolatedMargin, SetLeverage, SetMarginMode

router = APIRouter(prefix="/fapi/v1", tags=["account"])
Trader = Annotated[Signed, Depends(signed_with(TRADE))]


class LeverageParams(Params):
    symbol: str
    leverage: Integer


class MarginTypeParams(Params):
    symbol: str
    marginType: Literal["ISOLATED", "CROSSED"]


class PositionMarginParams(Params):
    symbol: str
    amount: DecimalText
    type: Literal["1", "2"]  # 1 adds margin to the position, 2 takes it out
    positionSide: Literal["BOTH"] | None = None


def max_notional_at(market: Market, leverage: int) -> str:
    """The largest position notional at which `leverage` is still allowed: the floor of the first
    tier that caps leverage below it (the last tier has no cap)."""
    for tier in market.spec.margin_tiers:
        if tier.max_leverage < leverage:
            return format_micro(tier.notional_floor_micro).split(".")[0]
    return "9223372036854775807"


def gateway_of(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


@router.post("/leverage", summary="Change initial leverage (TRADE)", openapi_extra=documented(LeverageParams))
async def post_leverage(request: Request, signed: Trader) -> JSONResponse:
    params = parse_model(LeverageParams, signed.params.values)
    market = request.app.state.markets.must_get(params.symbol)
    if not 1 <= params.leverage <= 125:
        raise ApiError(-4028, f"Leverage {params.leverage} is not valid")
    command = SetLeverage(new_command_id(), now_ms(), signed.account_id, market.symbol, params.leverage)
    await gateway_of(request).submit(command)
    return JSONResponse(
        {
            "leverage": params.leverage,
            "maxNotionalValue": max_notional_at(market, params.leverage),
            "symbol": market.symbol,
        }
    )


@router.post("/marginType", summary="Change margin type (TRADE)", openapi_extra=documented(MarginTypeParams))
async def post_margin_type(request: Request, signed: Trader) -> JSONResponse:
    params = parse_model(MarginTypeParams, signed.params.values)
    market = request.app.state.markets.must_get(params.symbol)
    isolated = params.marginType == "ISOLATED"
    await gateway_of(request).submit(
        SetMarginMode(new_command_id(), now_ms(), signed.account_id, market.symbol, isolated)
    )
    return JSONResponse({"code": 200, "msg": "success"})


@router.post(
    "/positionMargin",
    summary="Add or take margin of an isolated position (TRADE)",
    openapi_extra=documented(PositionMarginParams),
)
async def post_position_margin(request: Request, signed: Trader) -> JSONResponse:
    params = parse_model(PositionMarginParams, signed.params.values)
    market = request.app.state.markets.must_get(params.symbol)
    amount_micro = to_units("amount", params.amount, MICRO)
    if amount_micro <= 0:
        raise ApiError(-4003, "Amount less than or equal to zero.")
    signed_micro = amount_micro if params.type == "1" else -amount_micro
    command = AdjustIsolatedMargin(new_command_id(), now_ms(), signed.account_id, market.symbol, signed_micro)
    await gateway_of(request).submit(command)
    return JSONResponse(
        {
            "amount": format_micro(amount_micro),
            "code": 200,
            "msg": "Successfully modify position margin.",
            "type": int(params.type),
        }
    )
