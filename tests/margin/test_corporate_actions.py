"""Splits leave every equity unchanged; dividends are paid exactly, shorts to longs."""

from decimal import Decimal

from margin.queries import account_summary
from messages.events import AccountUpdated, DividendPaid, DividendSettled, SplitApplied
from tests.margin.exchange import Exchange, rejected, spec, usdc


def book_with_positions() -> Exchange:
    """1 long 40 @ 400.00, 2 short 40, 3 resting bids 10 @ 390.00 and asks 5 @ 410.00."""
    ex = Exchange(spec(lot_size="0.01"))
    for account in (1, 2, 3):
        ex.deposit(account, "100000")
    ex.mark("400")
    ex.order(2, "sell", 4000, "400")
    ex.order(1, "buy", 4000, "400")
    ex.order(3, "buy", 1000, "390")
    ex.order(3, "sell", 500, "410")
    ex.mark("401.5")
    return ex


def test_four_for_one_split_leaves_every_equity_unchanged() -> None:
    """| before: tick 0.01, lot 0.01 share | after: tick 0.0025, lot 0.04 share |
    | long 40 shares @ 400.00, mark 401.50 | long 160 shares @ 100.00, mark 100.375 |
    | bid 10 shares @ 390                  | bid 40 shares @ 97.50                  |"""
    ex = book_with_positions()
    equities = {a: ex.equity(a) for a in (1, 2, 3)}
    events = ex.split(4, 1)
    assert isinstance(events[0], SplitApplied)
    market = ex.engine.markets["AAPLUSDC"]
    assert (market.spec.tick_size, market.spec.lot_size) == ("0.0025", "0.04")
    assert {a: ex.equity(a) for a in (1, 2, 3)} == equities
    position = account_summary(ex.engine, 1).positions[0]
    lot, tick = Decimal(market.spec.lot_size), Decimal(market.spec.tick_size)
    assert position.size_lots * lot == 160
    assert position.entry_price_ticks * tick == 100
    assert position.mark_price_ticks * tick == Decimal("100.375")
    bid = next(iter(market.book.side_in_priority(True)))
    assert (bid.remaining_lots * lot, bid.price_ticks * tick) == (40, Decimal("97.5"))


def test_a_split_that_is_not_exact_in_decimals_is_refused() -> None:
    ex = book_with_positions()
    before = ex.risk.snapshot_state()
    assert rejected(ex.split(3, 1)) == "INVALID_RATIO"  # a tick of 0.00333...
    assert rejected(ex.split(0, 1)) == "INVALID_RATIO"
    assert ex.risk.snapshot_state() == before
    assert ex.engine.markets["AAPLUSDC"].spec.tick_size == "0.01"


def test_a_dividend_is_paid_exactly() -> None:
    """0.24 USDC a share: the long of 40 shares receives 9.60, the short pays 9.60, no dust."""
    ex = book_with_positions()
    events = ex.dividend(240_000)
    paid = {e.account_id: e.amount_micro for e in events if isinstance(e, DividendPaid)}
    assert paid == {1: usdc("9.6"), 2: -usdc("9.6")}
    settled, *updates = events[-3:]
    assert isinstance(settled, DividendSettled) and settled.dust_micro == 0
    # then each holder's new balance, in account-id order (a cross position: no position listed)
    assert updates == [
        AccountUpdated(settled.seq + 1, settled.command_id, settled.ts_ms, 1, ex.balance(1), ()),
        AccountUpdated(settled.seq + 2, settled.command_id, settled.ts_ms, 2, ex.balance(2), ()),
    ]


def test_dividend_rounding_dust_goes_to_the_fee_account() -> None:
    """0.333333 a share on 0.01-share lots x 4,000 = 40 shares: 13.33332 exactly; now 4,001 lots."""
    ex = book_with_positions()
    ex.order(2, "sell", 1, "390")  # fills the bid of 3 at 390: 3 is long 1 lot, 2 short 4,001
    ex.dividend(333_333)
    # long 1: 4000 x 3333.33 = 13,333,320; long 3: 1 x 3333.33 -> 3,333; short 2: -4001 x 3333.33 -> -13,336,654
    assert ex.balance(1) - usdc("100000") == 13_333_320
    assert ex.fees == 1
