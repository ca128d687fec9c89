"""What the api asks of funding, per market: the current premium, the predicted rate of the running
interval, the next funding time and the settled history (what Binance's premiumIndex and
fundingRate endpoints show). Answers from the service's samples and its ledger; time is an argument."""

from funding.service import FundingService
from funding.settlement import SettledFunding
from messages.funding_index import FundingRate, PremiumIndex
from messages.market_spec import MarketSpec
from views.funding_schedule import boundary_at_or_before


class FundingQueries:
    def __init__(self, service: FundingService) -> None:
        self.service = service

    def must_get_spec(self, market: str) -> MarketSpec:
        for spec in self.service.source.market_specs():
            if spec.symbol == market:
                return spec
        raise KeyError(market)

    def current_premium_ppb(self, market: str) -> int | None:
        sample = self.service.sampler.latest(market)
        return sample.premium_ppb if sample is not None else None

    def predicted_rate(self, market: str, now_ms: int) -> FundingRate:
        """The rate the running interval would settle at if it ended after the slot of `now_ms`:
        its slots so far are the expected ones, so coverage means the same as at settlement."""
        spec = self.must_get_spec(market)
        interval_ms = self.service.config.interval_ms(spec)
        start_ms = boundary_at_or_before(now_ms, interval_ms)
        end_ms = self.service.sampler.slot_of(now_ms) + self.service.config.sample_interval_ms
        return self.service.rate_of(market, start_ms, end_ms, interval_ms)

    def next_funding_time_ms(self, market: str, now_ms: int) -> int:
        return self.service.next_funding_time_ms(self.must_get_spec(market), now_ms)

    def history(self, market: str, limit: int = 100) -> list[SettledFunding]:
        """Settled rates, newest first, whichever instance appended them."""
        return self.service.ledger.history(market, limit)

    def premium_index(self, market: str, now_ms: int) -> PremiumIndex:
        spec = self.must_get_spec(market)
        interval_ms = self.service.config.interval_ms(spec)
        last = self.history(market, 1)
        observation = self.service.source.observe(market)
        return PremiumIndex(
            market,
            self.current_premium_ppb(market),
            self.predicted_rate(market, now_ms),
            self.next_funding_time_ms(market, now_ms),
            int(self.service.config.rate.interest_ppb(interval_ms)),
            last[0].rate_ppb if last else None,
            observation.index_price_ticks if observation is not None else 0,
            now_ms,
        )
