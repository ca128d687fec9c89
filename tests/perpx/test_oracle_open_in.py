"""`perpx up --oracle-open-in S`: the oracle's clock shifted so that the next 09:30 ET open comes S
seconds after start (what `perpx loadtest --scenario open` needs on any day of the week)."""

import time

from messages.enums import MarketSession
from oracle.sessions import calendar_around
from perpx.up import offset_to_open_ms


def test_the_offset_for_an_open_in_twenty_seconds() -> None:
    offset = offset_to_open_ms(20)
    now = time.time_ns() // 1_000_000
    calendar = calendar_around(now)
    shifted_now = now + offset
    assert calendar.session_at(shifted_now) is not MarketSession.REGULAR
    open_ms = calendar.next_start_ms(shifted_now, MarketSession.REGULAR)
    assert 18_000 <= open_ms - shifted_now <= 20_000  # the open comes 20 s later on that clock
