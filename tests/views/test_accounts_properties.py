"""Property test: margin/'s random trading sequences (tests/margin/test_properties.py: orders,
amends, cancels, a maker's quotes, marks with gaps up to 40%, funding, dividends, splits, margin
modes), each event folded into an AccountsView, which equals the engine after every command; a
second view started from a snapshot at a point hypothesis picks equals it from there on.
"""

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.margin.test_properties import MARKETS, TRADERS, new_exchange, ops, run
from tests.views.account_agreement import assert_agrees
from views.accounts import AccountsView


@settings(
    max_examples=int(os.environ.get("VIEWS_EXAMPLES", 40)), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    st.lists(st.tuples(st.sampled_from(TRADERS), st.integers(100, 20_000)), min_size=1, max_size=5),
    st.lists(ops, max_size=40),
    st.integers(0, 40),
)
def test_the_view_equals_the_engine_after_every_step(
    deposits: list[tuple[int, int]], sequence: list[tuple], snapshot_at: int
) -> None:
    ex = new_exchange()
    view = AccountsView([ex.engine.markets[m].spec for m in MARKETS])
    for event in ex.events:
        view.apply(event)
    restarted: AccountsView | None = None
    steps = [("deposit", account, amount) for account, amount in deposits] + sequence
    for step, op in enumerate(steps):
        first = len(ex.events)
        run(ex, op)
        for event in ex.events[first:]:
            view.apply(event)
            if restarted is not None:
                restarted.apply(event)
        assert_agrees(view, ex.engine)
        if step == snapshot_at:
            restarted = AccountsView.from_snapshot(ex.engine.snapshot())
        if restarted is not None:
            assert_agrees(restarted, ex.engine)
