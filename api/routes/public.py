"""Public endpoints: ping, time, exchangeInfo (from the live listing the read side keeps)."""

from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.decimals import MICRO, format_units, places
from api.limits import rate_limits
from api.markets import MAX_PRICE, Market
from messages.enums import MarketStatus, TimeInForce
from streams.snapshots import wall_clock_ms

router = APIRouter(prefix="/fapi/v1", tags=["public"])

ORDER_TYPES = ["LIMIT", "MARKET"]
TIME_IN_FORCE = [t.value for t in (TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK, TimeInForce.GTX, TimeInForce.GTD)]
MAX_NUM_ORDERS = 200
PERPETUAL_DELIVERY_MS = 4133404800000  # what Binance gives a perpetual as its delivery date
STATUS = {
    MarketStatus.ACTIVE: "TRADING",
    MarketStatus.POST_ONLY: "TRADING",
    MarketStatus.REDUCE_ONLY: "TRADING",
    MarketStatus.HALTED: "SETTLING",
}


@router.get("/ping", summary="Test connectivity")
async def ping() -> JSONResponse:
    return JSONResponse({})


@router.get("/time", summary="Server time")
async def server_time() -> JSONResponse:
    return JSONResponse({"serverTime": wall_clock_ms()})


@router.get("/exchangeInfo", summary="Markets, filters and rate limits")
async def exchange_info(request: Request) -> JSONResponse:
    """The live listing (markets listed at runtime, status changes, splits: api.markets)."""
    await request.app.state.read_side.wait_for_own_writes(2.0)
    markets: list[Market] = request.app.state.markets.all()
    return JSONResponse(
        {
            "timezone": "UTC",
            "serverTime": wall_clock_ms(),
            "futuresType": "U_MARGINED",
            "rateLimits": rate_limits(request.app.state.settings.limits),
            "exchangeFilters": [],
            "assets": [{"asset": "USDC", "marginAvailable": True, "autoAssetExchange": "0"}],
            "symbols": [symbol_info(m) for m in markets],
        }
    )


def symbol_info(market: Market) -> dict[str, object]:
    spec = market.spec
    tick, lot = market.tick, market.lot
    max_qty = market.size(spec.max_order_lots)
    initial_pct = Decimal(100) / spec.max_leverage
    return {
        "symbol": spec.symbol,
        "pair": spec.symbol,
        "contractType": "PERPETUAL",
        "deliveryDate": PERPETUAL_DELIVERY_MS,
        "status": STATUS[market.status],
        "maintMarginPercent": str((initial_pct / 2).quantize(Decimal("0.0001"))),
        "requiredMarginPercent": str(initial_pct.quantize(Decimal("0.0001"))),
        "baseAsset": spec.underlying,
        "quoteAsset": "USDC",
        "marginAsset": "USDC",
        "pricePrecision": places(tick),
        "quantityPrecision": places(lot),
        "baseAssetPrecision": 8,
        "quotePrecision": 8,
        "underlyingType": "EQUITY",
        "underlyingSubType": [],
        "settlePlan": 0,
        "triggerProtect": "0.0500",
        "liquidationFee": "0.010000",
        "marketTakeBound": str(Decimal(spec.market_order_band_ppm) / 1_000_000),
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": str(tick), "maxPrice": str(MAX_PRICE), "tickSize": str(tick)},
            {"filterType": "LOT_SIZE", "minQty": str(lot), "maxQty": max_qty, "stepSize": str(lot)},
            {"filterType": "MARKET_LOT_SIZE", "minQty": str(lot), "maxQty": max_qty, "stepSize": str(lot)},
            {"filterType": "MAX_NUM_ORDERS", "limit": MAX_NUM_ORDERS},
            {"filterType": "MIN_NOTIONAL", "notional": format_units(spec.min_notional_micro, MICRO)},
        ],
        "orderTypes": ORDER_TYPES,
        "OrderType": ORDER_TYPES,
        "timeInForce": TIME_IN_FORCE,
    }
