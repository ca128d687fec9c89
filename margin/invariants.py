"""What must hold between commands, checked by tests after every step (AssertionError otherwise)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from margin.accounts import NO_SETTINGS, Account
from margin.ledger import INSURANCE_ACCOUNT, SYSTEM_ACCOUNTS
from margin.requirements import buckets_below_maintenance
from margin.watch import LiquidationWatch

if TYPE_CHECKING:
    from margin.engine import MarginEngine


def check_margin_invariants(engine: MarginEngine) -> None:
    risk = engine.margin
    ledger = risk.ledger
    accounts = ledger.accounts
    assert ledger.total_micro() == 0, f"USDC does not sum to zero: {ledger.total_micro()}"
    assert not NO_SETTINGS, "the shared empty settings table was written"
    for account in accounts.values():
        held = list(account.positions.values())
        assert account.sole_position is (held[0] if len(held) == 1 else None), "sole_position is stale"
        assert not account.changed and not account.changed_count, "a change left unreported"
    assert not risk.liquidating and not risk.touched and not risk.unmarked_traded, "a command left work behind"
    assert not risk.changed_count, "a change left unreported"
    sizes: dict[str, int] = {}
    costs: dict[str, int] = {}
    holders: dict[str, set[int]] = {}
    orders: dict[tuple[int, str], list[int]] = {}
    for trader in engine.traders.values():
        for order in trader.orders():
            u = engine.markets[order.market].micro_per_tick_lot
            totals = orders.setdefault((order.account_id, order.market), [0, 0, 0, 0])
            notional = order.remaining_lots * order.price_ticks * u
            if order.is_buy:
                totals[0] += order.remaining_lots
                totals[1] += notional
            else:
                totals[2] += order.remaining_lots
                totals[3] += notional
    for account_id, account in accounts.items():
        assert account.account_id == account_id
        for symbol, p in account.positions.items():
            sizes[symbol] = sizes.get(symbol, 0) + p.size_lots
            costs[symbol] = costs.get(symbol, 0) + p.cost_micro
            if p.size_lots:
                holders.setdefault(symbol, set()).add(account_id)
                assert (p.cost_micro > 0) == (p.size_lots > 0) or p.cost_micro == 0, "entry cost of the wrong sign"
                assert p.funding_index == risk.funding_index.get(symbol, 0), "position missed a funding settlement"
            else:
                assert p.cost_micro == 0, "a flat position keeps an entry cost"
            expected = orders.get((account_id, symbol), [0, 0, 0, 0])
            actual = [p.buy_lots, p.buy_notional_micro, p.sell_lots, p.sell_notional_micro]
            assert actual == expected, f"open-order totals of {account_id} in {symbol}: {actual} != {expected}"
        if account_id in SYSTEM_ACCOUNTS and account_id != INSURANCE_ACCOUNT:
            assert not any(p.size_lots for p in account.positions.values()), "a system account holds a position"
    for key in orders:
        assert key[1] in accounts[key[0]].positions, "open orders without a position record"
    for symbol, total in sizes.items():
        assert total == 0, f"positions in {symbol} sum to {total}"
        assert ledger.clearing_micro.get(symbol, 0) + costs[symbol] == 0, f"clearing of {symbol} != entry costs"
    assert {s: h for s, h in holders.items() if h} == {s: h for s, h in risk.holders.items() if h}, "holder sets stale"
    for account_id, account in accounts.items():
        if account_id in SYSTEM_ACCOUNTS or not any(p.size_lots for p in account.positions.values()):
            continue
        below = buckets_below_maintenance(account, engine.markets, risk.tiers)
        assert not below, f"account {account_id} below maintenance in {below} and not liquidated"
    watch = risk.watch
    for account_id, account in accounts.items():
        assert not account.touched, f"account {account_id} still marked touched"
        if account_id <= 0:
            continue
        fresh = LiquidationWatch()
        shadow = Account(account_id, account.balance_micro)  # the same state, never indexed
        shadow.positions, shadow.isolated_micro = account.positions, account.isolated_micro
        shadow.sole_position = account.sole_position
        fresh.index(shadow, engine.markets, risk.tiers)
        assert watch.entries_for(account) == fresh.entries_for(shadow), f"watch of {account_id} is stale"
    indexed: dict[tuple[str, bool], list[tuple[int, int]]] = {}
    for account_id, account in accounts.items():
        for item in watch.entries_for(account):
            if not isinstance(item, str):
                symbol, is_long, price = item
                indexed.setdefault((symbol, is_long), []).append((price, account_id))
    for sides, is_long in ((watch.longs, True), (watch.shorts, False)):
        for symbol, side in sides.items():
            assert side.sorted_items() == sorted(indexed.get((symbol, is_long), [])), f"{symbol} index stale"
    for account_id, account in accounts.items():
        for symbol, margin in account.isolated_micro.items():
            position = account.positions.get(symbol)
            if position is None or not position.size_lots:
                assert margin == 0, f"a flat isolated market of {account_id} keeps margin"
