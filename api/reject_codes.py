"""The one table from the engine's reject reasons to Binance's HTTP status, code and message.

Keyed by the reason's name, so that the table can already answer reasons another branch adds to
the engine. A reason not in the table is answered with a generic -1130 and the reason's name,
never a 5xx; a test checks the table against RejectReason, so a new reason shows up there as a
reminder to give it a proper code.
"""

from api.errors import ApiError

REJECT_CODES: dict[str, tuple[int, str]] = {
    "UNKNOWN_MARKET": (-1121, "Invalid symbol."),
    "MARKET_EXISTS": (-4000, "Market already listed."),
    "INVALID_SPEC": (-4000, "Invalid market specification."),
    "MARKET_HALTED": (-1013, "Market is closed."),  # ccxt reads this exact text as MarketClosed
    "MARKET_POST_ONLY": (-4000, "Only post-only (GTX) orders are accepted while the market is in post-only mode."),
    "MARKET_REDUCE_ONLY": (-2022, "ReduceOnly Order is rejected."),
    "PRICE_NOT_POSITIVE": (-4001, "Price less than 0."),
    "PRICE_OFF_TICK": (-4014, "Price not increased by tick size."),
    "PRICE_NOT_ALLOWED": (-1106, "Parameter 'price' sent when not required."),
    "SIZE_NOT_POSITIVE": (-4003, "Quantity less than or equal to zero."),
    "SIZE_ABOVE_MAX": (-4005, "Quantity greater than max quantity."),
    "NOTIONAL_BELOW_MIN": (-4164, "Order's notional must be no smaller than the minimum notional."),
    "INVALID_TIME_IN_FORCE": (-1115, "Invalid timeInForce."),
    "EXPIRY_IN_PAST": (-1130, "Data sent for parameter 'goodTillDate' is not valid."),
    "CLIENT_ORDER_ID_TOO_LONG": (-4015, "Client order id is not valid."),
    "DUPLICATE_CLIENT_ORDER_ID": (-4116, "ClientOrderId is duplicated."),
    "ORDER_NOT_FOUND": (-2013, "Order does not exist."),
    # another account's order is answered exactly as an order that does not exist
    "NOT_ORDER_OWNER": (-2013, "Order does not exist."),
    "AMEND_NOTHING": (-5027, "No need to modify the order."),
    "AMEND_BELOW_FILLED": (-4003, "Quantity less than or equal to the executed quantity."),
    "REDUCE_ONLY_WOULD_INCREASE": (-2022, "ReduceOnly Order is rejected."),
    "POST_ONLY_WOULD_TAKE": (
        -5022,
        "Due to the order could not be executed as maker, the Post Only order will be rejected.",
    ),
    "UNSUPPORTED_COMMAND": (-1000, "Not supported by this exchange."),
    "INSUFFICIENT_MARGIN": (-2019, "Margin is insufficient."),
    "INSUFFICIENT_BALANCE": (-2019, "Margin is insufficient."),
    "AMOUNT_NOT_POSITIVE": (-4003, "Amount less than or equal to zero."),
    "LEVERAGE_TOO_HIGH": (-4028, "Leverage is not valid."),
    # an account that never received a deposit has no margin
    "UNKNOWN_ACCOUNT": (-2019, "Margin is insufficient."),
    "FUNDING_ALREADY_SETTLED": (-4000, "Funding already settled."),
    "NO_PRICE": (-4131, "The counterparty's best price does not meet the PERCENT_PRICE filter limit."),
    "INVALID_RATIO": (-4000, "Invalid split ratio."),
    "POSITION_OR_ORDERS_OPEN": (-4048, "Margin type cannot be changed if there exists position."),
    "MARGIN_MODE_UNCHANGED": (-4046, "No need to change margin type."),
    "NOT_ISOLATED": (-4049, "Add margin only support for isolated position."),
    # the range checks of messages/limits.py (issue 11)
    "PRICE_OUT_OF_RANGE": (-4016, "Price is out of the allowed range."),
    "AMOUNT_OUT_OF_RANGE": (-1130, "Data sent for parameter 'amount' is not valid."),
    "RATE_OUT_OF_RANGE": (-1130, "Data sent for parameter 'rate' is not valid."),
    "ID_OUT_OF_RANGE": (-1130, "An id is out of range."),
    "TIME_OUT_OF_WINDOW": (-1130, "Data sent for parameter 'goodTillDate' is not valid."),
    "TEXT_TOO_LONG": (-1130, "A parameter is too long."),
    "BALANCE_LIMIT": (-4000, "The collateral limit would be exceeded."),
    "POSITION_LIMIT": (-2027, "Exceeded the maximum allowable position at current leverage."),
    "FUNDING_INDEX_LIMIT": (-4000, "The funding index limit would be exceeded."),
}

# what each command's rejection means, where the same reason reads differently per command
BY_COMMAND: dict[tuple[str, str], tuple[int, str]] = {
    ("CancelOrder", "ORDER_NOT_FOUND"): (-2011, "Unknown order sent."),
    ("CancelOrder", "NOT_ORDER_OWNER"): (-2011, "Unknown order sent."),
    ("SetLeverage", "UNKNOWN_ACCOUNT"): (-2019, "Margin is insufficient."),
    ("SetMarginMode", "UNKNOWN_ACCOUNT"): (-2019, "Margin is insufficient."),
    ("CancelOrder", "ID_OUT_OF_RANGE"): (-2011, "Unknown order sent."),
    ("AmendOrder", "ID_OUT_OF_RANGE"): (-2013, "Order does not exist."),
    ("CountdownCancelAll", "EXPIRY_IN_PAST"): (-1130, "Data sent for parameter 'countdownTime' is not valid."),
}

GENERIC = -1130


def error_for(command_type: str, reason: str, detail: str = "") -> ApiError:
    """The Binance error for a Rejected event of `command_type` with `reason`."""
    found = BY_COMMAND.get((command_type, reason)) or REJECT_CODES.get(reason)
    if found is None:
        return ApiError(GENERIC, f"Rejected: {reason}.")
    code, msg = found
    if reason == "POSITION_OR_ORDERS_OPEN" and "order" in detail.lower():
        code, msg = -4047, "Margin type cannot be changed if there exists open orders."
    return ApiError(code, msg)
