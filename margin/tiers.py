"""Margin tiers of one market: initial and maintenance margin as exact integer functions of notional.

Initial margin of a notional N in tier i is N / min(chosen leverage, max leverage of tier i), the
whole notional at the tier's rate. Maintenance is half the tier's initial rate, applied piecewise
with a deduction per tier (Binance's "maintenance amount") so that it is continuous in N: no
position drops below maintenance just because its notional crossed a tier floor.

All of it is integer arithmetic over a common denominator D = lcm(2 x max leverage of each tier):
maintenance x D = N x k_i - c_i with k_i = D / (2 L_i). Margin requirements round up (against the
account), so a requirement is never understated by rounding.
"""

import math

from margin.arithmetic import magnitude, wide_times
from matching.market import Market
from messages.market_spec import MarginTier


class Tiers:
    __slots__ = ("c", "denominator", "first_ceiling", "floors", "k", "leverages")

    def __init__(self, tiers: tuple[MarginTier, ...]) -> None:
        self.floors = [t.notional_floor_micro for t in tiers]
        self.leverages = [t.max_leverage for t in tiers]
        self.denominator = math.lcm(*(2 * lev for lev in self.leverages))
        self.k = [self.denominator // (2 * lev) for lev in self.leverages]
        # most notionals sit in the first tier: one comparison instead of a search
        self.first_ceiling = self.floors[1] if len(self.floors) > 1 else (1 << 62) - 1  # native int
        self.c: list[int] = []
        previous_k = 0
        deduction = 0
        for floor, k in zip(self.floors, self.k, strict=True):
            deduction += floor * (k - previous_k)
            self.c.append(deduction)
            previous_k = k

    @property
    def max_leverage(self) -> int:
        return self.leverages[0]

    def tier_of(self, notional_micro: int) -> int:
        """The tier whose floor is the largest at or below the notional (a handful of tiers: a
        scan from the bottom, compiled to native comparisons, beats a bisect call)."""
        floors = self.floors
        if notional_micro < self.first_ceiling or len(floors) == 1:
            return 0
        i = 1
        last = len(floors) - 1
        while i < last and floors[i + 1] <= notional_micro:
            i += 1
        return i

    def initial_margin_micro(self, notional_micro: int, leverage: int) -> int:
        """ceil(N / min(leverage, tier max leverage)): rounded up, against the account."""
        tier_leverage = self.leverages[self.tier_of(notional_micro)]
        return -(-notional_micro // (leverage if leverage < tier_leverage else tier_leverage))

    def maintenance_margin_micro(self, notional_micro: int) -> int:
        """ceil((N x k_i - c_i) / D): continuous across tiers, rounded up, against the account."""
        i = self.tier_of(notional_micro)
        return -(-(notional_micro * self.k[i] - self.c[i]) // self.denominator)

    def liquidation_price_ticks(self, size_lots: int, rest_equity_micro: int, micro_per_tick_lot: int) -> int:
        """The price at which a position of `size_lots` (signed, non-zero) reaches maintenance,
        when the rest of the account's equity (balance - entry cost + other positions) is fixed.

        A long is liquidatable at every price <= the result (0: at no positive price); a short
        at every price >= the result. Exact: equity e is below ceil(y) iff D x e < D x y, and on
        each tier the condition is linear in the price, so each tier gives one integer bound.
        """
        if size_lots > 0 and rest_equity_micro >= 0:
            # maintenance is at most half the notional, and equity is the notional plus the rest
            return 0
        d = self.denominator
        step = magnitude(size_lots) * micro_per_tick_lot  # notional per tick of price
        scaled_rest = wide_times(rest_equity_micro, d)  # D x K
        floors = self.floors
        c = self.c
        k = self.k
        last = len(floors) - 1
        if size_lots > 0:
            # D (K + step P) < step P k_i - c_i  <=>  P < -(c_i + D K) / (step (D - k_i))
            best = 0
            for i in range(last + 1):
                lo = -(-floors[i] // step)
                bound = -((c[i] + scaled_rest) // (step * (d - k[i]))) - 1  # largest P strictly below
                if i < last:
                    hi = -(-floors[i + 1] // step) - 1
                    if bound > hi:
                        bound = hi
                if bound >= lo and bound > best:
                    best = bound
            return best
        # short: D (K - step P) < step P k_i - c_i  <=>  P > (D K + c_i) / (step (D + k_i))
        best_short = 0  # none yet: every bound is at least 1
        for i in range(last + 1):
            lo = -(-floors[i] // step)
            if lo < 1:
                lo = 1
            bound = (scaled_rest + c[i]) // (step * (d + k[i])) + 1  # smallest P strictly above
            if bound < lo:
                bound = lo
            if (i == last or bound <= -(-floors[i + 1] // step) - 1) and (best_short == 0 or bound < best_short):
                best_short = bound
        assert best_short > 0  # the last tier is unbounded above
        return best_short


class TiersByMarket(dict[str, Tiers]):
    """Tiers per market symbol, built on first use from the market's spec (a split keeps them)."""

    def __init__(self, markets: dict[str, Market]) -> None:
        super().__init__()
        self.markets = markets

    def __missing__(self, symbol: str) -> Tiers:
        tiers = self[symbol] = Tiers(self.markets[symbol].spec.margin_tiers)
        return tiers
