"""Which accounts a mark-price update can put below maintenance, found without scanning them all.

An account with positions in one market only has a liquidation price there that depends on its
own state alone (balance, size, entry cost), not on any price: it is kept in a sorted index per
market and side, and a new mark finds the crossed ones by bisection. So does each isolated position,
whose bucket is its own. An account with cross positions in
several markets has liquidation prices that move with the other markets' marks, so it is simply
re-evaluated on every update of any market it holds. Accounts whose state changed are marked
dirty and re-indexed before the next lookup (sorted by id, so the order never depends on hashing).
Cost of a mark update: O(log n + crossed + dirty + multi-market holders of that market).
"""

from sortedcontainers import SortedList  # type: ignore[import-untyped]

from margin.accounts import Account
from margin.tiers import Tiers
from matching.market import Market

Entry = tuple[str, bool, int]  # (market, is long, liquidation price)


def account_id_of(account: Account) -> int:
    return account.account_id


class LiquidationWatch:
    __slots__ = ("dirty", "entries", "longs", "multi", "shorts")

    def __init__(self) -> None:
        self.longs: dict[str, SortedList] = {}  # market -> (price, account): liquidate at mark <= price
        self.shorts: dict[str, SortedList] = {}  # market -> (price, account): liquidate at mark >= price
        self.multi: dict[str, set[int]] = {}  # market -> accounts holding it and another market
        self.entries: dict[int, list] = {}  # account -> its Entry tuples and multi-market symbols
        self.dirty: list[Account] = []  # accounts to re-index, each once (Account.watch_dirty)

    def mark(self, account: Account) -> None:
        """The account's state changed: re-index it before the next lookup."""
        if not account.watch_dirty:
            account.watch_dirty = True
            self.dirty.append(account)

    def take_dirty(self) -> list[Account]:
        """The dirty accounts in id order (never hash order), unmarked."""
        dirty = self.dirty
        self.dirty = []
        for account in dirty:
            account.watch_dirty = False
        dirty.sort(key=account_id_of)
        return dirty

    def forget(self, account_id: int) -> None:
        entry = self.entries.pop(account_id, None)
        if not entry:
            return
        for item in entry:
            if isinstance(item, str):
                self.multi[item].discard(account_id)
            else:
                symbol, is_long, price = item
                (self.longs if is_long else self.shorts)[symbol].remove((price, account_id))

    def index(self, account: Account, markets: dict[str, Market], tiers: dict[str, Tiers]) -> None:
        """(Re)index one account from its current state: each isolated position on its own, the
        cross positions by price if there is one, as a multi-market holder if there are several."""
        self.forget(account.account_id)
        self._index(account, markets, tiers, None)

    def rebuild(self, accounts: list[Account], markets: dict[str, Market], tiers: dict[str, Tiers]) -> None:
        """Index these accounts (all that hold positions) from scratch: one sort per market and side
        instead of an insertion per account, for when most are dirty (a restore, a burst of fills)."""
        self.longs, self.shorts, self.multi, self.entries = {}, {}, {}, {}
        pending: dict[tuple[str, bool], list[tuple[int, int]]] = {}
        for account in accounts:
            self._index(account, markets, tiers, pending)
        for (symbol, is_long), items in sorted(pending.items()):
            (self.longs if is_long else self.shorts)[symbol] = SortedList(items)

    def _index(
        self,
        account: Account,
        markets: dict[str, Market],
        tiers: dict[str, Tiers],
        pending: dict[tuple[str, bool], list[tuple[int, int]]] | None,
    ) -> None:
        account_id = account.account_id
        isolated = account.isolated_micro
        cross = sorted(s for s, p in account.positions.items() if p.size_lots and s not in isolated)
        priced: list[tuple[str, int, int]] = []  # (market, size, the bucket's equity without the position)
        entries: list = []
        if len(cross) > 1:
            for symbol in cross:
                self.multi.setdefault(symbol, set()).add(account_id)
            entries.extend(cross)
        elif cross:
            symbol = cross[0]
            position = account.positions[symbol]
            priced.append(
                (symbol, position.size_lots, account.balance_micro - sum(isolated.values()) - position.cost_micro)
            )
        for symbol in sorted(isolated):
            held = account.positions.get(symbol)
            if held is not None and held.size_lots:
                priced.append((symbol, held.size_lots, isolated[symbol] - held.cost_micro))
        for symbol, size_lots, rest_micro in priced:
            price = tiers[symbol].liquidation_price_ticks(size_lots, rest_micro, markets[symbol].micro_per_tick_lot)
            is_long = size_lots > 0
            if pending is None:
                book = self.longs if is_long else self.shorts
                book.setdefault(symbol, SortedList()).add((price, account_id))
            else:
                pending.setdefault((symbol, is_long), []).append((price, account_id))
            entries.append((symbol, is_long, price))
        if entries:
            self.entries[account_id] = entries

    def candidates(self, symbol: str, mark_ticks: int) -> list[int]:
        """Accounts that may be below maintenance at this mark, in id order."""
        found: set[int] = set()
        longs = self.longs.get(symbol)
        if longs:
            found.update(account_id for _, account_id in longs.irange((mark_ticks, 0)))
        shorts = self.shorts.get(symbol)
        if shorts:
            found.update(account_id for _, account_id in shorts.irange(None, (mark_ticks, 1 << 62)))
        multi = self.multi.get(symbol)
        if multi:
            found.update(multi)
        return sorted(found)
