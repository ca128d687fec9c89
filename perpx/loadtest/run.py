"""Everything one load-test run holds, which the runner builds and the scenarios reach into."""

import asyncio
from dataclasses import dataclass, field

from bots.rest import RestClient
from perpx.loadtest.accounts import Accounts
from perpx.loadtest.clock import RunClock
from perpx.loadtest.flows import Flow
from perpx.loadtest.makers import Makers
from perpx.loadtest.market_data import Subscribers
from perpx.loadtest.marks import Marks
from perpx.loadtest.options import LoadtestOptions
from perpx.loadtest.traders import Trader


@dataclass
class Run:
    options: LoadtestOptions
    accounts: Accounts
    public: RestClient
    marks: Marks
    symbols: list[str]
    clock: RunClock = field(default_factory=RunClock)
    traders: list[Trader] = field(default_factory=list)
    makers: Makers | None = None
    subscribers: Subscribers | None = None
    orders: Flow = field(default_factory=lambda: Flow("orders"))  # the traders' orders: the headline figures
    cancels: Flow = field(default_factory=lambda: Flow("cancels"))
    phases: dict[str, Flow] = field(default_factory=dict)  # a scenario's phases, each reported apart
    extra_flows: dict[str, Flow] = field(default_factory=dict)  # a scenario's own traffic (the flood)
    events: list[tuple[float, str]] = field(default_factory=list)  # (run second, what happened): marked on the PNG
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    def phase(self, name: str) -> Flow:
        if name not in self.phases:
            self.phases[name] = Flow(name)
        return self.phases[name]

    def mark_event(self, label: str) -> None:
        self.events.append((round(self.clock.now_s(), 3), label))
