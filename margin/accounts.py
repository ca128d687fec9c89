"""Accounts and positions: the state records margin/ computes with.

A position keeps its entry as `cost_micro`, the signed quote value paid for the open size
(long positive, short negative): unrealized PnL at price P is size x P x (micro per tick lot) -
cost, exact in integers; the average entry price is a derived, rounded view of it. It also keeps
the totals of the account's resting orders in its market, which the pre-trade check needs.
"""

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from margin.watch import SideIndex

# The leverage and isolated-margin tables of an account that has set none: one shared empty dict
# (an account gets its own on its first setting, `own_leverage` / `own_isolated`). Most accounts
# set neither, and the pre-trade check asks both on every order: a shared dict stays in cache,
# where each account's own empty dicts were two more cache lines to miss. It must stay empty
# (margin/invariants.py checks).
NO_SETTINGS: Final[dict[str, int]] = {}


class Position:
    __slots__ = (
        "buy_lots",
        "buy_notional_micro",
        "cost_micro",
        "funding_index",
        "market",
        "owner",
        "realized_pnl_micro",
        "sell_lots",
        "sell_notional_micro",
        "size_lots",
    )

    def __init__(self, market: str, owner: "Account") -> None:
        self.market = market
        self.owner = owner  # the account holding it: orders carry their position, fills find the account
        self.size_lots = 0  # signed: positive long
        self.cost_micro = 0  # signed entry value of the open size
        self.realized_pnl_micro = 0  # cumulative, trading only (fees and funding are separate)
        self.funding_index = 0  # the market's cumulative funding index when last settled
        self.buy_lots = 0  # resting buy orders: remaining lots and their notional at their prices
        self.buy_notional_micro = 0
        self.sell_lots = 0
        self.sell_notional_micro = 0

    def unrealized_micro(self, price_ticks: int, micro_per_tick_lot: int) -> int:
        return self.size_lots * price_ticks * micro_per_tick_lot - self.cost_micro

    def entry_price_ticks(self, micro_per_tick_lot: int) -> int:
        """Average entry price, rounded to the nearest tick (half away from zero): a view only."""
        if self.size_lots == 0:
            return 0
        denominator = self.size_lots * micro_per_tick_lot
        return (2 * self.cost_micro + denominator) // (2 * denominator)

    def is_idle(self) -> bool:
        return not (self.size_lots or self.buy_lots or self.sell_lots)


class Account:
    """`isolated_micro` holds the markets in isolated mode and the part of the balance set aside as
    each one's margin; the rest of the balance, with the cross positions, is the cross bucket."""

    __slots__ = (
        "account_id",
        "balance_micro",
        "changed",
        "changed_count",
        "changed_markets",
        "id_key",
        "isolated_micro",
        "leverage",
        "positions",
        "sole_position",
        "touched",
        "watch_price",
        "watch_side",
        "watch_slot",
    )

    def __init__(self, account_id: int, balance_micro: int = 0) -> None:
        self.account_id = account_id
        self.id_key: Any = account_id  # boxed once, for the events (see matching's Order.id_key)
        self.balance_micro = balance_micro  # collateral: deposits, realized PnL, fees, funding
        self.positions: dict[str, Position] = {}
        # the position, when the account has exactly one (flat or not): the common account's,
        # read without the positions dict
        self.sole_position: Position | None = None
        self.leverage: dict[str, int] = NO_SETTINGS  # market -> chosen leverage; absent: the market's maximum
        self.isolated_micro: dict[str, int] = NO_SETTINGS  # isolated market -> its margin (part of the balance)
        self.touched = False  # a mark, not state: listed in MarginRisk.touched (once)
        # marks, not state: the account's balance or positions changed during the current command
        # (listed in MarginRisk.changed, once), and the markets whose position did: the first
        # `changed_count` of `changed_markets`, a list that only grows, so that marking allocates
        # nothing (a list emptied and filled again frees and allocates its storage each time)
        self.changed = False
        self.changed_count = 0
        self.changed_markets: list[str] = []
        # the liquidation watch's entry for an account with one cross position (margin/watch.py):
        # derived, not state; watch_side is None when the watch holds no such entry
        self.watch_side: SideIndex | None = None
        self.watch_slot = 0
        self.watch_price = 0

    def position(self, market: str) -> Position:
        position = self.positions.get(market)
        if position is None:
            position = self.positions[market] = Position(market, self)
            self.sole_position = position if len(self.positions) == 1 else None
        return position

    def own_leverage(self) -> dict[str, int]:
        """The account's leverage table, its own from the first setting on (see NO_SETTINGS)."""
        if self.leverage is NO_SETTINGS:
            self.leverage = {}
        return self.leverage

    def own_isolated(self) -> dict[str, int]:
        """The account's isolated-margin table, its own from the first setting on."""
        if self.isolated_micro is NO_SETTINGS:
            self.isolated_micro = {}
        return self.isolated_micro


def account_id_of(account: Account) -> int:
    return account.account_id


def sort_by_id(accounts: list[Account], n: int = -1) -> None:
    """In place, ascending ids, the first `n` (all by default). A command touches a few accounts
    (a fill two): an insertion sort compiled to native comparisons beats a sort call with a key;
    many are sorted by the key."""
    if n < 0:
        n = len(accounts)
    if n == 2:  # a fill's two accounts, the commonest case
        first = accounts[0]
        if first.account_id > accounts[1].account_id:
            accounts[0] = accounts[1]
            accounts[1] = first
        return
    if n > 16:
        head = accounts[:n]
        head.sort(key=account_id_of)
        accounts[:n] = head
        return
    for i in range(1, n):
        account = accounts[i]
        key = account.account_id
        j = i - 1
        while j >= 0 and accounts[j].account_id > key:
            accounts[j + 1] = accounts[j]
            j -= 1
        accounts[j + 1] = account
