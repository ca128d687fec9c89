"""Commands: the only way anything changes exchange state. Frozen values, appended to the command stream.

Every command carries `command_id`, unique per producer (the engine applies an id once), and `ts_ms`,
the engine's clock: time enters the deterministic core only through this field. Extra trailing items
on the wire are refused at decoding (forbid_unknown_fields); each field's range is in messages/limits.py.
"""

import msgspec

from messages.enums import (
    MarketSession,
    MarketStatus,
    OrderType,
    PriceSource,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from messages.market_spec import MarketSpec


class Command(msgspec.Struct, frozen=True, tag=True, array_like=True, forbid_unknown_fields=True):
    command_id: str
    ts_ms: int


class PlaceOrder(Command, frozen=True):
    account_id: int
    market: str
    side: Side
    size_lots: int
    price_ticks: int = 0  # 0 for a market order
    order_type: OrderType = OrderType.LIMIT
    time_in_force: TimeInForce = TimeInForce.GTC
    expire_at_ms: int = 0  # GTD only
    reduce_only: bool = False
    client_order_id: str = ""
    self_trade_prevention: SelfTradePrevention = SelfTradePrevention.EXPIRE_TAKER


class CancelOrder(Command, frozen=True):
    """Cancel by `order_id`, or by `client_order_id` when order_id is 0."""

    account_id: int
    market: str
    order_id: int = 0
    client_order_id: str = ""


class CancelAll(Command, frozen=True):
    """Cancel every open order of the account, in one market or (market "") in all."""

    account_id: int
    market: str = ""


class AmendOrder(Command, frozen=True):
    """Change price and/or total size. A new price or a larger size loses time priority; a smaller keeps it."""

    account_id: int
    market: str
    order_id: int = 0
    client_order_id: str = ""
    new_price_ticks: int = 0  # 0 keeps the price
    new_size_lots: int = 0  # new total size including what has filled; 0 keeps it


class AdvanceClock(Command, frozen=True):
    """Moves the engine's clock when no other command does, so that GTD orders expire on time."""


class CountdownCancelAll(Command, frozen=True):
    """The dead-man switch: cancel the account's open orders in `market` once the engine's clock
    passes now + `countdown_ms`, unless the command comes again first (a heartbeat) to push the
    deadline on; 0 stops the countdown."""

    account_id: int
    market: str
    countdown_ms: int


class ListMarket(Command, frozen=True):
    spec: MarketSpec
    status: MarketStatus = MarketStatus.ACTIVE


class SetMarketStatus(Command, frozen=True):
    market: str
    status: MarketStatus


class PriceUpdate(Command, frozen=True):
    """From the oracle: the market's index and mark price. The engine centres market-order bands
    on the mark; margin/ values positions and finds liquidations with it. An internal index comes
    with the discovery bounds it is kept within (0, 0: none); the engine passes them on in
    PriceApplied for readers."""

    market: str
    index_price_ticks: int
    mark_price_ticks: int
    session: MarketSession = MarketSession.REGULAR
    index_source: PriceSource = PriceSource.EXTERNAL
    discovery_low_ticks: int = 0
    discovery_high_ticks: int = 0


class FundingSettle(Command, frozen=True):
    """From the funding service, once per market and interval: longs pay shorts
    size x index price x rate (shorts pay longs when negative). `funding_time_ms` is the interval
    boundary; the engine settles each (market, funding_time_ms) once."""

    market: str
    funding_time_ms: int
    rate_ppb: int  # parts per billion of notional, signed


class Split(Command, frozen=True):
    """A stock split of `ratio_new` new shares for `ratio_old` old ones (4:1 is 4, 1)."""

    market: str
    ratio_new: int
    ratio_old: int


class CashDividend(Command, frozen=True):
    """A cash dividend: longs receive and shorts pay `amount_micro_per_share` per share held."""

    market: str
    amount_micro_per_share: int


# -- margin/ (issue 3): collateral and leverage -----------------------------------------------------


class Deposit(Command, frozen=True):
    """Collateral into an account from outside (booked against the external account)."""

    account_id: int
    amount_micro: int


class Withdraw(Command, frozen=True):
    """Collateral out of an account; only what is free of margin (refused otherwise)."""

    account_id: int
    amount_micro: int


class SetLeverage(Command, frozen=True):
    """The account's leverage in a market: its initial margin rate is 1/leverage (or the tier's, if higher)."""

    account_id: int
    market: str
    leverage: int


class SetMarginMode(Command, frozen=True):
    """Cross (the default) or isolated margin for one market; only while flat with no open orders there."""

    account_id: int
    market: str
    isolated: bool


class AdjustIsolatedMargin(Command, frozen=True):
    """Move margin into (positive) or out of (negative) an open isolated position."""

    account_id: int
    market: str
    amount_micro: int
