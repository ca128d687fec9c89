"""Events applied once each, in seq order: a repeat is skipped, a gap is an error.

The engine gives every event the next seq, so a reader that sees seq n+2 after n has lost an
event; going on would fold a state the engine never had. `SeqGap` says so and the follower
starts over from a snapshot (never a silent skip).
"""

import logging
from collections.abc import Iterable
from typing import Protocol

from messages.events import Event
from views.entries import UndecodableEvent
from views.metrics import ViewMetrics

log = logging.getLogger("perpx.views")


class SeqGap(Exception):
    def __init__(self, expected_seq: int, got_seq: int) -> None:
        super().__init__(f"event seq {got_seq} where {expected_seq} was expected")
        self.expected_seq = expected_seq
        self.got_seq = got_seq


class EventSink(Protocol):
    def apply(self, event: Event) -> None: ...


class Sequencer:
    """Feeds `sink` the events after `last_seq`, each exactly once, in seq order."""

    def __init__(self, sink: EventSink, metrics: ViewMetrics, last_seq: int = 0) -> None:
        self.sink = sink
        self.metrics = metrics
        self.last_seq = last_seq

    def feed(self, events: Iterable[Event | UndecodableEvent]) -> list[Event]:
        """Apply the new ones; return them. Raises SeqGap at the first event past a missing seq
        (those before it are applied). An undecodable event is counted and stepped over."""
        applied: list[Event] = []
        for event in events:
            seq = event.seq
            if seq <= self.last_seq:
                self.metrics.duplicates.inc()
                continue
            if seq != self.last_seq + 1:
                self.metrics.gaps.inc()
                raise SeqGap(self.last_seq + 1, seq)
            self.last_seq = seq
            if isinstance(event, UndecodableEvent):
                self.metrics.unusable.labels("decoder", event.tag).inc()
                log.error("event %d (%s) cannot be decoded (%s); skipped", seq, event.tag, event.problem)
                continue
            self.sink.apply(event)
            applied.append(event)
        if applied:
            self.metrics.events_applied.inc(len(applied))
            self.metrics.last_seq.set(self.last_seq)
        return applied
