"""Which session the US equity market is in, on real dates. Times are New York wall clock with the
offset in force that day (-05:00 EST in winter, -04:00 EDT in summer)."""

import datetime as dt
import warnings
from typing import Any

import exchange_calendars as xc
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from messages.enums import MarketSession as S
from oracle.sessions import NEW_YORK, CalendarRangeError, UsEquityCalendar
from tests.oracle.conftest import ms

CASES = [
    # an ordinary Tuesday, from the overnight session into the next night
    ("2026-11-24T03:59-05:00", S.OVERNIGHT, "overnight before an ordinary Tuesday"),
    ("2026-11-24T04:00-05:00", S.PRE_MARKET, "pre-market opens at 04:00"),
    ("2026-11-24T09:29:59-05:00", S.PRE_MARKET, "a second before the open"),
    ("2026-11-24T09:30-05:00", S.REGULAR, "the open belongs to the regular session"),
    ("2026-11-24T15:59:59-05:00", S.REGULAR, "the last second of regular hours"),
    ("2026-11-24T16:00-05:00", S.POST_MARKET, "post-market from the close"),
    ("2026-11-24T19:59-05:00", S.POST_MARKET, "post-market until 20:00"),
    ("2026-11-24T20:00-05:00", S.OVERNIGHT, "overnight into Wednesday"),
    ("2026-11-24T23:00-05:00", S.OVERNIGHT, "an overnight hour"),
    # spring forward: Sunday 2026-03-08, the open moves from 14:30 to 13:30 UTC
    ("2026-03-06T14:30Z", S.REGULAR, "Friday before the switch: 09:30 EST is 14:30 UTC"),
    ("2026-03-06T14:29Z", S.PRE_MARKET, "Friday before the switch: 09:29 EST"),
    ("2026-03-09T13:30Z", S.REGULAR, "Monday after the switch: 09:30 EDT is 13:30 UTC"),
    ("2026-03-09T13:29Z", S.PRE_MARKET, "Monday after the switch: 09:29 EDT"),
    ("2026-03-09T20:00Z", S.POST_MARKET, "the close is 20:00 UTC in summer time"),
    ("2026-03-08T23:59Z", S.CLOSED, "Sunday 19:59 EDT: still the weekend"),
    ("2026-03-09T00:00Z", S.OVERNIGHT, "Sunday 20:00 EDT: the overnight session before Monday"),
    # fall back: Sunday 2026-11-01, the open moves from 13:30 to 14:30 UTC
    ("2026-10-30T13:30Z", S.REGULAR, "Friday before the switch: 09:30 EDT"),
    ("2026-11-02T13:30Z", S.PRE_MARKET, "Monday after the switch: 08:30 EST"),
    ("2026-11-02T14:30Z", S.REGULAR, "Monday after the switch: 09:30 EST"),
    ("2026-11-02T00:30Z", S.CLOSED, "Sunday 19:30 EST"),
    ("2026-11-02T01:00Z", S.OVERNIGHT, "Sunday 20:00 EST"),
    # Good Friday 2026-04-03: the exchange is closed though it is a weekday
    ("2026-04-02T19:00-04:00", S.POST_MARKET, "Thursday before Good Friday trades normally"),
    ("2026-04-02T21:00-04:00", S.CLOSED, "no overnight session into a holiday"),
    ("2026-04-03T10:00-04:00", S.CLOSED, "Good Friday"),
    ("2026-04-05T20:00-04:00", S.OVERNIGHT, "Sunday night before Easter Monday, a trading day"),
    # Thanksgiving 2026-11-26 and the early close on Friday 2026-11-27
    ("2026-11-25T21:00-05:00", S.CLOSED, "the night before Thanksgiving"),
    ("2026-11-26T12:00-05:00", S.CLOSED, "Thanksgiving"),
    ("2026-11-26T20:00-05:00", S.OVERNIGHT, "Thanksgiving night, before Friday's session"),
    ("2026-11-27T12:59-05:00", S.REGULAR, "the day after: regular until 13:00"),
    ("2026-11-27T13:00-05:00", S.POST_MARKET, "early close at 13:00"),
    ("2026-11-27T16:59-05:00", S.POST_MARKET, "post-market ends at 17:00 on an early-close day"),
    ("2026-11-27T17:00-05:00", S.CLOSED, "and then the weekend"),
    # a weekend
    ("2026-11-28T12:00-05:00", S.CLOSED, "Saturday"),
    ("2026-11-29T19:59-05:00", S.CLOSED, "Sunday evening"),
    # other holidays and early closes the library knows
    ("2025-06-19T11:00-04:00", S.CLOSED, "Juneteenth"),
    ("2025-07-03T13:30-04:00", S.POST_MARKET, "the early close before Independence Day"),
    ("2024-12-24T12:59-05:00", S.REGULAR, "Christmas Eve, early close"),
    ("2024-12-25T12:00-05:00", S.CLOSED, "Christmas"),
    ("2027-01-01T10:00-05:00", S.CLOSED, "New Year's Day"),
    ("2025-01-09T11:00-05:00", S.CLOSED, "a one-off closure: the national day of mourning for President Carter"),
    ("2025-01-08T21:00-05:00", S.CLOSED, "and no overnight session into it"),
]


@pytest.mark.parametrize(("when", "expected", "why"), CASES, ids=[c[0] for c in CASES])
def test_session_on_real_dates(calendar: UsEquityCalendar, when: str, expected: S, why: str) -> None:
    assert calendar.session_at(ms(when)) is expected, why


def test_every_regular_session_lasts_six_and_a_half_hours_or_ends_at_13_00(calendar: UsEquityCalendar) -> None:
    lengths_h: dict[float, int] = {}
    for day in calendar.trading_days:
        start = int(dt.datetime.combine(day, dt.time(9, 30), tzinfo=NEW_YORK).timestamp() * 1000)
        assert calendar.session_at(start - 1) is S.PRE_MARKET
        assert calendar.session_at(start) is S.REGULAR
        hours = (calendar.next_change_ms(start) - start) / 3_600_000
        lengths_h[hours] = lengths_h.get(hours, 0) + 1
    assert set(lengths_h) == {6.5, 3.5}
    assert lengths_h[3.5] == len(calendar.early_close_days)


def test_outside_the_built_range_is_an_error_not_a_guess(calendar: UsEquityCalendar) -> None:
    with pytest.raises(CalendarRangeError):
        calendar.session_at(ms("2031-01-06T10:00-05:00"))


def test_range_bounds() -> None:
    small = UsEquityCalendar(dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    assert small.session_at(ms("2026-11-24T10:00-05:00")) is S.REGULAR
    with pytest.raises(CalendarRangeError):
        small.session_at(ms("2026-12-02T10:00-05:00"))


def naive_session_at(ts_ms: int, xnys: Any) -> S:
    """The rule read straight off the library, one timestamp at a time: slow and obviously right."""
    moment = dt.datetime.fromtimestamp(ts_ms / 1000, tz=NEW_YORK)
    day, clock = moment.date(), moment.time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if xnys.is_session(day.isoformat()):
            if xnys.is_open_on_minute(pd.Timestamp(ts_ms, unit="ms", tz="UTC").floor("min")):
                return S.REGULAR
            close = xnys.session_close(day.isoformat()).tz_convert(NEW_YORK).time()
            post_end = dt.time(17, 0) if close < dt.time(16, 0) else dt.time(20, 0)
            if dt.time(4, 0) <= clock < dt.time(9, 30):
                return S.PRE_MARKET
            if close <= clock < post_end:
                return S.POST_MARKET
            if clock < dt.time(4, 0):
                return S.OVERNIGHT
        elif clock < dt.time(4, 0):
            return S.CLOSED
        tomorrow = day + dt.timedelta(days=1)
        if clock >= dt.time(20, 0) and xnys.is_session(tomorrow.isoformat()):
            return S.OVERNIGHT
    return S.CLOSED


@pytest.fixture(scope="module")
def xnys() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return xc.get_calendar("XNYS", start="2024-01-01", end="2028-01-01")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=ms("2024-01-03T00:00-05:00") // 60_000, max_value=ms("2027-12-30T00:00-05:00") // 60_000))
def test_bisect_over_boundaries_agrees_with_the_library_minute_by_minute(
    calendar: UsEquityCalendar, xnys: Any, minute: int
) -> None:
    ts_ms = minute * 60_000
    assert calendar.session_at(ts_ms) is naive_session_at(ts_ms, xnys)


@pytest.mark.parametrize(
    ("now", "next_open", "why"),
    [
        ("2026-11-29T12:00-05:00", "2026-11-30T09:30-05:00", "a Sunday: Monday's open"),
        ("2026-11-24T09:30-05:00", "2026-11-25T09:30-05:00", "at the open itself: the next day's"),
        ("2026-11-26T08:00-05:00", "2026-11-27T09:30-05:00", "Thanksgiving: the Friday's (an early close day)"),
        ("2026-03-06T16:00-05:00", "2026-03-09T09:30-04:00", "over the spring switch: 09:30 EDT"),
    ],
)
def test_the_next_regular_open(calendar: UsEquityCalendar, now: str, next_open: str, why: str) -> None:
    """What `perpx up --oracle-open-in` aims the oracle's clock at."""
    assert calendar.next_start_ms(ms(now), S.REGULAR) == ms(next_open), why
