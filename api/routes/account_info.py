"""Signed account reads: account, balance and positionRisk (v2 and v3), leverageBracket, commissionRate.

All figures come from the AccountsView (views/accounts.py), which computes them with margin/'s own
functions over the accounts it folds from the events: balance, equity, initial and maintenance
margin, available, liquidation price, ADL rank. A market's margin split into its position and its
open orders is margin/'s too (requirements.market_initial_micro, Tiers). USDC is the only asset.
An account never funded reads as an empty one (zero balance, no positions), as Binance answers a
fresh account.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from api.auth import Signed, signed_with
from api.decimals import format_micro
from api.keys import READ
from api.markets import Market, MarketCatalog
from api.openapi import documented
from api.params import Params, parse_model
from api.routes.account import max_notional_at
from api.routes.order_reads import caught_up
from margin.queries import AccountSummary, PositionView
from margin.requirements import market_initial_micro, valuation_price_ticks
from views.accounts import AccountsView

router = APIRouter(tags=["account reads"])
Reader = Annotated[Signed, Depends(signed_with(READ))]
PPM = Decimal("0.000001")
ASSET = "USDC"


@dataclass(frozen=True)
class MarketMargin:
    """One market's margin for an account: its position's and its open orders' parts."""

    position_initial_micro: int
    open_order_initial_micro: int
    maintenance_micro: int
    bid_notional_micro: int
    ask_notional_micro: int
    leverage: int


def market_margin(accounts: AccountsView, account_id: int, symbol: str) -> MarketMargin:
    settings = accounts.market_settings(account_id, symbol)
    market = accounts.markets.get(symbol)
    account = accounts.get_account(account_id)
    leverage = settings.leverage if settings is not None else 1
    if account is None or market is None or symbol not in account.positions:
        return MarketMargin(0, 0, 0, 0, 0, leverage)
    position = account.positions[symbol]
    tiers = accounts.risk.tiers[symbol]
    per_tick_lot = market.micro_per_tick_lot
    price = valuation_price_ticks(market)
    value = position.size_lots * price * per_tick_lot
    whole = market_initial_micro(position, tiers, leverage, value, price * per_tick_lot)
    of_position = tiers.initial_margin_micro(abs(value), leverage) if position.size_lots else 0
    return MarketMargin(
        of_position,
        max(0, whole - of_position),
        tiers.maintenance_margin_micro(abs(value)) if position.size_lots else 0,
        position.buy_notional_micro,
        position.sell_notional_micro,
        leverage,
    )


def summary_of(accounts: AccountsView, account_id: int) -> AccountSummary:
    summary = accounts.account_summary(account_id)
    return summary if summary is not None else AccountSummary(account_id, 0, 0, 0, 0, 0, 0, 0, [])


def asset_row(summary: AccountSummary, open_order_initial_micro: int, update_ms: int) -> dict[str, Any]:
    return {
        "asset": ASSET,
        "walletBalance": format_micro(summary.balance_micro),
        "unrealizedProfit": format_micro(summary.unrealized_pnl_micro),
        "marginBalance": format_micro(summary.equity_micro),
        "maintMargin": format_micro(summary.maintenance_margin_micro),
        "initialMargin": format_micro(summary.initial_margin_micro),
        "positionInitialMargin": format_micro(summary.initial_margin_micro - open_order_initial_micro),
        "openOrderInitialMargin": format_micro(open_order_initial_micro),
        "crossWalletBalance": format_micro(summary.balance_micro - isolated_total(summary)),
        "crossUnPnl": format_micro(cross_unrealized(summary)),
        "availableBalance": format_micro(summary.available_micro),
        "maxWithdrawAmount": format_micro(summary.available_micro),
        "marginAvailable": True,
        "updateTime": update_ms,
    }


def isolated_total(summary: AccountSummary) -> int:
    return sum(p.isolated_margin_micro for p in summary.positions if p.isolated)


def cross_unrealized(summary: AccountSummary) -> int:
    return sum(p.unrealized_pnl_micro for p in summary.positions if not p.isolated)


@dataclass(frozen=True)
class AccountFigures:
    summary: AccountSummary
    margins: dict[str, MarketMargin]
    open_order_initial_micro: int
    update_ms: int


def figures_of(accounts: AccountsView, catalog: MarketCatalog, account_id: int) -> AccountFigures:
    summary = summary_of(accounts, account_id)
    margins = {m.symbol: market_margin(accounts, account_id, m.symbol) for m in catalog.all()}
    open_orders = sum(m.open_order_initial_micro for m in margins.values())
    update_ms = max((o.updated_ms for o in accounts.open_orders(account_id)), default=0)
    return AccountFigures(summary, margins, min(open_orders, summary.initial_margin_micro), update_ms)


def account_totals(figures: AccountFigures) -> dict[str, Any]:
    summary = figures.summary
    return {
        "totalInitialMargin": format_micro(summary.initial_margin_micro),
        "totalMaintMargin": format_micro(summary.maintenance_margin_micro),
        "totalWalletBalance": format_micro(summary.balance_micro),
        "totalUnrealizedProfit": format_micro(summary.unrealized_pnl_micro),
        "totalMarginBalance": format_micro(summary.equity_micro),
        "totalPositionInitialMargin": format_micro(summary.initial_margin_micro - figures.open_order_initial_micro),
        "totalOpenOrderInitialMargin": format_micro(figures.open_order_initial_micro),
        "totalCrossWalletBalance": format_micro(summary.balance_micro - isolated_total(summary)),
        "totalCrossUnPnl": format_micro(cross_unrealized(summary)),
        "availableBalance": format_micro(summary.available_micro),
        "maxWithdrawAmount": format_micro(summary.available_micro),
    }


def signed_notional(market: Market, position: PositionView) -> str:
    value = position.notional_micro if position.size_lots > 0 else -position.notional_micro
    return market.quote(value)


@router.get("/fapi/v2/account", summary="Account information, every symbol (USER_DATA)", openapi_extra=documented(None))
async def get_account_v2(request: Request, signed: Reader) -> JSONResponse:
    read_side = await caught_up(request, signed.account_id)
    catalog: MarketCatalog = request.app.state.markets
    figures = figures_of(read_side.accounts, catalog, signed.account_id)
    positions_by_symbol = {p.market: p for p in figures.summary.positions}
    positions = []
    for market in catalog.all():
        margin = figures.margins[market.symbol]
        held = positions_by_symbol.get(market.symbol)
        positions.append(
            {
                "symbol": market.symbol,
                "initialMargin": format_micro(margin.position_initial_micro + margin.open_order_initial_micro),
                "maintMargin": format_micro(margin.maintenance_micro),
                "unrealizedProfit": format_micro(held.unrealized_pnl_micro if held else 0),
                "positionInitialMargin": format_micro(margin.position_initial_micro),
                "openOrderInitialMargin": format_micro(margin.open_order_initial_micro),
                "leverage": str(margin.leverage),
                "isolated": bool(held.isolated) if held else is_isolated(read_side.accounts, signed.account_id, market),
                "entryPrice": market.price(held.entry_price_ticks if held else 0),
                "breakEvenPrice": market.price(held.entry_price_ticks if held else 0),
                "maxNotional": max_notional_at(market, margin.leverage),
                "bidNotional": format_micro(margin.bid_notional_micro),
                "askNotional": format_micro(margin.ask_notional_micro),
                "positionSide": "BOTH",
                "positionAmt": market.size(held.size_lots if held else 0),
                "updateTime": figures.update_ms if held else 0,
            }
        )
    return JSONResponse(
        {
            "feeTier": 0,
            "feeBurn": False,
            "canTrade": signed.key.can("trade"),
            "canDeposit": True,
            "canWithdraw": True,
            "updateTime": 0,
            "multiAssetsMargin": False,
            "tradeGroupId": -1,
            **account_totals(figures),
            "assets": [asset_row(figures.summary, figures.open_order_initial_micro, figures.update_ms)],
            "positions": positions,
        }
    )


def is_isolated(accounts: AccountsView, account_id: int, market: Market) -> bool:
    settings = accounts.market_settings(account_id, market.symbol)
    return settings.isolated if settings is not None else False


@router.get(
    "/fapi/v3/account", summary="Account information, open positions (USER_DATA)", openapi_extra=documented(None)
)
async def get_account_v3(request: Request, signed: Reader) -> JSONResponse:
    read_side = await caught_up(request, signed.account_id)
    catalog: MarketCatalog = request.app.state.markets
    figures = figures_of(read_side.accounts, catalog, signed.account_id)
    positions = []
    for held in figures.summary.positions:
        market = catalog.get(held.market)
        if market is None:
            continue
        margin = figures.margins[held.market]
        positions.append(
            {
                "symbol": market.symbol,
                "positionSide": "BOTH",
                "positionAmt": market.size(held.size_lots),
                "unrealizedProfit": format_micro(held.unrealized_pnl_micro),
                "isolatedMargin": format_micro(held.isolated_margin_micro + held.unrealized_pnl_micro)
                if held.isolated
                else "0",
                "notional": signed_notional(market, held),
                "isolatedWallet": format_micro(held.isolated_margin_micro),
                "initialMargin": format_micro(margin.position_initial_micro),
                "maintMargin": format_micro(margin.maintenance_micro),
                "updateTime": figures.update_ms,
            }
        )
    return JSONResponse(
        {
            **account_totals(figures),
            "assets": [asset_row(figures.summary, figures.open_order_initial_micro, figures.update_ms)],
            "positions": positions,
        }
    )


async def balances(request: Request, signed: Signed) -> JSONResponse:
    read_side = await caught_up(request, signed.account_id)
    summary = summary_of(read_side.accounts, signed.account_id)
    return JSONResponse(
        [
            {
                "accountAlias": f"perpx{signed.account_id}",
                "asset": ASSET,
                "balance": format_micro(summary.balance_micro),
                "crossWalletBalance": format_micro(summary.balance_micro - isolated_total(summary)),
                "crossUnPnl": format_micro(cross_unrealized(summary)),
                "availableBalance": format_micro(summary.available_micro),
                "maxWithdrawAmount": format_micro(summary.available_micro),
                "marginAvailable": True,
                "updateTime": 0,
            }
        ]
    )


@router.get("/fapi/v2/balance", summary="Balances (USER_DATA)", openapi_extra=documented(None))
async def get_balance_v2(request: Request, signed: Reader) -> JSONResponse:
    return await balances(request, signed)


@router.get("/fapi/v3/balance", summary="Balances (USER_DATA)", openapi_extra=documented(None))
async def get_balance_v3(request: Request, signed: Reader) -> JSONResponse:
    return await balances(request, signed)


class PositionRiskParams(Params):
    symbol: str | None = None


def position_risk_row(
    market: Market, held: PositionView | None, margin: MarketMargin, isolated: bool, v3: bool, update_ms: int
) -> dict[str, Any]:
    size = held.size_lots if held else 0
    unrealized = held.unrealized_pnl_micro if held else 0
    isolated_wallet = held.isolated_margin_micro if held else 0
    row: dict[str, Any] = {
        "symbol": market.symbol,
        "positionSide": "BOTH",
        "positionAmt": market.size(size),
        "entryPrice": market.price(held.entry_price_ticks if held else 0),
        "breakEvenPrice": market.price(held.entry_price_ticks if held else 0),
        "markPrice": market.price(held.mark_price_ticks if held else 0),
        "unRealizedProfit": format_micro(unrealized),
        "liquidationPrice": market.price(held.liquidation_price_ticks if held else 0),
        "isolatedMargin": format_micro(isolated_wallet + unrealized) if isolated and held else "0",
        "notional": signed_notional(market, held) if held else "0",
        "isolatedWallet": format_micro(isolated_wallet),
        "updateTime": update_ms if held else 0,
    }
    if v3:
        row |= {
            "marginAsset": ASSET,
            "initialMargin": format_micro(margin.position_initial_micro + margin.open_order_initial_micro),
            "maintMargin": format_micro(margin.maintenance_micro),
            "positionInitialMargin": format_micro(margin.position_initial_micro),
            "openOrderInitialMargin": format_micro(margin.open_order_initial_micro),
            "adl": held.adl_rank if held else 0,
            "bidNotional": format_micro(margin.bid_notional_micro),
            "askNotional": format_micro(margin.ask_notional_micro),
        }
    else:
        row |= {
            "marginType": "isolated" if isolated else "cross",
            "isAutoAddMargin": "false",
            "leverage": str(margin.leverage),
            "maxNotionalValue": max_notional_at(market, margin.leverage),
        }
    return row


async def position_risk(request: Request, signed: Signed, v3: bool) -> JSONResponse:
    params = parse_model(PositionRiskParams, signed.params.values)
    catalog: MarketCatalog = request.app.state.markets
    markets = [catalog.must_get(params.symbol)] if params.symbol is not None else catalog.all()
    read_side = await caught_up(request, signed.account_id)
    accounts = read_side.accounts
    figures = figures_of(accounts, catalog, signed.account_id)
    held_by_symbol = {p.market: p for p in figures.summary.positions}
    rows = []
    for market in markets:
        held = held_by_symbol.get(market.symbol)
        if v3 and held is None:
            continue  # v3 lists open positions only
        isolated = held.isolated if held else is_isolated(accounts, signed.account_id, market)
        margin = figures.margins[market.symbol]
        rows.append(position_risk_row(market, held, margin, isolated, v3, figures.update_ms))
    return JSONResponse(rows)


@router.get(
    "/fapi/v2/positionRisk", summary="Positions, every symbol (USER_DATA)", openapi_extra=documented(PositionRiskParams)
)
async def get_position_risk_v2(request: Request, signed: Reader) -> JSONResponse:
    return await position_risk(request, signed, v3=False)


@router.get("/fapi/v3/positionRisk", summary="Open positions (USER_DATA)", openapi_extra=documented(PositionRiskParams))
async def get_position_risk_v3(request: Request, signed: Reader) -> JSONResponse:
    return await position_risk(request, signed, v3=True)


class SymbolParams(Params):
    symbol: str | None = None


@router.get(
    "/fapi/v1/leverageBracket",
    summary="Notional and leverage brackets (USER_DATA)",
    openapi_extra=documented(SymbolParams),
)
async def get_leverage_bracket(request: Request, signed: Reader) -> JSONResponse:
    params = parse_model(SymbolParams, signed.params.values)
    catalog: MarketCatalog = request.app.state.markets
    read_side = await caught_up(request, signed.account_id)
    markets = [catalog.must_get(params.symbol)] if params.symbol is not None else catalog.all()
    rows = []
    for market in markets:
        brackets = read_side.accounts.leverage_brackets(market.symbol) or []
        rows.append(
            {
                "symbol": market.symbol,
                "notionalCoef": 1.0,
                "brackets": [
                    {
                        "bracket": b.bracket,
                        "initialLeverage": b.max_leverage,
                        "notionalCap": int(b.notional_cap_micro // 1_000_000)
                        if b.notional_cap_micro
                        else 9223372036854775807,
                        "notionalFloor": int(b.notional_floor_micro // 1_000_000),
                        # JSON numbers, as Binance sends them (display only: margin/ is exact)
                        "maintMarginRatio": float(Decimal(b.maintenance_rate_ppm) * PPM),
                        "cum": float(Decimal(b.maintenance_amount_micro) * PPM),
                    }
                    for b in brackets
                ],
            }
        )
    if params.symbol is not None:
        return JSONResponse(rows[0])
    return JSONResponse(rows)


class CommissionParams(Params):
    symbol: str


@router.get(
    "/fapi/v1/commissionRate",
    summary="Maker and taker fee rates (USER_DATA)",
    openapi_extra=documented(CommissionParams),
)
async def get_commission_rate(request: Request, signed: Reader) -> JSONResponse:
    params = parse_model(CommissionParams, signed.params.values)
    catalog: MarketCatalog = request.app.state.markets
    market = catalog.must_get(params.symbol)
    spec = market.spec
    return JSONResponse(
        {
            "symbol": market.symbol,
            "makerCommissionRate": str(Decimal(spec.maker_fee_ppm) * PPM),
            "takerCommissionRate": str(Decimal(spec.taker_fee_ppm) * PPM),
        }
    )
