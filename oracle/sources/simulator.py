"""The default source: a seeded random walk per underlying, so `perpx up` shows moving prices.

Geometric Brownian motion with Poisson jumps while the stock trades, volatility scaled by session
(thinner outside regular hours), silent while the market is closed, and a gap on the first price
after a closed stretch, as on a Monday open. While closed it keeps answering with its last price and
that price's old publish time, as Pyth does, so the oracle sees a stale price and goes internal.

Deterministic: one numpy generator per underlying, seeded from (seed, crc32(underlying)); the same
fetch times give the same path.
"""

import math
import zlib

import numpy as np

from messages.enums import MarketSession
from oracle.quote import FetchResult, Quote
from oracle.sessions import UsEquityCalendar

MS_PER_YEAR = 365.25 * 24 * 3600 * 1000

START_PRICES_USD = {
    "AAPL": 230.0,
    "NVDA": 180.0,
    "TSLA": 400.0,
    "MSTR": 300.0,
    "CRCL": 120.0,
    "COIN": 320.0,
    "HOOD": 110.0,
    "AMZN": 225.0,
    "GOOGL": 250.0,
    "META": 700.0,
    "MSFT": 500.0,
    "SPY": 660.0,
    "QQQ": 590.0,
}

_SESSION_VOL_SCALE = {
    MarketSession.REGULAR: 1.0,
    MarketSession.PRE_MARKET: 0.5,
    MarketSession.POST_MARKET: 0.5,
    MarketSession.OVERNIGHT: 0.3,
    MarketSession.CLOSED: 0.0,
}


class _Path:
    def __init__(self, price_usd: float, rng: np.random.Generator, start_ms: int) -> None:
        self.price_usd = price_usd
        self.rng = rng
        self.last_ms = start_ms  # the last time the walk was advanced
        self.publish_ms = start_ms  # the last time the price moved (a trade happened)
        self.closed_since_move = False


class SimulatedSource:
    def __init__(
        self,
        underlyings: list[str],
        seed: int,
        start_ms: int,
        calendar: UsEquityCalendar | None,
        name: str = "sim",
        vol_annual: float = 0.45,
        jumps_per_year: float = 20.0,
        jump_sigma: float = 0.02,
        gap_sigma: float = 0.02,
        conf_bps: float = 5.0,
    ) -> None:
        """`calendar` None trades around the clock (a demo on a weekend), without gaps."""
        self.name = name
        self.calendar = calendar
        self.vol_annual, self.jumps_per_year, self.jump_sigma = vol_annual, jumps_per_year, jump_sigma
        self.gap_sigma, self.conf_bps = gap_sigma, conf_bps
        self.seed, self.start_ms = seed, start_ms
        self.paths: dict[str, _Path] = {}
        for underlying in sorted(underlyings):
            self.add_underlying(underlying)

    def add_underlying(self, underlying: str) -> None:
        """Start simulating one more stock (a market listed after start-up); a no-op if known."""
        if underlying not in self.paths:
            rng = np.random.default_rng([self.seed, zlib.crc32(underlying.encode())])
            self.paths[underlying] = _Path(START_PRICES_USD.get(underlying, 100.0), rng, self.start_ms)
            self.paths = dict(sorted(self.paths.items()))

    def _session(self, ts_ms: int) -> MarketSession:
        return MarketSession.REGULAR if self.calendar is None else self.calendar.session_at(ts_ms)

    def advance(self, path: _Path, now_ms: int) -> None:
        if now_ms <= path.last_ms:
            return
        session = self._session(now_ms)
        if session is MarketSession.CLOSED:
            path.closed_since_move = True
            path.last_ms = now_ms
            return
        log_return = 0.0
        if path.closed_since_move:  # the first print after a closed stretch gaps
            log_return += path.rng.normal(0.0, self.gap_sigma)
            path.closed_since_move = False
            dt_years = 0.0
        else:
            dt_years = (now_ms - path.last_ms) / MS_PER_YEAR
        sigma = self.vol_annual * _SESSION_VOL_SCALE[session]
        if dt_years > 0:
            log_return += -0.5 * sigma * sigma * dt_years + sigma * math.sqrt(dt_years) * path.rng.standard_normal()
            for _ in range(path.rng.poisson(self.jumps_per_year * dt_years)):
                log_return += path.rng.normal(0.0, self.jump_sigma)
        path.price_usd *= math.exp(log_return)
        path.last_ms = path.publish_ms = now_ms

    def apply_split(self, underlying: str, factor: float) -> None:
        """The simulated share splits with the real listing: its price scales by `factor`."""
        path = self.paths.get(underlying)
        if path is not None:
            path.price_usd *= factor

    async def fetch(self, now_ms: int) -> FetchResult:
        quotes = []
        for underlying, path in self.paths.items():
            self.advance(path, now_ms)
            price = round(path.price_usd, 4)
            quotes.append(Quote(self.name, underlying, price, path.publish_ms, price * self.conf_bps / 1e4))
        return FetchResult(quotes)

    async def aclose(self) -> None:
        return None
