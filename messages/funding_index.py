"""The funding service's published view of a market (funding/publisher.py writes it to Redis after
every step; views/ and the api read it): the current premium, the rate the running interval would
settle at, the next funding time and the last settled rate. A message between processes, hence
here on the ground floor, where the funding service (which computes it) and the readers (which
may not import funding/) both find it."""

import msgspec


class FundingRate(msgspec.Struct, frozen=True):
    """The rate and how it came about (the queries and the history show the parts)."""

    rate_ppb: int
    mean_premium_ppb: int  # of the samples present, rounded toward zero; 0 when none
    samples_present: int
    samples_expected: int
    premium_used: bool  # False when coverage was too low and the premium counted as 0
    capped: bool


class PremiumIndex(msgspec.Struct, frozen=True):
    market: str
    premium_ppb: int | None  # the latest sample's; None before the first
    predicted: FundingRate  # over the running interval's slots so far
    next_funding_time_ms: int
    interest_ppb: int  # the interval's interest component, rounded toward zero
    last_rate_ppb: int | None  # the latest settled rate; None before the first settlement
    index_price_ticks: int = 0  # the index the premium is measured against; 0 while unknown
    time_ms: int = 0  # when this view was taken (the service's clock)
