"""The one table from the engine's reject reasons to Binance's HTTP status, code and message.

A reason not in the table (one added to the engine later) is answered with a generic -1130 and
the reason's name, never a 5xx: the table is checked against RejectReason by a test, so a new
reason shows up there as a reminder to give it a proper code.
"""

from api.errors import ApiError
from messages.enums import RejectReason

R = RejectReason

REJECT_CODES: dict[RejectReason, tuple[int, str]] = {
    R.UNKNOWN_MARKET: (-1121, "Invalid symbol."),
    R.MARKET_EXISTS: (-4000, "Market already listed."),
    R.INVALID_SPEC: (-4000, "Invalid market specification."),
    R.MARKET_HALTED: (-4037, "Market is closed."),
    R.MARKET_POST_ONLY: (-4046, "Only post-only orders are accepted while the market is in post-only mode."),
    R.MARKET_REDUCE_ONLY: (-2022, "ReduceOnly Order is rejected."),
    R.PRICE_NOT_POSITIVE: (-4001, "Price less than 0."),
    R.PRICE_OFF_TICK: (-4014, "Price not increased by tick size."),
    R.PRICE_NOT_ALLOWED: (-1106, "Parameter 'price' sent when not required."),
    R.SIZE_NOT_POSITIVE: (-4003, "Quantity less than or equal to zero."),
    R.SIZE_ABOVE_MAX: (-4005, "Quantity greater than max quantity."),
    R.NOTIONAL_BELOW_MIN: (-4164, "Order's notional must be no smaller than the minimum notional."),
    R.INVALID_TIME_IN_FORCE: (-1115, "Invalid timeInForce."),
    R.EXPIRY_IN_PAST: (-1130, "Data sent for parameter 'goodTillDate' is not valid."),
    R.CLIENT_ORDER_ID_TOO_LONG: (-4015, "Client order id is not valid."),
    R.DUPLICATE_CLIENT_ORDER_ID: (-4116, "ClientOrderId is duplicated."),
    R.ORDER_NOT_FOUND: (-2013, "Order does not exist."),
    # another account's order is answered exactly as an order that does not exist
    R.NOT_ORDER_OWNER: (-2013, "Order does not exist."),
    R.AMEND_NOTHING: (-5027, "No need to modify the order."),
    R.AMEND_BELOW_FILLED: (-4003, "Quantity less than or equal to the executed quantity."),
    R.REDUCE_ONLY_WOULD_INCREASE: (-2022, "ReduceOnly Order is rejected."),
    R.POST_ONLY_WOULD_TAKE: (
        -5022,
        "Due to the order could not be executed as maker, the Post Only order will be rejected.",
    ),
    R.UNSUPPORTED_COMMAND: (-1000, "Not supported by this exchange."),
    R.INSUFFICIENT_MARGIN: (-2019, "Margin is insufficient."),
    R.INSUFFICIENT_BALANCE: (-2019, "Margin is insufficient."),
    R.AMOUNT_NOT_POSITIVE: (-4003, "Amount less than or equal to zero."),
    R.LEVERAGE_TOO_HIGH: (-4028, "Leverage is not valid."),
    # an account that never received a deposit has no margin
    R.UNKNOWN_ACCOUNT: (-2019, "Margin is insufficient."),
    R.FUNDING_ALREADY_SETTLED: (-4000, "Funding already settled."),
    R.NO_PRICE: (-4131, "The counterparty's best price does not meet the PERCENT_PRICE filter limit."),
    R.INVALID_RATIO: (-4000, "Invalid split ratio."),
    R.POSITION_OR_ORDERS_OPEN: (-4048, "Margin type cannot be changed if there exists position."),
    R.MARGIN_MODE_UNCHANGED: (-4046, "No need to change margin type."),
    R.NOT_ISOLATED: (-4049, "Add margin only support for isolated position."),
}

# what each command's rejection means, where the same reason reads differently per command
BY_COMMAND: dict[tuple[str, RejectReason], tuple[int, str]] = {
    ("CancelOrder", R.ORDER_NOT_FOUND): (-2011, "Unknown order sent."),
    ("CancelOrder", R.NOT_ORDER_OWNER): (-2011, "Unknown order sent."),
    ("SetLeverage", R.UNKNOWN_ACCOUNT): (-2019, "Margin is insufficient."),
    ("SetMarginMode", R.UNKNOWN_ACCOUNT): (-2019, "Margin is insufficient."),
    ("CountdownCancelAll", R.EXPIRY_IN_PAST): (-1130, "Data sent for parameter 'countdownTime' is not valid."),
}

GENERIC = -1130


def error_for(command_type: str, reason: str, detail: str = "") -> ApiError:
    """The Binance error for a Rejected event of `command_type` with `reason`."""
    try:
        known = RejectReason(reason)
    except ValueError:
        return ApiError(GENERIC, f"Rejected: {reason}.")
    found = BY_COMMAND.get((command_type, known)) or REJECT_CODES.get(known)
    if found is None:
        return ApiError(GENERIC, f"Rejected: {reason}.")
    code, msg = found
    if known is R.POSITION_OR_ORDERS_OPEN and "order" in detail.lower():
        code, msg = -4047, "Margin type cannot be changed if there exists open orders."
    return ApiError(code, msg)
