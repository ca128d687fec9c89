"""Margin calls from the accounts view, numbers checkable by hand.

Trader 1 deposits 1,000 USDC, sets 10x and buys 100 AAPL at 100.00 (no fees; maintenance 2.5% of
notional below 1M). Equity at mark P: 100 P - 9,000; maintenance 2.5 P. Margin ratio
2.5 P / (100 P - 9,000) reaches 80% when 77.5 P <= 7,200: at 92.90 and below (92.91: 79.82%);
liquidation (100%) comes at 92.30 and below.
"""

import pytest

from margin.requirements import CROSS
from messages.commands import AdjustIsolatedMargin, SetMarginMode
from messages.enums import Side
from tests.margin.exchange import ticks, usdc
from tests.views.test_accounts import Followed, funded
from views.margin_calls import CalledPosition, MarginCall, MarginCalls, buckets_in_call


def ten_x_long(isolated: bool = False) -> Followed:
    ex = funded("1000", "100000")
    if isolated:
        ex.deposit(1, "9000")  # 9,000 stays in cross, 1,000 goes into the position
        ex.apply(SetMarginMode, 1, "AAPLUSDC", True)
    ex.leverage(1, 10)
    ex.limit(2, Side.SELL, 100, "100")
    ex.limit(1, Side.BUY, 100, "100")
    assert ex.size(1) == 100
    return ex


@pytest.mark.parametrize(
    ("mark", "called"),
    [("100", False), ("95", False), ("92.91", False), ("92.90", True), ("92.31", True)],
)
def test_a_ten_x_long_is_in_margin_call_at_92_90_not_before(mark: str, called: bool) -> None:
    ex = ten_x_long()
    ex.mark(mark)
    account = ex.view.get_account(1)
    assert account is not None
    assert buckets_in_call(ex.view.risk, account) == ([CROSS] if called else [])
    summary = ex.view.account_summary(1)
    assert summary is not None and (summary.margin_ratio_ppm >= 800_000) is called  # the same ratio, one bucket


def test_each_crossing_is_told_once_and_re_armed_below_80_percent() -> None:
    ex = ten_x_long()
    calls = MarginCalls(ex.view)
    assert calls.get_crossing(1) is None
    ex.mark("92.90")
    expected = MarginCall(
        1,
        usdc("1000"),
        True,
        [CalledPosition("AAPLUSDC", 100, False, 0, ticks("92.90"), usdc("-710"), usdc("232.25"))],
    )
    assert calls.get_crossing(1) == expected
    ex.mark("92.50")
    assert calls.get_crossing(1) is None  # still in call: not again
    ex.mark("93")
    assert calls.get_crossing(1) is None  # back below 80%: re-armed, nothing to tell
    ex.mark("92.80")
    call = calls.get_crossing(1)
    assert call is not None and call.positions[0].mark_price_ticks == ticks("92.80")


def test_a_deposit_re_arms_and_forget_starts_over() -> None:
    ex = ten_x_long()
    calls = MarginCalls(ex.view)
    ex.mark("92.50")
    assert calls.get_crossing(1) is not None
    ex.deposit(1, "500")  # equity 750 against maintenance 231.25: 31%
    assert calls.get_crossing(1) is None
    ex.mark("92.40")
    assert calls.get_crossing(1) is None  # 231 / 740: still well below 80%
    calls.forget(1)
    assert calls.called == {}


def test_an_isolated_position_is_called_on_its_own_margin() -> None:
    """Isolated with 1,000 of margin: the same 92.90; the cross bucket (9,000, no position) is never called."""
    ex = ten_x_long(isolated=True)
    calls = MarginCalls(ex.view)
    ex.mark("92.91")
    assert calls.get_crossing(1) is None
    ex.mark("92.90")
    call = calls.get_crossing(1)
    assert call == MarginCall(
        1,
        usdc("9000"),
        False,
        [CalledPosition("AAPLUSDC", 100, True, usdc("1000"), ticks("92.90"), usdc("-710"), usdc("232.25"))],
    )
    ex.apply(AdjustIsolatedMargin, 1, "AAPLUSDC", usdc("500"))  # 1,500 + 100 x (92.90 - 100) = 790
    assert calls.get_crossing(1) is None and calls.called == {}


def test_a_liquidated_position_leaves_nothing_in_call() -> None:
    ex = ten_x_long()
    ex.limit(2, Side.BUY, 100, "92")  # the book takes the liquidation
    calls = MarginCalls(ex.view)
    ex.mark("92.90")
    assert calls.get_crossing(1) is not None
    ex.mark("92.30")
    assert ex.size(1) == 0
    assert calls.get_crossing(1) is None and calls.called == {}


def test_unknown_and_system_accounts_are_never_called() -> None:
    ex = ten_x_long()
    calls = MarginCalls(ex.view)
    ex.mark("92.50")
    assert calls.get_crossing(99) is None and calls.get_crossing(0) is None
