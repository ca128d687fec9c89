"""The premium of one sample: how far the book's impact prices stand from the index.

    P = (max(0, impact_bid - index) - max(0, index - impact_ask)) / index

Positive when buyers would pay above the index for the impact notional (longs then pay shorts),
negative when sellers would sell below it, zero while the index sits between the impact prices.

Thin-side rule: a side that cannot absorb the impact notional (`OrderBook.impact_price_ticks`
answers None) exerts no pressure, so its term is 0, exactly as if its impact price were the index.
A thin side is by definition not where demand stands; counting it as the best price, or as a
missing sample, would let anyone move or erase the premium by pulling a handful of orders from it.
A book with both sides thin therefore samples a premium of 0. A sample without an index price is
not a premium at all: the sampler records it as missing (see sampler.py).
"""

PPB = 1_000_000_000


def premium_ppb(impact_bid_ticks: int | None, impact_ask_ticks: int | None, index_price_ticks: int) -> int:
    """The premium in parts per billion of the index, rounded toward zero so that a sample never
    shows more pressure than the book does. `index_price_ticks` must be positive."""
    if index_price_ticks <= 0:
        raise ValueError("the premium needs a positive index price")
    bid_pressure_ticks = max(0, impact_bid_ticks - index_price_ticks) if impact_bid_ticks is not None else 0
    ask_pressure_ticks = max(0, index_price_ticks - impact_ask_ticks) if impact_ask_ticks is not None else 0
    numerator = (bid_pressure_ticks - ask_pressure_ticks) * PPB
    magnitude = abs(numerator) // index_price_ticks
    return magnitude if numerator >= 0 else -magnitude
