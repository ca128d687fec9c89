"""/perpx/v1/session: what a stock perp adds to Binance's market data, in one public read.

The session of the underlying's US equity market, whether the index in force is the external one
or the internal one the book gives off-hours, the bounds in force (the market-order band around
the mark, the discovery bounds an internal index is held within) and the next corporate action.
The prices and bounds are the read side's (the last PriceApplied); the corporate actions still to
come live in the oracle until they are due, which publishes them (oracle/status.py). The
`<symbol>@session` stream carries the same fields as they change.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.decimals import format_micro
from api.markets import Market
from api.openapi import documented
from api.params import parse_model
from api.routes.market_data import Query, SymbolParams, caught_up, one_or_all, view_of
from oracle.corporate_actions import CorporateAction
from oracle.status import decode_pending_actions, pending_actions_key
from streams.keys import ShardKeys

router = APIRouter(prefix="/perpx/v1", tags=["perpx"])


def action_row(action: CorporateAction) -> dict[str, Any]:
    row: dict[str, Any] = {"id": action.action_id, "type": action.kind.upper(), "effectiveTime": action.effective_ms}
    if action.kind == "split":
        row["ratio"] = f"{action.ratio_new}:{action.ratio_old}"
    else:
        row["amountPerShare"] = format_micro(action.amount_micro_per_share)
    return row


async def pending_actions(request: Request) -> list[CorporateAction]:
    keys: ShardKeys = request.app.state.shard_keys
    raw: bytes | None = await request.app.state.redis.get(pending_actions_key(keys))
    return decode_pending_actions(raw)


@router.get(
    "/session",
    summary="Session, index source, bounds and next corporate action, of a symbol or all",
    openapi_extra=documented(SymbolParams, signed=False),
)
async def session(request: Request, raw: Query) -> JSONResponse:
    params = parse_model(SymbolParams, raw.values, ())
    await caught_up(request)
    view = view_of(request)
    actions = await pending_actions(request)

    def row(market: Market) -> dict[str, Any]:
        prices = view.prices.must_get(market.symbol)
        upcoming = next((a for a in actions if a.market == market.symbol), None)  # the list is oldest first
        return {
            "symbol": market.symbol,
            "session": prices.session.value if prices.session is not None else None,
            "indexSource": prices.index_source.value if prices.index_source is not None else None,
            "indexPrice": market.price(prices.index_price_ticks),
            "markPrice": market.price(prices.mark_price_ticks),
            "bandLow": market.price(prices.band_low_ticks) if prices.band_high_ticks else None,
            "bandHigh": market.price(prices.band_high_ticks) if prices.band_high_ticks else None,
            "discoveryLow": market.price(prices.discovery_low_ticks) if prices.discovery_low_ticks else None,
            "discoveryHigh": market.price(prices.discovery_high_ticks) if prices.discovery_high_ticks else None,
            "time": prices.price_time_ms,
            "nextCorporateAction": action_row(upcoming) if upcoming is not None else None,
        }

    return one_or_all(request, params.symbol, row)
