"""The scenarios of `perpx loadtest --scenario NAME`, one module each.

A scenario adds to the steady run (traders, makers, subscribers) what it is about: accounts and
bots of its own before the run (`prepare`), something done during it (`during`, a task started
with the measured run), a rate that changes over time (`rate_factor`), phases whose figures are
reported apart (`phase_at`), and checks after the run (`finish`), whose findings join the JSON.
"""

from perpx.loadtest.scenarios.base import Scenario
from perpx.loadtest.scenarios.crash import Crash
from perpx.loadtest.scenarios.flood import Flood
from perpx.loadtest.scenarios.kill import Kill
from perpx.loadtest.scenarios.market_open import MarketOpen
from perpx.loadtest.scenarios.slow import SlowConsumers

__all__ = ["SCENARIOS", "Scenario"]

SCENARIOS: dict[str, type[Scenario]] = {
    "steady": Scenario,
    "crash": Crash,
    "open": MarketOpen,
    "flood": Flood,
    "slow": SlowConsumers,
    "kill": Kill,
}
