"""The index of one market: the external price when a fresh one exists, else an internal price that
follows the book but stays within 1/max-leverage of the last external price.

Why the clamp: while the stock does not trade, the book alone decides, and a thin weekend book could
walk the index (and with it every mark and liquidation) anywhere. A band of 1/max-leverage is the
move that would wipe out a max-leverage position, so the off-hours book can never, on its own,
liquidate someone who was safe at the close. When the market reopens the index re-anchors at once
to the external price; the mark (mark.py) absorbs the jump in bounded steps.

Pure: time is passed in. Prices are fractional ticks.
"""

import math

import msgspec

from messages.enums import PriceSource


class IndexParams(msgspec.Struct, frozen=True):
    tau_ms: int = 600_000  # the internal price's EMA time constant toward the book's impact mid
    max_step_share: float = 0.05  # no update closes more than this share of the gap to the book


class IndexTracker:
    """Index state of one market; `update` once per oracle step."""

    def __init__(self, max_leverage: int, params: IndexParams | None = None) -> None:
        self.params = params or IndexParams()
        self.band = 1.0 / max_leverage
        self.anchor_ticks: float | None = None  # the last external price
        self.index_ticks: float | None = None
        self.source = PriceSource.INTERNAL
        self.last_ms: int | None = None

    def seed(self, anchor_ticks: float, now_ms: int) -> None:
        """Start from a price known to be old (a stale quote at start-up): internal, but anchored."""
        if self.anchor_ticks is None:
            self.anchor_ticks = self.index_ticks = anchor_ticks
            self.last_ms = now_ms

    def update(self, now_ms: int, external_ticks: float | None, impact_mid_ticks: float | None) -> float | None:
        """The index at `now_ms`; None only before any price at all has been seen."""
        last_ms = self.last_ms if self.last_ms is not None else now_ms
        self.last_ms = now_ms
        if external_ticks is not None:
            self.anchor_ticks = self.index_ticks = external_ticks
            self.source = PriceSource.EXTERNAL
            return self.index_ticks
        self.source = PriceSource.INTERNAL
        if self.anchor_ticks is None or self.index_ticks is None:
            return None
        if impact_mid_ticks is not None and now_ms > last_ms:
            share = min(1.0 - math.exp(-(now_ms - last_ms) / self.params.tau_ms), self.params.max_step_share)
            self.index_ticks += share * (impact_mid_ticks - self.index_ticks)
        low, high = self.anchor_ticks * (1.0 - self.band), self.anchor_ticks * (1.0 + self.band)
        self.index_ticks = min(max(self.index_ticks, low), high)
        return self.index_ticks

    def rescale(self, factor: float) -> None:
        """A split multiplies every price by `factor` (ratio_old / ratio_new)."""
        if self.anchor_ticks is not None and self.index_ticks is not None:
            self.anchor_ticks *= factor
            self.index_ticks *= factor
