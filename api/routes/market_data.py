"""Public market data from the read side's live views: depth, trades, klines, tickers, prices, funding.

Binance's paths, parameters, field names and types, decimal strings. Everything is read from the
one ExchangeView the api's follower keeps current (api.read_side); the recent trades, candles and
settled funding rates are the views' windows (views/trades.py, candles.py, prices.py: what the
follower saw since it started, up to each window's size), not the full history.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from api.decimals import format_units
from api.errors import ApiError
from api.markets import Market, MarketCatalog
from api.openapi import documented
from api.params import Integer, Params, RawParams, parse_model, read_params
from api.read_side import ReadSide
from funding.rate import RateParams
from margin.ledger import INSURANCE_ACCOUNT
from streams.funding_index import get_premium_indexes_async
from streams.snapshots import wall_clock_ms
from views.accounts import AccountsView
from views.candles import INTERVALS_MS, Candle, CandleKind
from views.exchange import ExchangeView
from views.trades import AggTrade, TradeRecord

router = APIRouter(tags=["market data"])
Query = Annotated[RawParams, Depends(read_params)]
PPB = Decimal("0.000000001")
FUNDING_RATES = RateParams()  # the funding service's defaults (funding/config.py)
DEPTH_LIMITS = (5, 10, 20, 50, 100, 500, 1000)
HOUR_MS = 3_600_000
READ_YOUR_WRITES_S = 2.0
Interval = Literal["1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d"]
assert set(Interval.__args__) == set(INTERVALS_MS)  # type: ignore[attr-defined]


def read_side_of(request: Request) -> ReadSide:
    read_side: ReadSide = request.app.state.read_side
    return read_side


def view_of(request: Request) -> ExchangeView:
    return read_side_of(request).view


async def caught_up(request: Request) -> None:
    """Wait (briefly) until the views show every write made through this process."""
    await read_side_of(request).wait_for_own_writes(READ_YOUR_WRITES_S)


def market_of(request: Request, symbol: str) -> Market:
    catalog: MarketCatalog = request.app.state.markets
    return catalog.must_get(symbol)


def format_rate(rate_ppb: int) -> str:
    return format_units(rate_ppb, PPB)


def bounded(name: str, value: int | None, default: int, maximum: int) -> int:
    if value is None:
        return default
    if not 1 <= value <= maximum:
        raise ApiError(-1130, f"Data sent for parameter '{name}' is not valid.")
    return value


def one_or_all(request: Request, symbol: str | None, row: Callable[[Market], dict[str, Any]]) -> JSONResponse:
    """Binance's ticker style: an object for one symbol, a list of every market without one."""
    if symbol is not None:
        return JSONResponse(row(market_of(request, symbol)))
    catalog: MarketCatalog = request.app.state.markets
    return JSONResponse([row(market) for market in catalog.all()])


# -- depth -----------------------------------------------------------------------------------------


class DepthParams(Params):
    symbol: str
    limit: Integer | None = None


@router.get("/fapi/v1/depth", summary="Order book", openapi_extra=documented(DepthParams, signed=False))
async def depth(request: Request, raw: Query) -> JSONResponse:
    params = parse_model(DepthParams, raw.values, ())
    await caught_up(request)
    limit = 500 if params.limit is None else params.limit
    if limit not in DEPTH_LIMITS:
        raise ApiError(-1130, "Data sent for parameter 'limit' is not valid.")
    market = market_of(request, params.symbol)
    view = view_of(request)
    book = view.books.depth(market.symbol, limit)
    return JSONResponse(
        {
            "lastUpdateId": book.last_update_id,
            "E": wall_clock_ms(),
            "T": view.clock_ms,
            "bids": [[market.price(level.price_ticks), market.size(level.total_lots)] for level in book.bids],
            "asks": [[market.price(level.price_ticks), market.size(level.total_lots)] for level in book.asks],
        }
    )


# -- trades ----------------------------------------------------------------------------------------


class TradesParams(Params):
    symbol: str
    limit: Integer | None = None


class HistoricalTradesParams(Params):
    symbol: str
    limit: Integer | None = None
    fromId: Integer | None = None


class AggTradesParams(Params):
    symbol: str
    fromId: Integer | None = None
    startTime: Integer | None = None
    endTime: Integer | None = None
    limit: Integer | None = None


def trade_row(market: Market, trade: TradeRecord) -> dict[str, Any]:
    return {
        "id": trade.trade_id,
        "price": market.price(trade.price_ticks),
        "qty": market.size(trade.size_lots),
        "quoteQty": market.quote(trade.price_ticks * trade.size_lots * market.spec.micro_per_tick_lot),
        "time": trade.ts_ms,
        "isBuyerMaker": trade.buyer_is_maker,
    }


@router.get("/fapi/v1/trades", summary="Recent trades", openapi_extra=documented(TradesParams, signed=False))
async def trades(request: Request, raw: Query) -> JSONResponse:
    params = parse_model(TradesParams, raw.values, ())
    await caught_up(request)
    market = market_of(request, params.symbol)
    limit = bounded("limit", params.limit, 500, 1000)
    recent = view_of(request).trades.recent(market.symbol, limit)
    return JSONResponse([trade_row(market, trade) for trade in recent])


@router.get(
    "/fapi/v1/historicalTrades",
    summary="Older trades (from the live window of recent trades)",
    openapi_extra=documented(HistoricalTradesParams, signed=False),
)
async def historical_trades(request: Request, raw: Query) -> JSONResponse:
    params = parse_model(HistoricalTradesParams, raw.values, ())
    await caught_up(request)
    market = market_of(request, params.symbol)
    limit = bounded("limit", params.limit, 500, 1000)
    kept = view_of(request).trades.recent(market.symbol, view_of(request).trades.kept)
    if params.fromId is None:
        chosen = kept[-limit:]
    else:
        chosen = [trade for trade in kept if trade.trade_id >= params.fromId][:limit]
    return JSONResponse([trade_row(market, trade) for trade in chosen])


def agg_row(market: Market, trade: AggTrade) -> dict[str, Any]:
    return {
        "a": trade.agg_id,
        "p": market.price(trade.price_ticks),
        "q": market.size(trade.size_lots),
        "f": trade.first_trade_id,
        "l": trade.last_trade_id,
        "T": trade.ts_ms,
        "m": trade.buyer_is_maker,
    }


@router.get(
    "/fapi/v1/aggTrades",
    summary="Compressed, aggregate trades",
    openapi_extra=documented(AggTradesParams, signed=False),
)
async def agg_trades(request: Request, raw: Query) -> JSONResponse:
    params = parse_model(AggTradesParams, raw.values, ())
    await caught_up(request)
    market = market_of(request, params.symbol)
    limit = bounded("limit", params.limit, 500, 1000)
    start, end = params.startTime, params.endTime
    if start is not None and end is not None and not 0 <= end - start <= HOUR_MS:
        raise ApiError(-1127, "More than 1 hours between startTime and endTime.")
    view = view_of(request)
    groups = view.trades.agg_trades(market.symbol, view.trades.kept)
    if params.fromId is not None:
        chosen = [g for g in groups if g.agg_id >= params.fromId][:limit]
    elif start is not None or end is not None:
        low = start if start is not None else (end or 0) - HOUR_MS
        high = end if end is not None else low + HOUR_MS
        chosen = [g for g in groups if low <= g.ts_ms <= high][:limit]
    else:
        chosen = groups[-limit:]
    return JSONResponse([agg_row(market, group) for group in chosen])


# -- klines ----------------------------------------------------------------------------------------


class KlinesParams(Params):
    symbol: str
    interval: Interval
    startTime: Integer | None = None
    endTime: Integer | None = None
    limit: Integer | None = None

    enum_errors: ClassVar[dict[str, tuple[int, str]]] = {"interval": (-1120, "Invalid interval.")}


class PriceKlinesParams(Params):
    """markPriceKlines / indexPriceKlines: Binance names the market `pair` for index klines."""

    symbol: str | None = None
    pair: str | None = None
    interval: Interval
    startTime: Integer | None = None
    endTime: Integer | None = None
    limit: Integer | None = None

    enum_errors: ClassVar[dict[str, tuple[int, str]]] = {"interval": (-1120, "Invalid interval.")}


def kline_row(market: Market, interval_ms: int, candle: Candle, with_volume: bool) -> list[Any]:
    zero = "0"
    return [
        candle.open_time_ms,
        market.price(candle.open_ticks),
        market.price(candle.high_ticks),
        market.price(candle.low_ticks),
        market.price(candle.close_ticks),
        market.size(candle.volume_lots) if with_volume else zero,
        candle.close_time_ms(interval_ms),
        market.quote(candle.quote_volume_micro) if with_volume else zero,
        candle.trade_count,
        market.size(candle.taker_buy_volume_lots) if with_volume else zero,
        market.quote(candle.taker_buy_quote_micro) if with_volume else zero,
        zero,
    ]


def klines_of(
    request: Request,
    symbol: str,
    interval: str,
    kind: CandleKind,
    start: int | None,
    end: int | None,
    limit: int | None,
) -> JSONResponse:
    market = market_of(request, symbol)
    count = bounded("limit", limit, 500, 1500)
    if start is not None and end is not None and start > end:
        raise ApiError(-1023, "Start time is greater than end time.")
    candles = view_of(request).candles.candles(market.symbol, interval, kind, start, end, count)
    interval_ms = INTERVALS_MS[interval]
    with_volume = kind is CandleKind.LAST
    return JSONResponse([kline_row(market, interval_ms, candle, with_volume) for candle in candles])


@router.get("/fapi/v1/klines", summary="Candles of trades", openapi_extra=documented(KlinesParams, signed=False))
async def klines(request: Request, raw: Query) -> JSONResponse:
    p = parse_model(KlinesParams, raw.values, ())
    await caught_up(request)
    return klines_of(request, p.symbol, p.interval, CandleKind.LAST, p.startTime, p.endTime, p.limit)


@router.get("/fapi/v1/continuousKlines", include_in_schema=False)
async def continuous_klines(request: Request, raw: Query) -> JSONResponse:
    """A perpetual's continuous contract is the market itself (`pair`, `contractType=PERPETUAL`)."""
    values = dict(raw.values)
    values.pop("contractType", None)
    values["symbol"] = values.pop("pair", values.get("symbol", ""))
    p = parse_model(KlinesParams, values, ())
    return klines_of(request, p.symbol, p.interval, CandleKind.LAST, p.startTime, p.endTime, p.limit)


async def price_klines(request: Request, raw: RawParams, kind: CandleKind) -> JSONResponse:
    p = parse_model(PriceKlinesParams, raw.values, ())
    await caught_up(request)
    symbol = p.symbol or p.pair
    if symbol is None:
        raise ApiError(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.")
    return klines_of(request, symbol, p.interval, kind, p.startTime, p.endTime, p.limit)


@router.get(
    "/fapi/v1/markPriceKlines",
    summary="Candles of the mark price",
    openapi_extra=documented(PriceKlinesParams, signed=False),
)
async def mark_price_klines(request: Request, raw: Query) -> JSONResponse:
    return await price_klines(request, raw, CandleKind.MARK)


@router.get(
    "/fapi/v1/indexPriceKlines",
    summary="Candles of the index price",
    openapi_extra=documented(PriceKlinesParams, signed=False),
)
async def index_price_klines(request: Request, raw: Query) -> JSONResponse:
    return await price_klines(request, raw, CandleKind.INDEX)


# -- tickers ---------------------------------------------------------------------------------------


class SymbolParams(Params):
    symbol: str | None = None


def ticker_row(view: ExchangeView, market: Market) -> dict[str, Any]:
    stats = view.ticker.stats(market.symbol)
    last = stats.last_ticks or 0
    open_ticks = stats.open_ticks or 0
    change = stats.price_change_ticks
    percent = (
        (Decimal(change) * 100 / Decimal(open_ticks)).quantize(Decimal("0.001")) if open_ticks else Decimal("0.000")
    )
    average = stats.weighted_average_ticks(market.spec.micro_per_tick_lot)
    recent = view.trades.recent(market.symbol, 1)
    return {
        "symbol": market.symbol,
        "priceChange": market.price(change),
        "priceChangePercent": str(percent),
        "weightedAvgPrice": str(
            (Decimal(average.numerator) / average.denominator * market.tick).quantize(market.tick / 10_000)
            if average is not None
            else Decimal(0).quantize(market.tick)
        ),
        "lastPrice": market.price(last),
        "lastQty": market.size(recent[-1].size_lots if recent and stats.trade_count else 0),
        "openPrice": market.price(open_ticks),
        "highPrice": market.price(stats.high_ticks or 0),
        "lowPrice": market.price(stats.low_ticks or 0),
        "volume": market.size(stats.volume_lots),
        "quoteVolume": market.quote(stats.quote_volume_micro),
        "openTime": stats.open_time_ms + 1,
        "closeTime": stats.close_time_ms,
        "firstId": stats.first_trade_id if stats.first_trade_id is not None else -1,
        "lastId": stats.last_trade_id if stats.last_trade_id is not None else -1,
        "count": stats.trade_count,
    }


@router.get(
    "/fapi/v1/ticker/24hr", summary="24 hour rolling statistics", openapi_extra=documented(SymbolParams, signed=False)
)
async def ticker_24hr(request: Request, raw: Query) -> JSONResponse:
    params = parse_model(SymbolParams, raw.values, ())
    await caught_up(request)
    view = view_of(request)
    return one_or_all(request, params.symbol, lambda market: ticker_row(view, market))


@router.get("/fapi/v1/ticker/price", summary="Last price", openapi_extra=documented(SymbolParams, signed=False))
@router.get("/fapi/v2/ticker/price", summary="Last price", openapi_extra=documented(SymbolParams, signed=False))
async def ticker_price(request: Request, raw: Query) -> JSONResponse:
    params = parse_model(SymbolParams, raw.values, ())
    await caught_up(request)
    view = view_of(request)

    def row(market: Market) -> dict[str, Any]:
        prices = view.prices.must_get(market.symbol)
        return {"symbol": market.symbol, "price": market.price(prices.last_trade_ticks), "time": view.clock_ms}

    return one_or_all(request, params.symbol, row)


@router.get(
    "/fapi/v1/ticker/bookTicker", summary="Best bid and ask", openapi_extra=documented(SymbolParams, signed=False)
)
async def book_ticker(request: Request, raw: Query) -> JSONResponse:
    params = parse_model(SymbolParams, raw.values, ())
    await caught_up(request)
    view = view_of(request)

    def row(market: Market) -> dict[str, Any]:
        best = view.books.book_ticker(market.symbol)
        return {
            "symbol": market.symbol,
            "bidPrice": market.price(best.bid_ticks),
            "bidQty": market.size(best.bid_lots),
            "askPrice": market.price(best.ask_ticks),
            "askQty": market.size(best.ask_lots),
            "time": view.clock_ms,
            "lastUpdateId": best.last_update_id,
        }

    return one_or_all(request, params.symbol, row)


# -- prices and funding ----------------------------------------------------------------------------


async def refresh_published(request: Request) -> None:
    """The funding service's latest published rates (a Redis hash beside the stream) into the view."""
    read_side = read_side_of(request)
    published = await get_premium_indexes_async(request.app.state.redis, request.app.state.shard_keys)
    for index in published.values():
        read_side.view.prices.set_published(index)


@router.get(
    "/fapi/v1/premiumIndex", summary="Mark price and funding rate", openapi_extra=documented(SymbolParams, signed=False)
)
async def premium_index(request: Request, raw: Query) -> JSONResponse:
    params = parse_model(SymbolParams, raw.values, ())
    await caught_up(request)
    await refresh_published(request)
    view = view_of(request)
    now_ms = max(view.clock_ms, wall_clock_ms())

    def row(market: Market) -> dict[str, Any]:
        funding = view.prices.funding(market.symbol, now_ms)
        prices = view.prices.must_get(market.symbol)
        return {
            "symbol": market.symbol,
            "markPrice": market.price(funding.mark_price_ticks),
            "indexPrice": market.price(funding.index_price_ticks),
            "estimatedSettlePrice": market.price(funding.index_price_ticks),
            "lastFundingRate": format_rate(
                funding.predicted_rate_ppb if funding.predicted_rate_ppb is not None else funding.last_rate_ppb or 0
            ),
            "interestRate": format_rate(funding.interest_ppb or 0),
            "nextFundingTime": funding.next_funding_time_ms,
            "time": prices.price_time_ms or view.clock_ms,
        }

    return one_or_all(request, params.symbol, row)


class FundingRateParams(Params):
    symbol: str | None = None
    startTime: Integer | None = None
    endTime: Integer | None = None
    limit: Integer | None = None


@router.get(
    "/fapi/v1/fundingRate",
    summary="Settled funding rates (those the live view saw)",
    openapi_extra=documented(FundingRateParams, signed=False),
)
async def funding_rate(request: Request, raw: Query) -> JSONResponse:
    params = parse_model(FundingRateParams, raw.values, ())
    await caught_up(request)
    limit = bounded("limit", params.limit, 100, 1000)
    view = view_of(request)
    catalog: MarketCatalog = request.app.state.markets
    markets = [market_of(request, params.symbol)] if params.symbol is not None else catalog.all()
    rows: list[tuple[int, str, dict[str, Any]]] = []
    for market in markets:
        for settled in view.prices.funding_history(
            market.symbol, view.prices.must_get(market.symbol).settled.maxlen or 100
        ):
            if params.startTime is not None and settled.funding_time_ms < params.startTime:
                continue
            if params.endTime is not None and settled.funding_time_ms > params.endTime:
                continue
            row = {
                "symbol": market.symbol,
                "fundingRate": format_rate(settled.rate_ppb),
                "fundingTime": settled.funding_time_ms,
                "markPrice": market.price(settled.price_ticks),
            }
            rows.append((settled.funding_time_ms, market.symbol, row))
    rows.sort(key=lambda r: (r[0], r[1]))
    chosen = rows[:limit] if params.startTime is not None and params.endTime is None else rows[-limit:]
    return JSONResponse([row for _, _, row in chosen])


def funding_cap_ppb(market: Market) -> int:
    """The funding service's cap on one interval's rate (funding/rate.py), rounded toward zero."""
    return int(FUNDING_RATES.cap_ppb(market.spec.funding_interval_s * 1000))


@router.get("/fapi/v1/fundingInfo", summary="Funding interval of every market")
async def funding_info(request: Request) -> JSONResponse:
    await caught_up(request)
    catalog: MarketCatalog = request.app.state.markets
    return JSONResponse(
        [
            {
                "symbol": market.symbol,
                "adjustedFundingRateCap": format_rate(funding_cap_ppb(market)),
                "adjustedFundingRateFloor": format_rate(-funding_cap_ppb(market)),
                "fundingIntervalHours": market.spec.funding_interval_s // 3600,
                "disclaimer": False,
            }
            for market in catalog.all()
        ]
    )


class OpenInterestParams(Params):
    symbol: str


def open_interest_lots(accounts: AccountsView, symbol: str) -> int:
    """The longs' total size in the market (equal to the shorts'): every holder's, the insurance
    fund's included."""
    ledger = accounts.risk.ledger.accounts
    holders = set(accounts.risk.holders.get(symbol, ())) | {INSURANCE_ACCOUNT}
    total = 0
    for account_id in holders:
        account = ledger.get(account_id)
        position = account.positions.get(symbol) if account is not None else None
        if position is not None and position.size_lots > 0:
            total += position.size_lots
    return total


@router.get(
    "/fapi/v1/openInterest", summary="Open interest", openapi_extra=documented(OpenInterestParams, signed=False)
)
async def open_interest(request: Request, raw: Query) -> JSONResponse:
    params = parse_model(OpenInterestParams, raw.values, ())
    await caught_up(request)
    market = market_of(request, params.symbol)
    view = view_of(request)
    lots = open_interest_lots(read_side_of(request).accounts, market.symbol)
    return JSONResponse({"openInterest": market.size(lots), "symbol": market.symbol, "time": view.clock_ms})
