"""Fuzz: any margin command with any field values never crashes the engine and keeps every invariant.

Accounts include system ids (negative) and unknown ones, markets unknown symbols, amounts zero,
negative and huge, ratios of zero; each command is either applied or answered with a Rejected event.
"""

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from messages.commands import (
    AdjustIsolatedMargin,
    CashDividend,
    Deposit,
    FundingSettle,
    PlaceOrder,
    PriceUpdate,
    SetLeverage,
    SetMarginMode,
    Split,
    Withdraw,
)
from messages.enums import OrderType, Side, TimeInForce
from tests.margin.exchange import Exchange, spec

accounts = st.integers(-4, 6)
markets = st.sampled_from(("AAPLUSDC", "NVDAUSDC", "", "NOPEUSDC"))
amounts = st.one_of(st.integers(-(10**12), 10**12), st.sampled_from((0, -1, 1, 10**30)))
small = st.integers(-3, 200)

commands = st.one_of(
    st.builds(lambda a, x: (Deposit, a, x), accounts, amounts),
    st.builds(lambda a, x: (Withdraw, a, x), accounts, amounts),
    st.builds(lambda a, m, x: (SetLeverage, a, m, x), accounts, markets, small),
    st.builds(lambda a, m, b: (SetMarginMode, a, m, b), accounts, markets, st.booleans()),
    st.builds(lambda a, m, x: (AdjustIsolatedMargin, a, m, x), accounts, markets, amounts),
    st.builds(lambda m, t, r: (FundingSettle, m, t, r), markets, st.integers(-5, 10**13), amounts),
    st.builds(lambda m, n, o: (Split, m, n, o), markets, small, small),
    st.builds(lambda m, x: (CashDividend, m, x), markets, amounts),
    st.builds(lambda m, p, q: (PriceUpdate, m, p, q), markets, st.integers(-5, 10**7), st.integers(-5, 10**7)),
    st.builds(
        lambda a, m, b, lots, price, kind: (
            PlaceOrder, a, m, Side.BUY if b else Side.SELL, lots, price if kind is OrderType.LIMIT else 0, kind,
            TimeInForce.GTC if kind is OrderType.LIMIT else TimeInForce.IOC,
        ),
        accounts, markets, st.booleans(), st.integers(-2, 10**6), st.integers(-2, 10**6),
        st.sampled_from((OrderType.LIMIT, OrderType.MARKET)),
    ),
)  # fmt: skip


@settings(max_examples=int(os.environ.get("MARGIN_EXAMPLES", 150)), deadline=None)
@given(st.lists(commands, max_size=30))
def test_any_margin_command_is_applied_or_rejected_never_a_crash(sequence: list[tuple]) -> None:
    ex = Exchange(spec("AAPLUSDC"), spec("NVDAUSDC", lot_size="0.1"))
    ex.deposit(1, "1000")
    ex.deposit(2, "1000000")
    for command_type, *fields in sequence:
        ex.apply(command_type, *fields)  # invariants checked after each
