"""Which accounts a mark-price update can put below maintenance, found without evaluating them all.

An account with positions in one market only has a liquidation price there that depends on its
own state alone (balance, size, entry cost), not on any price. So does each isolated position,
whose bucket is its own. Those prices are kept per market and side, one slot per account, and
numpy compares them with a new mark in one pass: microseconds for ten thousand positions. An
account with cross positions in several markets has liquidation prices that move with the other
markets' marks, so it is simply re-evaluated on every update of any market it holds.

The engine re-indexes every account a command touched once that command is done (its fills,
transfers and liquidations), so the watch is always current: a mark update never has indexing
left to do, however many fills came before it (an earlier design indexed lazily at the next mark,
which took 28 ms after 10,000 fills). Re-indexing an account rewrites its slot in place; for the
common account the same liquidation price also answers whether it is below maintenance.
Candidates come out in id order, so nothing depends on hashing or on slot order.
"""

from typing import Any, Final

import numpy as np

from margin.accounts import Account, Position
from margin.tiers import Tiers
from matching.market import Market

Entry = tuple[str, bool, int]  # (market, is long, liquidation price)

NO_LONG_LIQUIDATION: Final = -1  # an empty long slot: no mark is at or below it
NO_SHORT_LIQUIDATION: Final = (1 << 62) - 1  # an empty short slot: no mark is at or above it


class SideIndex:
    """Liquidation prices of one side of one market, by account.

    A plain list of prices, one slot per account, is written on every fill (a native store); a
    numpy copy of it serves lookups, brought up to date with the slots written since the last
    lookup (or copied whole when most have changed)."""

    __slots__ = (
        "account_of",
        "bound",
        "changed",
        "empty",
        "free",
        "is_long",
        "market",
        "prices",
        "resync",
        "slot_of",
        "symbol",
        "synced",
        "tiers",
    )

    def __init__(self, market: Market, tiers: Tiers, is_long: bool) -> None:
        self.market = market  # its market, tiers and side, so an account's entry needs no lookup
        self.symbol = market.symbol
        self.tiers = tiers
        self.is_long = is_long
        empty = NO_LONG_LIQUIDATION if is_long else NO_SHORT_LIQUIDATION
        self.prices: list[int] = []  # slot -> liquidation price in ticks, `empty` when unused
        self.account_of: list[int] = []  # slot -> account id (stale when unused)
        self.slot_of: dict[int, int] = {}  # account id -> slot
        self.free: list[int] = []  # unused slots
        self.empty = empty
        self.synced = np.empty(0, dtype=np.int64)  # the prices as of the last lookup
        self.changed: list[int] = []  # slots written since then
        self.resync = False  # so many written that a whole copy is cheaper
        # the highest long (lowest short) price held, or past it: a mark beyond it crosses nobody,
        # which is known without numpy; written prices only push it out, each lookup makes it exact
        self.bound = empty

    def __len__(self) -> int:
        return len(self.slot_of)

    def liquidation_price(self, size_lots: int, rest_micro: int) -> int:
        """Of a position of this market and side (see Tiers.liquidation_price_ticks)."""
        price = self.tiers.liquidation_price_ticks(size_lots, rest_micro, self.market.micro_per_tick_lot)
        if price > NO_SHORT_LIQUIDATION:
            price = NO_SHORT_LIQUIDATION  # no price that high can be marked: never liquidated either way
        return price

    def put(self, account_id: int, price_ticks: int) -> int:
        """Set the account's price; returns its slot."""
        slot = self.slot_of.get(account_id)
        if slot is None:
            if self.free:
                slot = self.free.pop()
                self.account_of[slot] = account_id
            else:
                slot = len(self.account_of)
                self.account_of.append(account_id)
                self.prices.append(self.empty)
            self.slot_of[account_id] = slot
        self.prices[slot] = price_ticks
        self.note_changed(slot)
        self.widen(price_ticks)
        return slot

    def move(self, slot: int, price_ticks: int) -> None:
        """A new price for the account in `slot`."""
        self.prices[slot] = price_ticks
        self.note_changed(slot)
        self.widen(price_ticks)

    def widen(self, price_ticks: int) -> None:
        if price_ticks > self.bound if self.is_long else price_ticks < self.bound:
            self.bound = price_ticks

    def discard(self, account_id: int) -> None:
        slot = self.slot_of.get(account_id)
        if slot is not None:
            del self.slot_of[account_id]
            self.prices[slot] = self.empty
            self.free.append(slot)
            self.note_changed(slot)

    def note_changed(self, slot: int) -> None:
        if not self.resync:
            if len(self.changed) >= len(self.prices):
                self.resync = True
                self.changed = []
            else:
                self.changed.append(slot)

    def current(self) -> np.ndarray:
        """The prices as a numpy array, brought up to date."""
        if self.resync or len(self.synced) != len(self.prices):
            self.synced = np.array(self.prices, dtype=np.int64)
        elif self.changed:
            prices = self.prices
            self.synced[np.array(self.changed, dtype=np.intp)] = [prices[slot] for slot in self.changed]
        self.changed = []
        self.resync = False
        return self.synced

    def at_or_above(self, price_ticks: int) -> list[int]:
        """Accounts whose price is >= `price_ticks` (longs a mark that low liquidates)."""
        if not self.slot_of or price_ticks > self.bound:
            return []
        prices = self.current()
        self.bound = int(prices.max())
        slots = np.flatnonzero(prices >= price_ticks)
        return [self.account_of[slot] for slot in slots.tolist()]

    def at_or_below(self, price_ticks: int) -> list[int]:
        """Accounts whose price is <= `price_ticks` (shorts a mark that high liquidates)."""
        if not self.slot_of or price_ticks < self.bound:
            return []
        prices = self.current()
        self.bound = int(prices.min())
        slots = np.flatnonzero(prices <= price_ticks)
        return [self.account_of[slot] for slot in slots.tolist()]

    def sorted_items(self) -> list[tuple[int, int]]:
        """(price, account) of every indexed account, ascending: for tests and invariants."""
        return sorted((self.prices[slot], account_id) for account_id, slot in self.slot_of.items())


class LiquidationWatch:
    """The common account, one cross position, keeps its entry on itself (`Account.watch_*`: its
    side index, slot and price), so re-indexing it after a fill looks nothing up; every other
    account's entries are listed in `entries`."""

    __slots__ = ("entries", "longs", "multi", "shorts")

    def __init__(self) -> None:
        self.longs: dict[str, SideIndex] = {}  # market -> liquidate at mark <= price
        self.shorts: dict[str, SideIndex] = {}  # market -> liquidate at mark >= price
        self.multi: dict[str, set[int]] = {}  # market -> accounts holding it and another market
        self.entries: dict[int, list[Any]] = {}  # account -> its Entry tuples and multi-market symbols

    def side(self, symbol: str, is_long: bool, markets: dict[str, Market], tiers: dict[str, Tiers]) -> SideIndex:
        sides = self.longs if is_long else self.shorts
        side = sides.get(symbol)
        if side is None:
            side = sides[symbol] = SideIndex(markets[symbol], tiers[symbol], is_long)
        return side

    def entries_for(self, account: Account) -> list[Any]:
        """What the watch holds for the account: Entry tuples, then multi-market symbols."""
        side = account.watch_side
        if side is not None:
            return [(side.symbol, side.is_long, account.watch_price)]
        return self.entries.get(account.account_id, [])

    def forget(self, account: Account) -> None:
        account_id = account.account_id
        side = account.watch_side
        if side is not None:
            side.discard(account_id)
            account.watch_side = None
            return
        entry = self.entries.pop(account_id, None)
        if not entry:
            return
        for item in entry:
            if isinstance(item, str):
                self.multi[item].discard(account_id)
            else:
                symbol, is_long, _ = item
                (self.longs if is_long else self.shorts)[symbol].discard(account_id)

    def rebuild(self, accounts: list[Account], markets: dict[str, Market], tiers: dict[str, Tiers]) -> None:
        """Index these accounts (all that hold positions) from scratch (a restore)."""
        self.longs, self.shorts, self.multi, self.entries = {}, {}, {}, {}
        for account in accounts:
            account.watch_side = None
            self.index(account, markets, tiers)

    def index(self, account: Account, markets: dict[str, Market], tiers: dict[str, Tiers]) -> None:
        """(Re)index one account from its current state: each isolated position on its own, the
        cross positions by price if there is one, as a multi-market holder if there are several."""
        if not account.isolated_micro:
            only: Position | None = None
            count = 0
            sole = account.sole_position
            if sole is not None:  # one position in all: no need to walk the positions dict
                if sole.size_lots:
                    only = sole
                    count = 1
            else:
                for position in account.positions.values():
                    if position.size_lots:
                        only = position
                        count += 1
            if count == 1 and only is not None:  # the common account
                is_long = only.size_lots > 0
                rest_micro = account.balance_micro - only.cost_micro
                side = account.watch_side
                if side is not None and side.symbol == only.market and side.is_long == is_long:
                    price = side.liquidation_price(only.size_lots, rest_micro)
                    if account.watch_price != price:  # moved: rewritten in place
                        side.move(account.watch_slot, price)
                        account.watch_price = price
                    return
                self.forget(account)
                side = self.side(only.market, is_long, markets, tiers)
                price = side.liquidation_price(only.size_lots, rest_micro)
                account.watch_slot = side.put(account.account_id, price)
                account.watch_side = side
                account.watch_price = price
                return
        entries = self.entries_of(account, markets, tiers)
        if account.watch_side is None and self.entries.get(account.account_id, []) == entries:
            return
        self.forget(account)
        if not entries:
            return
        account_id = account.account_id
        for item in entries:
            if isinstance(item, str):
                multi = self.multi.get(item)
                if multi is None:
                    multi = self.multi[item] = set()
                multi.add(account_id)
            else:
                symbol, is_long, price = item
                self.side(symbol, is_long, markets, tiers).put(account_id, price)
        self.entries[account_id] = entries

    def entries_of(self, account: Account, markets: dict[str, Market], tiers: dict[str, Tiers]) -> list[Any]:
        """The entries of an account that is not the common one (`index` keeps that one on the
        account): Entry tuples for its priced buckets, then the symbols of a multi-market cross."""
        isolated = account.isolated_micro
        entries: list[Any] = []
        if not isolated:  # no position, or cross positions in several markets
            held = sorted(p.market for p in account.positions.values() if p.size_lots)
            assert len(held) != 1, "the common account is indexed on itself"
            entries.extend(held)
            return entries
        cross = sorted(s for s, p in account.positions.items() if p.size_lots and s not in isolated)
        if len(cross) == 1:
            symbol = cross[0]
            position = account.positions[symbol]
            rest_micro = account.balance_micro - sum(isolated.values()) - position.cost_micro
            entries.append(self.priced(symbol, position.size_lots, rest_micro, markets, tiers))
        for symbol in sorted(isolated):
            bucket = account.positions.get(symbol)
            if bucket is not None and bucket.size_lots:
                rest_micro = isolated[symbol] - bucket.cost_micro
                entries.append(self.priced(symbol, bucket.size_lots, rest_micro, markets, tiers))
        if len(cross) > 1:
            entries.extend(cross)
        return entries

    def priced(
        self, symbol: str, size_lots: int, rest_micro: int, markets: dict[str, Market], tiers: dict[str, Tiers]
    ) -> Entry:
        is_long = size_lots > 0
        return (symbol, is_long, self.side(symbol, is_long, markets, tiers).liquidation_price(size_lots, rest_micro))

    def candidates(self, symbol: str, mark_ticks: int) -> list[int]:
        """Accounts that may be below maintenance at this mark, in id order."""
        longs = self.longs.get(symbol)
        crossed_longs = longs.at_or_above(mark_ticks) if longs is not None else []
        shorts = self.shorts.get(symbol)
        crossed_shorts = shorts.at_or_below(mark_ticks) if shorts is not None else []
        multi = self.multi.get(symbol)
        if not crossed_longs and not crossed_shorts and not multi:
            return []  # the usual answer, after every trade before a first mark: nothing to build
        found = set(crossed_longs)
        found.update(crossed_shorts)
        if multi:
            found.update(multi)
        return sorted(found)
