"""The funding service: sample every market each slot, settle each due boundary once.

`step(now_ms)` is the whole behaviour and takes the time as an argument; `run` is the loop around it
and the only place a clock is read (the `clock_ms` seam passed in), so tests drive `step` with any
timeline they like, restarts and rival instances included.
"""

from collections.abc import Callable

from funding.config import FundingConfig
from funding.multiplier import ONE_PPM
from funding.rate import funding_rate
from funding.sampler import BookSource, PremiumSampler
from funding.settlement import SettlementLedger, due_boundaries, settle_command
from messages.commands import FundingSettle
from messages.funding_index import FundingRate
from messages.market_spec import MarketSpec
from views.funding_schedule import boundary_at_or_before, next_boundary_after


class FundingService:
    def __init__(self, source: BookSource, ledger: SettlementLedger, config: FundingConfig | None = None) -> None:
        self.source = source
        self.ledger = ledger
        self.config = config or FundingConfig()
        self.sampler = PremiumSampler(self.config.sample_interval_ms)
        self.last_settled_ms: dict[str, int] = {}  # a cache of the ledger's marks
        self.last_rates: dict[str, FundingRate] = {}  # what this instance computed for its latest boundary
        self.unusable: dict[str, str] = {}  # markets this configuration cannot fund, and why

    def step(self, now_ms: int) -> list[FundingSettle]:
        """Sample each market for the slot of `now_ms`, then settle what is due; return the commands
        this instance appended (a rival may have appended others)."""
        appended: list[FundingSettle] = []
        for spec in self.source.market_specs():
            market = spec.symbol
            if market in self.unusable:
                continue
            if market not in self.last_settled_ms:
                problem = self.config.validate([spec])
                if problem is not None:  # one odd listing must not stop funding for every market
                    self.unusable[market] = problem
                    continue
                from_ms = boundary_at_or_before(now_ms, self.config.interval_ms(spec))
                self.last_settled_ms[market] = self.ledger.open_market(market, from_ms)
            observation = self.source.observe(market)
            multiplier = (
                self.config.multipliers.multiplier_ppm(market, observation.session, observation.index_source)
                if observation is not None
                else ONE_PPM
            )
            self.sampler.record(market, now_ms, observation, multiplier)
            priced = observation is not None and observation.index_price_ticks > 0
            appended += self.maybe_settle(spec, now_ms, priced)
        return appended

    def maybe_settle(self, spec: MarketSpec, now_ms: int, priced: bool) -> list[FundingSettle]:
        """Settle the due boundaries of `spec`'s market. An interval without a single sample, in a
        market without an index price now (never priced yet, or halted), is passed over: the mark
        moves past it and nothing is appended, as there is no price to charge the interest on."""
        market, interval_ms = spec.symbol, self.config.interval_ms(spec)
        if not self._due(now_ms, interval_ms, self.last_settled_ms[market]):
            return []
        last = self.ledger.last_settled_ms(market)  # a rival may have moved it
        self.last_settled_ms[market] = last = max(last if last is not None else 0, self.last_settled_ms[market])
        self.sampler.forget_before(market, last)  # settled, by whoever: those samples are done with
        appended = []
        for funding_time_ms in self._due(now_ms, interval_ms, last):
            rate = self.rate_of(market, funding_time_ms - interval_ms, funding_time_ms, interval_ms)
            if rate.samples_present == 0 and not priced:
                self.ledger.pass_over(market, funding_time_ms)
            else:
                command = settle_command(market, funding_time_ms, rate.rate_ppb)
                if self.ledger.append_once(command):
                    appended.append(command)
                self.last_rates[market] = rate
            self.last_settled_ms[market] = funding_time_ms
            self.sampler.forget_before(market, funding_time_ms)
        return appended

    def _due(self, now_ms: int, interval_ms: int, last_ms: int) -> list[int]:
        return due_boundaries(now_ms, interval_ms, last_ms, self.config.max_catch_up)

    def rate_of(self, market: str, start_ms: int, end_ms: int, interval_ms: int) -> FundingRate:
        samples = self.sampler.interval_samples(market, start_ms, end_ms)
        return funding_rate(samples.premium_ppb, samples.present, samples.multiplier_ppm, interval_ms, self.config.rate)

    def next_funding_time_ms(self, spec: MarketSpec, now_ms: int) -> int:
        return next_boundary_after(now_ms, self.config.interval_ms(spec))

    def run(
        self,
        clock_ms: Callable[[], int],
        sleep_s: Callable[[float], object],
        should_stop: Callable[[], bool],
        before_step: Callable[[], object] | None = None,
        after_step: Callable[[int, list[FundingSettle]], object] | None = None,
    ) -> None:
        """Step once per sample slot until `should_stop()`. `before_step` brings the source up to
        date (catches the shared views up with the streams); `after_step` gets the step's time and appends."""
        step_ms = self.config.sample_interval_ms
        while not should_stop():
            if before_step is not None:
                before_step()
            now_ms = clock_ms()
            appended = self.step(now_ms)
            if after_step is not None:
                after_step(now_ms, appended)
            sleep_s((step_ms - clock_ms() % step_ms) / 1000)
