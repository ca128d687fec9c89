"""Market stream payloads in Binance's USD-M shapes, built from events and the views.

Every builder returns the `data` of one message as a dict; the fan-out encodes it once. Prices
and sizes are decimal strings in the market's current (split-adjusted) units; `E` is the send
time, `T` the engine time of the last event behind the message.
"""

from decimal import Decimal
from fractions import Fraction
from typing import Any

from api.decimals import format_ratio
from api.markets import Market
from messages.enums import Side
from messages.events import PositionLiquidated, PriceApplied, Trade
from views.candles import INTERVALS_MS, Candle, CandleKind
from views.exchange import ExchangeView
from views.ticker import Stats24h

PPB = 1_000_000_000
Json = dict[str, Any]


def market_of(view: ExchangeView, symbol: str) -> Market:
    listed = view.markets.must_get(symbol)
    return Market(listed.spec, listed.status)


def rate_text(rate_ppb: int | None) -> str:
    return str((Decimal(rate_ppb or 0) / PPB).quantize(Decimal("0.00000001")))


def trade_message(market: Market, trade: Trade, now_ms: int) -> Json:
    return {
        "e": "trade",
        "E": now_ms,
        "T": trade.ts_ms,
        "s": market.symbol,
        "t": trade.trade_id,
        "p": market.price(trade.price_ticks),
        "q": market.size(trade.size_lots),
        "X": "MARKET",
        "m": trade.taker_side is Side.SELL,
    }


def agg_trade_messages(market: Market, trades: list[Trade], now_ms: int) -> list[Json]:
    """One message per aggregate: consecutive fills of one taker at one price (REST aggTrades' rule)."""
    groups: list[list[Trade]] = []
    for trade in trades:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and trade.trade_id == last.trade_id + 1
            and trade.price_ticks == last.price_ticks
            and trade.taker_order_id == last.taker_order_id
            and trade.ts_ms == last.ts_ms
        ):
            groups[-1].append(trade)
        else:
            groups.append([trade])
    return [
        {
            "e": "aggTrade",
            "E": now_ms,
            "a": group[0].trade_id,
            "s": market.symbol,
            "p": market.price(group[0].price_ticks),
            "q": market.size(sum(t.size_lots for t in group)),
            "f": group[0].trade_id,
            "l": group[-1].trade_id,
            "T": group[0].ts_ms,
            "m": group[0].taker_side is Side.SELL,
        }
        for group in groups
    ]


def depth_message(
    market: Market,
    first_id: int,
    last_id: int,
    previous_id: int,
    bids: list[tuple[int, int]],
    asks: list[tuple[int, int]],
    ts_ms: int,
    now_ms: int,
) -> Json:
    """A diff (changed levels, size 0 for a level gone) or a partial book (the top levels)."""
    return {
        "e": "depthUpdate",
        "E": now_ms,
        "T": ts_ms,
        "s": market.symbol,
        "U": first_id,
        "u": last_id,
        "pu": previous_id,
        "b": [[market.price(p), market.size(q)] for p, q in bids],
        "a": [[market.price(p), market.size(q)] for p, q in asks],
    }


def book_ticker_message(
    market: Market, update_id: int, bid: tuple[int, int], ask: tuple[int, int], ts_ms: int, now_ms: int
) -> Json:
    return {
        "e": "bookTicker",
        "u": update_id,
        "E": now_ms,
        "T": ts_ms,
        "s": market.symbol,
        "b": market.price(bid[0]),
        "B": market.size(bid[1]),
        "a": market.price(ask[0]),
        "A": market.size(ask[1]),
    }


def mark_price_message(view: ExchangeView, market: Market, now_ms: int) -> Json:
    funding = view.prices.funding(market.symbol, now_ms)
    rate = funding.predicted_rate_ppb if funding.predicted_rate_ppb is not None else funding.last_rate_ppb
    return {
        "e": "markPriceUpdate",
        "E": now_ms,
        "s": market.symbol,
        "p": market.price(funding.mark_price_ticks),
        "i": market.price(funding.index_price_ticks),
        "P": market.price(funding.mark_price_ticks),
        "r": rate_text(rate),
        "T": funding.next_funding_time_ms,
    }


def session_message(market: Market, event: PriceApplied, now_ms: int) -> Json:
    """perpx's `<symbol>@session`: the oracle's session, whose index is in force, and the bounds."""
    return {
        "e": "sessionUpdate",
        "E": now_ms,
        "T": event.ts_ms,
        "s": market.symbol,
        "session": event.session.value,
        "indexSource": event.index_source.value,
        "i": market.price(event.index_price_ticks),
        "p": market.price(event.mark_price_ticks),
        "bandLow": market.price(event.band_low_ticks),
        "bandHigh": market.price(event.band_high_ticks),
        "discoveryLow": market.price(event.discovery_low_ticks),
        "discoveryHigh": market.price(event.discovery_high_ticks),
    }


def _price_or_zero(market: Market, ticks: int | None) -> str:
    return market.price(ticks or 0)


def mini_ticker_message(market: Market, stats: Stats24h, now_ms: int) -> Json:
    return {
        "e": "24hrMiniTicker",
        "E": now_ms,
        "s": market.symbol,
        "c": _price_or_zero(market, stats.last_ticks),
        "o": _price_or_zero(market, stats.open_ticks),
        "h": _price_or_zero(market, stats.high_ticks),
        "l": _price_or_zero(market, stats.low_ticks),
        "v": market.size(stats.volume_lots),
        "q": market.quote(stats.quote_volume_micro),
    }


def ticker_message(market: Market, stats: Stats24h, last_size_lots: int, now_ms: int) -> Json:
    per_tick_lot = market.spec.micro_per_tick_lot
    average = stats.weighted_average_ticks(per_tick_lot)
    change = stats.price_change_ticks
    percent = Fraction(change * 100, stats.open_ticks) if stats.open_ticks else Fraction(0)
    return {
        "e": "24hrTicker",
        "E": now_ms,
        "s": market.symbol,
        "p": market.price(change),
        "P": format_ratio(percent.numerator, percent.denominator, Decimal("0.001"), 0),
        "w": format_ratio(average.numerator, average.denominator, market.tick) if average is not None else "0",
        "c": _price_or_zero(market, stats.last_ticks),
        "Q": market.size(last_size_lots),
        "o": _price_or_zero(market, stats.open_ticks),
        "h": _price_or_zero(market, stats.high_ticks),
        "l": _price_or_zero(market, stats.low_ticks),
        "v": market.size(stats.volume_lots),
        "q": market.quote(stats.quote_volume_micro),
        "O": stats.open_time_ms,
        "C": stats.close_time_ms,
        "F": stats.first_trade_id or 0,
        "L": stats.last_trade_id or 0,
        "n": stats.trade_count,
    }


def kline_message(view: ExchangeView, market: Market, interval: str, now_ms: int) -> Json | None:
    candles = view.candles.candles(market.symbol, interval, CandleKind.LAST, limit=1)
    if not candles:
        return None
    candle: Candle = candles[-1]
    interval_ms = INTERVALS_MS[interval]
    close_ms = candle.close_time_ms(interval_ms)
    return {
        "e": "kline",
        "E": now_ms,
        "s": market.symbol,
        "k": {
            "t": candle.open_time_ms,
            "T": close_ms,
            "s": market.symbol,
            "i": interval,
            "f": -1,
            "L": -1,
            "o": market.price(candle.open_ticks),
            "c": market.price(candle.close_ticks),
            "h": market.price(candle.high_ticks),
            "l": market.price(candle.low_ticks),
            "v": market.size(candle.volume_lots),
            "n": candle.trade_count,
            "x": close_ms < now_ms,
            "q": market.quote(candle.quote_volume_micro),
            "V": market.size(candle.taker_buy_volume_lots),
            "Q": market.quote(candle.taker_buy_quote_micro),
            "B": "0",
        },
    }


def force_order_message(market: Market, event: PositionLiquidated, now_ms: int) -> Json:
    """A liquidation step: the liquidated account's closing order (BUY closes a short)."""
    size = market.size(abs(event.size_lots))
    price = market.price(event.price_ticks)
    return {
        "e": "forceOrder",
        "E": now_ms,
        "o": {
            "s": market.symbol,
            "S": "BUY" if event.size_lots > 0 else "SELL",
            "o": "LIMIT",
            "f": "IOC",
            "q": size,
            "p": market.price(event.bankruptcy_price_ticks),
            "ap": price,
            "X": "FILLED",
            "l": size,
            "z": size,
            "T": event.ts_ms,
        },
    }
