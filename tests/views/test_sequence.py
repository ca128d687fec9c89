"""The sequencer: every event once, in seq order; a gap is an error, never a skip."""

import pytest

from messages.enums import Side
from messages.events import Event, Trade
from views.metrics import ViewMetrics
from views.sequence import SeqGap, Sequencer


def trade(seq: int) -> Trade:
    return Trade(seq, f"c{seq}", seq, "AAAUSDC", seq, 100, 1, Side.BUY, 1, 1, 0, 2, 2, 0, book_update_id=seq)


class Sink:
    def __init__(self) -> None:
        self.seen: list[Event] = []

    def apply(self, event: Event) -> None:
        self.seen.append(event)


def test_repeats_are_skipped_and_counted() -> None:
    sink, metrics = Sink(), ViewMetrics()
    sequencer = Sequencer(sink, metrics)
    assert sequencer.feed([trade(1), trade(2)]) == [trade(1), trade(2)]
    assert sequencer.feed([trade(2), trade(3)]) == [trade(3)]
    assert [e.seq for e in sink.seen] == [1, 2, 3]
    assert metrics.duplicates._value.get() == 1


def test_a_gap_stops_before_the_missing_seq() -> None:
    sink, metrics = Sink(), ViewMetrics()
    sequencer = Sequencer(sink, metrics, last_seq=4)
    with pytest.raises(SeqGap) as gap:
        sequencer.feed([trade(5), trade(7), trade(8)])
    assert (gap.value.expected_seq, gap.value.got_seq) == (6, 7)
    assert [e.seq for e in sink.seen] == [5]
    assert sequencer.last_seq == 5
    assert metrics.gaps._value.get() == 1


def test_the_metrics_show_on_a_service_registry_too() -> None:
    from prometheus_client import CollectorRegistry

    metrics, service = ViewMetrics(), CollectorRegistry()
    metrics.also_register(service)
    Sequencer(Sink(), metrics).feed([trade(1), trade(1)])
    assert service.get_sample_value("views_events_applied_total") == 1
    assert service.get_sample_value("views_events_duplicate_total") == 1
