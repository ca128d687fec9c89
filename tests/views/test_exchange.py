"""ExchangeView: each event reaches each projection that folds it exactly once; a projection that
fails on an event is counted and the others still get it."""

from collections.abc import Mapping

from matching.engine import Engine
from messages.events import Event, Trade
from tests.matching.random_commands import SPECS, random_commands
from views.exchange import ExchangeView
from views.projection import EventHandler


class Counting:
    name = "counting"

    def __init__(self, fail: bool = False) -> None:
        self.seen: list[int] = []
        self.fail = fail
        self.seeded = 0

    def seed(self, engine: Engine, last_seq: int) -> None:
        self.seeded += 1

    def handlers(self) -> Mapping[type, EventHandler]:
        return {Trade: self.traded}

    def traded(self, event: Event) -> None:
        self.seen.append(event.seq)
        if self.fail:
            raise ValueError("cannot use it")


def test_each_event_reaches_each_projection_once() -> None:
    engine = Engine(SPECS)
    failing, counting = Counting(fail=True), Counting()
    failing.name = "failing"
    view = ExchangeView(extra=[failing, counting])
    view.seed(engine, 0)
    trades = []
    for command in random_commands(21, 300):
        for event in engine.apply(command):
            view.apply(event)
            if isinstance(event, Trade):
                trades.append(event.seq)
    assert trades
    assert counting.seen == trades == failing.seen
    assert (counting.seeded, failing.seeded) == (1, 1)
    assert view.metrics.unusable.labels("failing", "Trade")._value.get() == len(trades)
    assert view.last_seq == engine.next_seq - 1
