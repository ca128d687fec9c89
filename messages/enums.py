"""Closed vocabularies shared by commands, events and the engine.

String enums so that the wire (msgpack, JSON) stays readable and the API can pass them through
unchanged; members are singletons, so the engine compares them with `is` on hot paths.
"""

from enum import StrEnum


class Side(StrEnum):
    BUY = "BUY"
    SELL = "SELL"


class OrderType(StrEnum):
    LIMIT = "LIMIT"
    MARKET = "MARKET"


class TimeInForce(StrEnum):
    GTC = "GTC"  # good till cancelled
    IOC = "IOC"  # immediate or cancel: the rest expires
    FOK = "FOK"  # fill or kill: all at once or nothing
    GTD = "GTD"  # good till a date on the engine's clock
    GTX = "GTX"  # post-only: expires rather than ever taking


class SelfTradePrevention(StrEnum):
    EXPIRE_TAKER = "EXPIRE_TAKER"
    EXPIRE_MAKER = "EXPIRE_MAKER"
    EXPIRE_BOTH = "EXPIRE_BOTH"
    NONE = "NONE"


class MarketStatus(StrEnum):
    ACTIVE = "ACTIVE"
    POST_ONLY = "POST_ONLY"  # resting orders only: nothing may take
    REDUCE_ONLY = "REDUCE_ONLY"  # only orders that shrink a position
    HALTED = "HALTED"  # no new orders; cancels still work


class MarketSession(StrEnum):
    """Where the underlying's US equity market stands (times in America/New_York)."""

    PRE_MARKET = "PRE_MARKET"  # 04:00-09:30
    REGULAR = "REGULAR"  # 09:30-16:00 (13:00 on early-close days)
    POST_MARKET = "POST_MARKET"  # 16:00-20:00
    OVERNIGHT = "OVERNIGHT"  # 20:00-04:00 on trading nights
    CLOSED = "CLOSED"  # weekends and holidays


class PriceSource(StrEnum):
    EXTERNAL = "EXTERNAL"  # aggregated from outside sources
    INTERNAL = "INTERNAL"  # derived from the book while no fresh external price exists


class CancelReason(StrEnum):
    """Why an order left the book or never rested; the API maps these to CANCELED or EXPIRED."""

    USER = "USER"
    CANCEL_ALL = "CANCEL_ALL"
    IOC_REMAINDER = "IOC_REMAINDER"
    FOK_NOT_FILLED = "FOK_NOT_FILLED"
    POST_ONLY_WOULD_TAKE = "POST_ONLY_WOULD_TAKE"
    PROTECTION_BAND = "PROTECTION_BAND"
    NO_LIQUIDITY = "NO_LIQUIDITY"
    EXPIRED = "EXPIRED"  # GTD time reached
    SELF_TRADE = "SELF_TRADE"
    REDUCE_ONLY = "REDUCE_ONLY"  # the position it was reducing shrank or flipped
    MARKET_STATE = "MARKET_STATE"  # the market moved to a state this order cannot live in
    LIQUIDATION = "LIQUIDATION"  # margin/ canceled the orders of an account being liquidated


class RejectReason(StrEnum):
    """Why a command changed nothing. Stable codes: the API maps each to an HTTP status and code."""

    UNKNOWN_MARKET = "UNKNOWN_MARKET"
    MARKET_EXISTS = "MARKET_EXISTS"
    INVALID_SPEC = "INVALID_SPEC"
    MARKET_HALTED = "MARKET_HALTED"
    MARKET_POST_ONLY = "MARKET_POST_ONLY"
    MARKET_REDUCE_ONLY = "MARKET_REDUCE_ONLY"
    PRICE_NOT_POSITIVE = "PRICE_NOT_POSITIVE"
    PRICE_OFF_TICK = "PRICE_OFF_TICK"
    PRICE_NOT_ALLOWED = "PRICE_NOT_ALLOWED"  # a market order that names a price
    SIZE_NOT_POSITIVE = "SIZE_NOT_POSITIVE"
    SIZE_ABOVE_MAX = "SIZE_ABOVE_MAX"
    NOTIONAL_BELOW_MIN = "NOTIONAL_BELOW_MIN"
    INVALID_TIME_IN_FORCE = "INVALID_TIME_IN_FORCE"
    EXPIRY_IN_PAST = "EXPIRY_IN_PAST"
    CLIENT_ORDER_ID_TOO_LONG = "CLIENT_ORDER_ID_TOO_LONG"
    DUPLICATE_CLIENT_ORDER_ID = "DUPLICATE_CLIENT_ORDER_ID"
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
    NOT_ORDER_OWNER = "NOT_ORDER_OWNER"
    AMEND_NOTHING = "AMEND_NOTHING"
    AMEND_BELOW_FILLED = "AMEND_BELOW_FILLED"
    REDUCE_ONLY_WOULD_INCREASE = "REDUCE_ONLY_WOULD_INCREASE"
    POST_ONLY_WOULD_TAKE = "POST_ONLY_WOULD_TAKE"  # an amend of a post-only order that would cross
    UNSUPPORTED_COMMAND = "UNSUPPORTED_COMMAND"
    # margin/ adds its reasons through the risk seam with these codes
    INSUFFICIENT_MARGIN = "INSUFFICIENT_MARGIN"
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE"
    AMOUNT_NOT_POSITIVE = "AMOUNT_NOT_POSITIVE"
    LEVERAGE_TOO_HIGH = "LEVERAGE_TOO_HIGH"
    UNKNOWN_ACCOUNT = "UNKNOWN_ACCOUNT"
    FUNDING_ALREADY_SETTLED = "FUNDING_ALREADY_SETTLED"  # a (market, funding_time_ms) seen before
    NO_PRICE = "NO_PRICE"  # the market has no index or mark price yet
    INVALID_RATIO = "INVALID_RATIO"  # a split ratio that is not positive or not exact in ticks and lots
    POSITION_OR_ORDERS_OPEN = "POSITION_OR_ORDERS_OPEN"  # a margin mode change needs a flat market
    MARGIN_MODE_UNCHANGED = "MARGIN_MODE_UNCHANGED"  # the market is already in the mode asked for
    NOT_ISOLATED = "NOT_ISOLATED"  # isolated margin adjusted on a cross or flat market
    # a field outside its range (messages/limits.py says each range and why it is what it is)
    PRICE_OUT_OF_RANGE = "PRICE_OUT_OF_RANGE"  # a price above MAX_PRICE_TICKS (or hugely negative)
    AMOUNT_OUT_OF_RANGE = "AMOUNT_OUT_OF_RANGE"  # a transfer or dividend beyond its bound
    RATE_OUT_OF_RANGE = "RATE_OUT_OF_RANGE"  # a funding rate beyond +-100% per interval
    ID_OUT_OF_RANGE = "ID_OUT_OF_RANGE"  # an account or order id beyond +-(2**53-1)
    TIME_OUT_OF_WINDOW = "TIME_OUT_OF_WINDOW"  # a time too far from the engine's clock (or a clock out of range)
    TEXT_TOO_LONG = "TEXT_TOO_LONG"  # a command id or market name longer than its bound
    # a command that would take the state past a bound
    BALANCE_LIMIT = "BALANCE_LIMIT"  # a deposit above an account's or the exchange's collateral cap
    POSITION_LIMIT = "POSITION_LIMIT"  # an order that could take a position past its cap
    FUNDING_INDEX_LIMIT = "FUNDING_INDEX_LIMIT"  # a settlement that would take the funding index past its cap


class BalanceReason(StrEnum):
    """Why collateral moved outside a trade (margin/ emits BalanceChanged with one of these)."""

    DEPOSIT = "DEPOSIT"
    WITHDRAW = "WITHDRAW"
    LIQUIDATION_FEE = "LIQUIDATION_FEE"
    INSURANCE_COVER = "INSURANCE_COVER"


class LiquidationStep(StrEnum):
    """Who took a liquidated position: the book, the insurance fund, or deleveraged counterparties."""

    BOOK = "BOOK"
    INSURANCE = "INSURANCE"
    ADL = "ADL"
