"""How strongly funding applies, per market and per moment: a multiplier in parts per million.

Funding ties the perp to the index; while the index is the oracle's internal price (derived from
this very book, because the underlying is closed), a full-strength premium would mostly charge
traders for the book's distance from itself. So each sample carries a multiplier chosen from the
session and the index source at its time, and the rate of an interval is scaled by their mean.
"""

import msgspec

from messages.enums import MarketSession, PriceSource

ONE_PPM = 1_000_000


class MultiplierPolicy(msgspec.Struct, frozen=True):
    """Multipliers in ppm (1_000_000 is full strength). The market override, when present, wins
    over the session table; an internal index multiplies on top of either."""

    session_ppm: dict[MarketSession, int] = msgspec.field(default_factory=dict)
    internal_index_ppm: int = 500_000
    market_ppm: dict[str, dict[MarketSession, int]] = msgspec.field(default_factory=dict)

    def multiplier_ppm(self, market: str, session: MarketSession, index_source: PriceSource) -> int:
        """The multiplier for one sample, rounded down (funding is never made stronger by rounding)."""
        table = self.market_ppm.get(market, {})
        base_ppm = table.get(session, self.session_ppm.get(session, ONE_PPM))
        if index_source is PriceSource.INTERNAL:
            return base_ppm * self.internal_index_ppm // ONE_PPM
        return base_ppm

    def validate(self) -> str | None:
        """Why this policy is unusable, or None. Multipliers lie in [0, 1]: damping, never boosting,
        so that the cap stays the only bound a trader has to know."""
        values = [self.internal_index_ppm, *self.session_ppm.values()]
        values += [ppm for table in self.market_ppm.values() for ppm in table.values()]
        if any(not 0 <= ppm <= ONE_PPM for ppm in values):
            return "multipliers must lie between 0 and 1_000_000 ppm"
        return None
