"""The liquidation watch finds the accounts a mark can liquidate without evaluating the others."""

from margin.engine import MarginEngine
from margin.watch import LiquidationWatch
from streams.commands import SetMarginMode
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
    risk.refresh_watch()
    prices = {a: risk.watch.entries[a][0][2] for a in range(1, 21)}
    assert prices[1] > prices[2] > prices[20]  # less collateral, higher liquidation price
    mark = prices[5]
    assert risk.watch.candidates("AAPLUSDC", mark) == [1, 2, 3, 4, 5]
    assert risk.watch.candidates("AAPLUSDC", mark + 1) == [1, 2, 3, 4]
    assert risk.watch.candidates("AAPLUSDC", ticks("100")) == []


def test_a_mark_update_liquidates_exactly_the_crossed_accounts() -> None:
    ex = many_longs()
    ex.risk.refresh_watch()
    mark = ex.risk.watch.entries[5][0][2]
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
    ex.risk.refresh_watch()
    assert ex.risk.watch.entries[1] == ["AAPLUSDC", "NVDAUSDC"]
    ex.mark("98", "NVDAUSDC")  # equity 810, maintenance 475: fine
    assert ex.size(1, "NVDAUSDC") == 95
    ex.mark("96", "AAPLUSDC")  # equity 810 - 380 = 430 < maintenance 2.5% x (9,120 + 9,310) = 461
    assert ex.size(1, "AAPLUSDC") == 0 and ex.size(1, "NVDAUSDC") == 0


def test_restore_rebuilds_the_watch() -> None:
    ex = many_longs()
    ex.risk.refresh_watch()
    restored = MarginEngine.restore(ex.engine.snapshot())
    assert restored.risk.watch.entries == ex.risk.watch.entries
    assert restored.state_hash() == ex.engine.state_hash()


def test_rebuilding_at_once_and_indexing_one_by_one_agree() -> None:
    """A burst of 120 traders (long and short, cross and isolated) is indexed by one sort per side;
    indexing each account on its own must give the same index."""
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
    assert len(risk.watch.dirty) > 64
    risk.refresh_watch()  # most are dirty: the rebuild path
    one_by_one = LiquidationWatch()
    for account_id in sorted(risk.ledger.accounts):
        if account_id > 0:
            one_by_one.index(risk.ledger.accounts[account_id], ex.engine.markets, risk.tiers)
    assert one_by_one.entries == risk.watch.entries
    for market in ("AAPLUSDC", "NVDAUSDC"):
        assert list(one_by_one.longs.get(market, [])) == list(risk.watch.longs.get(market, []))
        assert list(one_by_one.shorts.get(market, [])) == list(risk.watch.shorts.get(market, []))
        assert one_by_one.multi.get(market) == risk.watch.multi.get(market)
    ex.engine.check_invariants()
