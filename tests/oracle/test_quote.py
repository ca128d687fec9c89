"""The gate every quote passes, whatever adapter it came from."""

import math

import pytest

from oracle.quote import Quote, quote_problem

NOW_MS = 1_764_000_000_000


@pytest.mark.parametrize(
    ("quote", "problem"),
    [
        (Quote("s", "NVDA", 180.0, NOW_MS), None),
        (Quote("s", "NVDA", 180.0, NOW_MS + 5_000), None),  # a little clock skew is tolerated
        (Quote("s", "NVDA", 180.0, NOW_MS + 5_001), "timestamp_in_future"),
        (Quote("s", "NVDA", 0.0, NOW_MS), "price_not_positive"),
        (Quote("s", "NVDA", -1.0, NOW_MS), "price_not_positive"),
        (Quote("s", "NVDA", math.nan, NOW_MS), "price_not_finite"),
        (Quote("s", "NVDA", math.inf, NOW_MS), "price_not_finite"),
        (Quote("s", "NVDA", 180.0, NOW_MS, conf=-1.0), "conf_invalid"),
        (Quote("s", "NVDA", 180.0, 0), "timestamp_invalid"),
    ],
)
def test_quote_problem(quote: Quote, problem: str | None) -> None:
    assert quote_problem(quote, NOW_MS) == problem
