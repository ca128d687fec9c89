"""The valid range of every field of every command, checked once before the engine changes anything.

Why bounds at all: Python's ints never overflow, but the wire does. msgpack carries integers from
-2**63 to 2**64-1, and events and snapshots are msgpack; a value the engine accepts but cannot
encode stops it at that entry on every restart. So every integer the engine stores or emits must
stay below 2**63 in magnitude, and the bounds below are chosen so that it stays below 2**62 (one
bit of headroom: a sum or difference of two bounded values is still encodable).

The derivation (P: price, V: position value per tick, see the constants):
- A price is at most P = 2**28 ticks (2.7 million USDC a share at a 0.01 tick: any listed stock).
- A market's tick x lot is at most 2**20 micro-USDC (`MAX_MICRO_PER_TICK_LOT`, checked on listing).
- A position's exposure, |lots| x micro per tick lot counting its open orders on the side that
  grows it, is at most V = 2**33 micro-USDC per tick (`MAX_POSITION_VALUE_PER_TICK_MICRO`, checked
  before every order: POSITION_LIMIT). So a position's notional at any price, its entry cost, an
  order's notional and its fee (fees are at most 100%) are all at most V x P = 2**61, and
  unrealized PnL (notional minus cost) at most 2**62.
- Funding: a rate is at most 100% of notional per interval, so one interval's payment is at most
  a notional, 2**61; each settlement settles every holder, so a payment never spans more than one
  interval. The cumulative index itself grows with every interval and is capped at 2**62
  (FUNDING_INDEX_LIMIT): at a 0.01% rate on a 200 USDC share that is 26,000 years of hourly
  settlements.
- A dividend per lot is at most the value of a lot at price P, so a payment is at most 2**61.
- Collateral: one Deposit, Withdraw or margin move is at most 2**50 micro-USDC (1.1 billion USDC);
  an account holds at most 2**53 after a deposit and the exchange at most 2**56 in total
  (BALANCE_LIMIT), however many deposits come. Money is conserved (double entry), so balances move
  away from that only by trading gains, which are other accounts' losses, each bounded as above.
- Times: the engine's clock (`ts_ms`) is at most 2**45 ms (the year 3084); a GTD expiry at most a
  year past the clock, a funding time at most an hour ahead of it (the funding service settles
  boundaries that have passed; an hour covers clock skew and blocks at most one interval). Times in
  the past are the handlers' to judge (EXPIRY_IN_PAST, FUNDING_ALREADY_SETTLED) down to -2**45.
- Ids are at most 2**53-1, which JSON (and so every REST client) carries exactly.
- Text: a command id at most 128 characters (it is remembered for the idempotence window), a
  market symbol 32, a client order id 36 (Binance's limit).

Not bounded here, and why: the insurance fund and the clearing and fee accounts aggregate many
accounts' positions and payments, so their bound is the per-account bound times the accounts
involved; the matching-only engine (no money) keeps net positions in lots without a cap, each fill
moving one by at most MAX_SIZE_LOTS. Whatever slips past these (a bug included) fails its entry
alone: the engine service restores the state before it and dead-letters it (engine_service).

Lower bounds that have a meaning of their own (a price must be positive, a leverage at least 1)
stay with the handlers and their specific reasons; here the lower bounds are magnitudes.

Where: `command_problem` checks every command before its handler (Engine.apply), except the two of
the hot path, PlaceOrder and CancelOrder, whose checks are inlined with these same constants:
command id and clock in Engine.apply, account, price and expiry in place_order.order_rejection
(its size and client order id were already checked there). A CancelOrder's account, order id and
client order id are only looked up, never stored, and Engine.reject echoes none out of range.
"""

from typing import Any, Final

from msgspec.structs import astuple

from messages.enums import RejectReason

MAX_PRICE_TICKS: Final = 268_435_456  # 2**28 (literals: compiled modules inline them)
MAX_SIZE_LOTS: Final = 4_294_967_296  # 2**32: an order's size; a market's max_order_lots is at most this
MAX_MICRO_PER_TICK_LOT: Final = 1_048_576  # 2**20
MAX_POSITION_VALUE_PER_TICK_MICRO: Final = (
    8_589_934_592  # 2**33: |lots| x micro per tick lot of a position and its orders
)
MAX_AMOUNT_MICRO: Final = 1_125_899_906_842_624  # 2**50: one transfer of collateral
MAX_BALANCE_MICRO: Final = 9_007_199_254_740_992  # 2**53: an account's balance after a deposit
MAX_TOTAL_COLLATERAL_MICRO: Final = 72_057_594_037_927_936  # 2**56: everything deposited and not withdrawn
MAX_FUNDING_INDEX: Final = 4_611_686_018_427_387_904  # 2**62: cumulative, micro-USDC per lot x 1e-9
MAX_RATE_PPB: Final = 1_000_000_000  # 100% of notional per funding interval
MAX_SPLIT_RATIO: Final = 1_000  # each side of a split (the largest real ones are 1:1000 reverse)
MAX_LEVERAGE: Final = 100  # as MarketSpec.validate allows
MAX_DIVIDEND_MICRO_PER_SHARE: Final = (
    1_099_511_627_776  # 2**40: a million USDC a share; also at most a lot's value at P
)
MAX_TIME_MS: Final = 35_184_372_088_832  # 2**45
MAX_EXPIRY_AHEAD_MS: Final = 31_622_400_000  # 366 days
MAX_FUNDING_AHEAD_MS: Final = 3_600_000
MAX_ID: Final = 9_007_199_254_740_991  # 2**53 - 1
MAX_COMMAND_ID_LEN: Final = 128
MAX_SYMBOL_LEN: Final = 32
MAX_CLIENT_ORDER_ID_LEN: Final = 36
MAX_TEXT_LEN: Final = 128  # any other text (a market's name)
MAX_FEE_PPM: Final = 1_000_000
MAX_FUNDING_INTERVAL_S: Final = 604_800  # a week
MAX_MARGIN_TIERS: Final = 32


class Bound:
    """lo <= value <= hi (for a time, hi is relative to the engine's clock); below or above, the reason."""

    __slots__ = ("above", "below", "hi", "lo", "relative")

    def __init__(
        self, lo: int, hi: int, above: RejectReason, below: RejectReason | None = None, relative: bool = False
    ) -> None:
        self.lo = lo
        self.hi = hi
        self.above = above
        self.below = below if below is not None else above
        self.relative = relative  # hi is an offset from the clock


_R = RejectReason
_PRICE: Final = Bound(-MAX_PRICE_TICKS, MAX_PRICE_TICKS, _R.PRICE_OUT_OF_RANGE, _R.PRICE_NOT_POSITIVE)
_SIZE: Final = Bound(-MAX_SIZE_LOTS, MAX_SIZE_LOTS, _R.SIZE_ABOVE_MAX, _R.SIZE_NOT_POSITIVE)
_AMOUNT: Final = Bound(-MAX_AMOUNT_MICRO, MAX_AMOUNT_MICRO, _R.AMOUNT_OUT_OF_RANGE)
_ID: Final = Bound(-MAX_ID, MAX_ID, _R.ID_OUT_OF_RANGE)

# every integer field of every command, by name (names carry their unit, so one name, one range);
# tests/messages/test_limits.py checks that no command has a field missing here
INT_BOUNDS: Final[dict[str, Bound]] = {
    "ts_ms": Bound(0, MAX_TIME_MS, _R.TIME_OUT_OF_WINDOW),
    "account_id": _ID,
    "order_id": _ID,
    "size_lots": _SIZE,
    "new_size_lots": _SIZE,
    "price_ticks": _PRICE,
    "new_price_ticks": _PRICE,
    "index_price_ticks": _PRICE,
    "mark_price_ticks": _PRICE,
    "discovery_low_ticks": _PRICE,
    "discovery_high_ticks": _PRICE,
    "expire_at_ms": Bound(-MAX_TIME_MS, MAX_EXPIRY_AHEAD_MS, _R.TIME_OUT_OF_WINDOW, relative=True),
    "countdown_ms": Bound(-MAX_EXPIRY_AHEAD_MS, MAX_EXPIRY_AHEAD_MS, _R.TIME_OUT_OF_WINDOW),
    "funding_time_ms": Bound(-MAX_TIME_MS, MAX_FUNDING_AHEAD_MS, _R.TIME_OUT_OF_WINDOW, relative=True),
    "rate_ppb": Bound(-MAX_RATE_PPB, MAX_RATE_PPB, _R.RATE_OUT_OF_RANGE),
    "ratio_new": Bound(-MAX_SPLIT_RATIO, MAX_SPLIT_RATIO, _R.INVALID_RATIO),
    "ratio_old": Bound(-MAX_SPLIT_RATIO, MAX_SPLIT_RATIO, _R.INVALID_RATIO),
    "amount_micro": _AMOUNT,
    "amount_micro_per_share": Bound(
        -MAX_DIVIDEND_MICRO_PER_SHARE, MAX_DIVIDEND_MICRO_PER_SHARE, _R.AMOUNT_OUT_OF_RANGE
    ),
    "leverage": Bound(-MAX_LEVERAGE, MAX_LEVERAGE, _R.LEVERAGE_TOO_HIGH),
}
# every text field, by name: its longest length in characters
TEXT_BOUNDS: Final[dict[str, tuple[int, RejectReason]]] = {
    "command_id": (MAX_COMMAND_ID_LEN, _R.TEXT_TOO_LONG),
    "market": (MAX_SYMBOL_LEN, _R.TEXT_TOO_LONG),
    "client_order_id": (MAX_CLIENT_ORDER_ID_LEN, _R.CLIENT_ORDER_ID_TOO_LONG),
}
# fields whose type the decoder already confines (enums, bools) or that carry their own validation
# (a market spec: MarketSpec.validate)
UNBOUNDED_FIELDS: Final = frozenset(
    {
        "side",
        "order_type",
        "time_in_force",
        "reduce_only",
        "self_trade_prevention",
        "status",
        "session",
        "index_source",
        "isolated",
        "spec",
    }
)


class FieldCheck:
    """One field of one command type to check: its position, and its integer bound or text limit."""

    __slots__ = ("bound", "index", "max_len", "name", "text_reason")

    def __init__(
        self, index: int, name: str, bound: Bound | None, max_len: int = 0, text_reason: RejectReason | None = None
    ) -> None:
        self.index = index
        self.name = name
        self.bound = bound
        self.max_len = max_len
        self.text_reason = text_reason


_checks_by_type: dict[type, list[FieldCheck]] = {}


def field_checks(command_type: type) -> list[FieldCheck]:
    """The checks of a command type, in field order: built from its field names once, then cached."""
    checks = _checks_by_type.get(command_type)
    if checks is None:
        checks = []
        for index, name in enumerate(command_type.__struct_fields__):  # type: ignore[attr-defined]
            bound = INT_BOUNDS.get(name)
            text = TEXT_BOUNDS.get(name)
            if bound is not None:
                checks.append(FieldCheck(index, name, bound))
            elif text is not None:
                checks.append(FieldCheck(index, name, None, text[0], text[1]))
        _checks_by_type[command_type] = checks
    return checks


def command_problem(command: Any, clock_ms: int) -> tuple[RejectReason, str] | None:
    """The first field of `command` outside its range, as (reason, detail); None if all fit.

    Fields are found by name among the command's msgspec fields, so a command added later is
    checked as soon as its field names are in the tables above."""
    values = astuple(command)
    for check in field_checks(type(command)):
        value = values[check.index]
        name = check.name
        bound = check.bound
        if bound is not None:
            if type(value) is not int:
                return bound.above, f"{name} is not an integer"
            hi = bound.hi + clock_ms if bound.relative else bound.hi
            if value > hi:
                return bound.above, f"{name} {value} above {hi}"
            if value < bound.lo:
                return bound.below, f"{name} {value} below {bound.lo}"
        else:
            reason = check.text_reason
            assert reason is not None
            if type(value) is not str:
                return reason, f"{name} is not text"
            if len(value) > check.max_len:
                return reason, f"{name} longer than {check.max_len} characters"
    return None
