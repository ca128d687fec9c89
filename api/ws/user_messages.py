"""User data stream payloads: ORDER_TRADE_UPDATE, ACCOUNT_UPDATE, ACCOUNT_CONFIG_UPDATE, MARGIN_CALL,
in Binance's field letters, built from one command's events and the open orders they concern (a
margin call from the read side's figures: views/margin_calls.py).

ACCOUNT_UPDATE's reason `m` is the command's: ORDER for fills, FUNDING_FEE, DEPOSIT, WITHDRAW as
Binance; perpx-only values for what Binance has no word for: DIVIDEND (a cash dividend), SPLIT (a
stock split rescaled the position's size and entry price), AUTO_DELEVERAGE (ADL), LIQUIDATION (a
liquidation's fee or insurance cover).
"""

from typing import Any

from api.decimals import format_micro, format_ratio
from api.markets import Market
from api.order_response import closed_status
from api.ws.orders import TrackedOrder
from messages.enums import BalanceReason, OrderType, Side
from messages.events import (
    AccountUpdated,
    BalanceChanged,
    DividendPaid,
    Event,
    FundingPaid,
    LeverageSet,
    PositionDeleveraged,
    PositionLiquidated,
    Trade,
)
from views.margin_calls import MarginCall

Json = dict[str, Any]
BALANCE_REASONS = {
    BalanceReason.DEPOSIT: "DEPOSIT",
    BalanceReason.WITHDRAW: "WITHDRAW",
    BalanceReason.LIQUIDATION_FEE: "LIQUIDATION",
    BalanceReason.INSURANCE_COVER: "LIQUIDATION",
}


def order_update(
    market: Market,
    order: TrackedOrder,
    execution: str,
    status: str,
    ts_ms: int,
    now_ms: int,
    fill: Trade | None = None,
) -> Json:
    """One ORDER_TRADE_UPDATE; `order` is the state after the change (fills included)."""
    is_maker = fill is not None and fill.maker_order_id == order.order_id
    if fill is None:
        fee_micro, pnl_micro = 0, 0
    elif is_maker:
        fee_micro, pnl_micro = fill.maker_fee_micro, fill.maker_realized_pnl_micro
    else:
        fee_micro, pnl_micro = fill.taker_fee_micro, fill.taker_realized_pnl_micro
    average = _average(market, order.filled_quote_lots_ticks, order.filled_lots) if order.filled_lots else "0"
    order_type = order.order_type.value
    return {
        "e": "ORDER_TRADE_UPDATE",
        "E": now_ms,
        "T": ts_ms,
        "o": {
            "s": market.symbol,
            "c": order.client_order_id,
            "S": order.side.value,
            "o": order_type,
            "f": order.time_in_force.value,
            "q": market.size(order.size_lots),
            "p": "0" if order.order_type is OrderType.MARKET else market.price(order.price_ticks),
            "ap": average,
            "sp": "0",
            "x": execution,
            "X": status,
            "i": order.order_id,
            "l": market.size(fill.size_lots) if fill is not None else "0",
            "z": market.size(order.filled_lots),
            "L": market.price(fill.price_ticks) if fill is not None else "0",
            "N": "USDC",
            "n": market.quote(fee_micro),
            "T": ts_ms,
            "t": fill.trade_id if fill is not None else 0,
            "b": "0",
            "a": "0",
            "m": is_maker,
            "R": order.reduce_only,
            "wt": "CONTRACT_PRICE",
            "ot": order_type,
            "ps": "BOTH",
            "cp": False,
            "rp": market.quote(pnl_micro),
            "pP": False,
            "si": 0,
            "ss": 0,
            "V": "EXPIRE_TAKER",
            "pm": "NONE",
            "gtd": order.expire_at_ms,
        },
    }


def _average(market: Market, quote_lots_ticks: int, lots: int) -> str:
    return format_ratio(quote_lots_ticks, lots, market.tick)


def canceled_status(reason: Any) -> tuple[str, str]:
    """(x, X) of an order that ended unfilled for `reason`."""
    status = closed_status(reason)
    return ("CANCELED", "CANCELED") if status == "CANCELED" else ("EXPIRED", status)


def account_reason(events: list[Event], account_id: int) -> str:
    """The ACCOUNT_UPDATE reason of a command's events for one account."""
    for event in events:
        if isinstance(event, Trade) and account_id in (event.taker_account_id, event.maker_account_id):
            return "ORDER"
        if getattr(event, "account_id", None) != account_id:
            continue
        if isinstance(event, FundingPaid):
            return "FUNDING_FEE"
        if isinstance(event, DividendPaid):
            return "DIVIDEND"
        if isinstance(event, PositionDeleveraged):
            return "AUTO_DELEVERAGE"
        if isinstance(event, PositionLiquidated):
            return "LIQUIDATION"
        if isinstance(event, BalanceChanged):
            return BALANCE_REASONS[event.reason]
    return "MARGIN_TYPE_CHANGE"  # only a margin mode or isolated margin moved


def balance_change_micro(events: list[Event], account_id: int) -> int:
    """Binance's `bc`: the balance change of the command apart from trading PnL and fees."""
    total = 0
    for event in events:
        if getattr(event, "account_id", None) != account_id:
            continue
        if isinstance(event, BalanceChanged | FundingPaid | DividendPaid):
            total += event.amount_micro
    return total


def account_update(
    event: AccountUpdated,
    markets: dict[str, Market],
    marks: dict[str, int],
    reason: str,
    change_micro: int,
    now_ms: int,
) -> Json:
    isolated_micro = sum(p.isolated_margin_micro for p in event.positions)
    positions = []
    for position in event.positions:
        market = markets[position.market]
        per_tick_lot = market.spec.micro_per_tick_lot
        mark = marks.get(position.market, 0)
        unrealized = position.size_lots * mark * per_tick_lot - position.cost_micro if position.size_lots else 0
        entry = _average(market, position.cost_micro, position.size_lots * per_tick_lot) if position.size_lots else "0"
        positions.append(
            {
                "s": position.market,
                "pa": market.size(position.size_lots),
                "ep": entry,
                "bep": entry,
                "cr": market.quote(position.realized_pnl_micro),
                "up": market.quote(unrealized),
                "mt": "isolated" if position.isolated else "cross",
                "iw": market.quote(position.isolated_margin_micro),
                "ps": "BOTH",
            }
        )
    balance = _micro(event.balance_micro)
    return {
        "e": "ACCOUNT_UPDATE",
        "E": now_ms,
        "T": event.ts_ms,
        "a": {
            "m": reason,
            "B": [
                {
                    "a": "USDC",
                    "wb": balance,
                    "cw": _micro(event.balance_micro - isolated_micro),
                    "bc": _micro(change_micro),
                }
            ],
            "P": positions,
        },
    }


def _micro(amount_micro: int) -> str:
    return format_micro(amount_micro)


def config_update(event: LeverageSet, now_ms: int) -> Json:
    return {"e": "ACCOUNT_CONFIG_UPDATE", "E": now_ms, "T": event.ts_ms, "ac": {"s": event.market, "l": event.leverage}}


def side_is_buy(side: Side) -> bool:
    return side is Side.BUY


def margin_call(call: MarginCall, markets: dict[str, Market], now_ms: int) -> Json:
    """Binance's MARGIN_CALL: `cw` (the cross wallet) only when the cross bucket is called, as Binance."""
    positions = []
    for position in call.positions:
        market = markets[position.market]
        positions.append(
            {
                "s": position.market,
                "ps": "BOTH",
                "pa": market.size(position.size_lots),
                "mt": "ISOLATED" if position.isolated else "CROSSED",
                "iw": market.quote(position.isolated_margin_micro),
                "mp": market.price(position.mark_price_ticks),
                "up": market.quote(position.unrealized_pnl_micro),
                "mm": market.quote(position.maintenance_micro),
            }
        )
    message: Json = {"e": "MARGIN_CALL", "E": now_ms}
    if call.cross_called:
        message["cw"] = _micro(call.cross_wallet_micro)
    message["p"] = positions
    return message
