"""The funding service's knobs, validated against the markets they apply to."""

import msgspec

from funding.multiplier import MultiplierPolicy
from funding.rate import RateParams
from messages.market_spec import MarketSpec


class FundingConfig(msgspec.Struct, frozen=True):
    sample_interval_ms: int = 5_000
    rate: RateParams = RateParams()
    multipliers: MultiplierPolicy = MultiplierPolicy()
    interval_ms_override: dict[str, int] = msgspec.field(default_factory=dict)  # else the spec's funding_interval_s
    max_catch_up: int = 24  # boundaries settled at most after an outage (settlement.due_boundaries)

    def interval_ms(self, spec: MarketSpec) -> int:
        return self.interval_ms_override.get(spec.symbol, spec.funding_interval_s * 1000)

    def validate(self, specs: list[MarketSpec] | tuple[MarketSpec, ...] = ()) -> str | None:
        """Why this configuration is unusable, or None. The sample step must divide every interval, so
        that each interval holds a whole number of slots and none straddles a boundary."""
        if self.sample_interval_ms <= 0:
            return "sample interval must be positive"
        for spec in specs:
            interval_ms = self.interval_ms(spec)
            if interval_ms <= 0 or interval_ms % self.sample_interval_ms:
                return f"{spec.symbol}: funding interval must be a positive multiple of the sample interval"
        if self.max_catch_up < 0:
            return "max_catch_up must not be negative"
        return self.multipliers.validate()
