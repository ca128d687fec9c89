"""The liquidation watch finds the accounts a mark can liquidate without evaluating the others."""

from hypothesis import given
from hypothesis import strategies as st

from margin.engine import MarginEngine
from margin.tiers import Tiers
from margin.watch import SideIndex
from matching.market import Market
from messages.commands import SetMarginMode
from tests.margin.exchange import Exchange, spec, ticks


def many_longs() -> Exchange:
    """Traders 1..20 each long 10 @ 100.00 at 20x with 50 + 10 x id USDC: liquidation prices rise
    as deposits fall. Trader 100 is the short side and holds plenty."""
    ex = Exchange()
    ex.deposit(100, "1000000")
    ex.mark("100")
    ex.order(100, "sell", 200, "100")
    for account in range(1, 21):
        ex.deposit(account, str(50 + 10 * account))
        ex.order(account, "buy", 10, "100")
    return ex


def test_only_crossed_accounts_are_candidates() -> None:
    ex = many_longs()
    risk = ex.risk
    prices = {a: risk.watch.entries_for(risk.ledger.accounts[a])[0][2] for a in range(1, 21)}
    assert prices[1] > prices[2] > prices[20]  # less collateral, higher liquidation price
    mark = prices[5]
    assert risk.watch.candidates("AAPLUSDC", mark) == [1, 2, 3, 4, 5]
    assert risk.watch.candidates("AAPLUSDC", mark + 1) == [1, 2, 3, 4]
    assert risk.watch.candidates("AAPLUSDC", ticks("100")) == []


def test_a_mark_update_liquidates_exactly_the_crossed_accounts() -> None:
    ex = many_longs()
    mark = ex.risk.watch.entries_for(ex.risk.ledger.accounts[5])[0][2]
    ex.order(100, "buy", 1000, "1")  # a bid far below, so liquidations find the book
    ex.mark(f"{mark / 100:.2f}")
    assert [a for a in range(1, 21) if ex.size(a) == 0] == [1, 2, 3, 4, 5]


def test_a_multi_market_account_is_re_evaluated_on_every_update() -> None:
    ex = Exchange(spec("AAPLUSDC"), spec("NVDAUSDC"))
    ex.deposit(100, "1000000")
    ex.deposit(1, "1000")
    for market in ("AAPLUSDC", "NVDAUSDC"):
        ex.mark("100", market)
        ex.order(100, "sell", 100, "100", market)
        ex.order(1, "buy", 95, "100", market)  # 19,000 at 20x: 950 of 1,000 is initial margin
    ex.order(100, "buy", 1000, "1", "AAPLUSDC")
    ex.order(100, "buy", 1000, "1", "NVDAUSDC")
    assert ex.risk.watch.entries_for(ex.risk.ledger.accounts[1]) == ["AAPLUSDC", "NVDAUSDC"]
    ex.mark("98", "NVDAUSDC")  # equity 810, maintenance 475: fine
    assert ex.size(1, "NVDAUSDC") == 95
    ex.mark("96", "AAPLUSDC")  # equity 810 - 380 = 430 < maintenance 2.5% x (9,120 + 9,310) = 461
    assert ex.size(1, "AAPLUSDC") == 0 and ex.size(1, "NVDAUSDC") == 0


def test_restore_rebuilds_the_watch() -> None:
    ex = many_longs()
    restored = MarginEngine.restore(ex.engine.snapshot())
    for account_id, account in ex.risk.ledger.accounts.items():
        again = restored.margin.ledger.accounts[account_id]
        assert restored.margin.watch.entries_for(again) == ex.risk.watch.entries_for(account)
    assert restored.state_hash() == ex.engine.state_hash()


def test_the_index_kept_command_by_command_equals_one_built_from_scratch() -> None:
    """A burst of 120 traders (long and short, cross and isolated, some in two markets): the watch
    the engine kept up to date after each command is the one a restore builds from scratch, and
    it is current without any mark update."""
    ex = Exchange(spec("AAPLUSDC"), spec("NVDAUSDC"), check=False)
    ex.deposit(1000, "10000000")
    for market in ("AAPLUSDC", "NVDAUSDC"):
        ex.mark("100", market)
    for account in range(1, 121):
        ex.deposit(account, str(100 + 7 * account))
        if account % 3 == 0:
            ex.apply(SetMarginMode, account, "AAPLUSDC", True)
        side, other = ("buy", "sell") if account % 2 else ("sell", "buy")
        ex.order(1000, other, 10, "100")
        ex.order(account, side, 10, "100")
        if account % 5 == 0:  # a second market: re-evaluated on every update instead
            ex.order(1000, other, 5, "100", "NVDAUSDC")
            ex.order(account, side, 5, "100", "NVDAUSDC")
    risk = ex.risk
    kept = {a: risk.watch.entries_for(account) for a, account in risk.ledger.accounts.items() if a > 0}
    assert sum(1 for entries in kept.values() if entries) == 120  # every trader (the counterparty ends flat)
    scratch = MarginEngine.restore(ex.engine.snapshot()).margin  # indexes every account at once
    assert {a: scratch.watch.entries_for(account) for a, account in scratch.ledger.accounts.items() if a > 0} == kept
    for market in ("AAPLUSDC", "NVDAUSDC"):
        for mine, theirs in ((scratch.watch.longs, risk.watch.longs), (scratch.watch.shorts, risk.watch.shorts)):
            assert mine[market].sorted_items() == theirs[market].sorted_items()
        assert scratch.watch.multi.get(market) == risk.watch.multi.get(market)
    ex.engine.check_invariants()


@given(st.lists(st.tuples(st.integers(1, 12), st.none() | st.integers(0, 50), st.integers(0, 51)), max_size=200))
def test_a_side_index_answers_like_a_dict(operations: list[tuple[int, int | None, int]]) -> None:
    """Puts (a price) and discards (None) in any order, each followed by a lookup at some mark:
    the slots, reused as accounts come and go, and the bound that spares numpy most lookups
    answer exactly what a plain dict of prices answers."""
    market = Market(spec("AAPLUSDC"))
    tiers = Tiers(market.spec.margin_tiers)
    longs, shorts = SideIndex(market, tiers, True), SideIndex(market, tiers, False)
    model: dict[int, int] = {}
    for account_id, price, mark in operations:
        for side in (longs, shorts):
            if price is None:
                side.discard(account_id)
            else:
                side.put(account_id, price)
        if price is None:
            model.pop(account_id, None)
        else:
            model[account_id] = price
        assert len(longs) == len(model)
        assert sorted(longs.at_or_above(mark)) == sorted(a for a, p in model.items() if p >= mark)
        assert sorted(shorts.at_or_below(mark)) == sorted(a for a, p in model.items() if p <= mark)
    assert longs.sorted_items() == sorted((p, a) for a, p in model.items())
