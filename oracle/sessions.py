"""US equity sessions from the NYSE calendar (exchange_calendars' XNYS), times in America/New_York.

The library knows holidays, early closes and their history; this module only adds the extended-hours
sessions around each trading day and answers "which session is it at ts_ms" with a bisect over
precomputed boundaries, so a lookup is pure (time passed in) and costs microseconds.

Around each trading day D:
  OVERNIGHT    20:00 on the calendar day before D .. 04:00 on D (Sunday night before a Monday too)
  PRE_MARKET   04:00 .. the regular open (09:30)
  REGULAR      open .. close (16:00, or 13:00 on early-close days)
  POST_MARKET  close .. 20:00 (17:00 on early-close days, when extended trading ends early too)
  CLOSED       everything else: weekends, holidays, the evening before a holiday
"""

import bisect
import datetime as dt
import warnings
from zoneinfo import ZoneInfo

import exchange_calendars as xc

from messages.enums import MarketSession

NEW_YORK = ZoneInfo("America/New_York")
_PRE_OPEN = dt.time(4, 0)
_POST_END = dt.time(20, 0)
_POST_END_EARLY_CLOSE = dt.time(17, 0)
_OVERNIGHT_START = dt.time(20, 0)
_EARLY_CLOSE_BEFORE = dt.time(16, 0)


class CalendarRangeError(ValueError):
    """A time outside the years the calendar was built for: build it wider rather than guess."""


def _ny_ms(day: dt.date, at: dt.time) -> int:
    """Unix ms of a New York wall-clock time; zoneinfo applies the daylight-saving rule of that date."""
    return int(dt.datetime.combine(day, at, tzinfo=NEW_YORK).timestamp() * 1000)


class UsEquityCalendar:
    """Session of the US equity market at any instant between `first_day` and `last_day`."""

    def __init__(self, first_day: dt.date, last_day: dt.date) -> None:
        with warnings.catch_warnings():
            # exchange_calendars 4.x reads Series.values, which pandas 3.1 deprecates; harmless here.
            warnings.simplefilter("ignore", DeprecationWarning)
            calendar = xc.get_calendar("XNYS", start=first_day.isoformat(), end=last_day.isoformat())
            schedule = calendar.schedule
            days = [ts.date() for ts in schedule.index]
            opens_ms = [int(ts.value // 1_000_000) for ts in schedule["open"]]
            closes_ms = [int(ts.value // 1_000_000) for ts in schedule["close"]]
        starts: list[int] = []
        sessions: list[MarketSession] = []
        self.trading_days: list[dt.date] = days
        self.early_close_days: set[dt.date] = set()

        def mark(start_ms: int, session: MarketSession) -> None:
            if starts and starts[-1] == start_ms:  # a zero-length segment: the later one wins
                sessions[-1] = session
            else:
                starts.append(start_ms)
                sessions.append(session)

        for day, open_ms, close_ms in zip(days, opens_ms, closes_ms, strict=True):
            early = close_ms < _ny_ms(day, _EARLY_CLOSE_BEFORE)
            if early:
                self.early_close_days.add(day)
            previous_evening = day - dt.timedelta(days=1)
            mark(_ny_ms(previous_evening, _OVERNIGHT_START), MarketSession.OVERNIGHT)
            mark(_ny_ms(day, _PRE_OPEN), MarketSession.PRE_MARKET)
            mark(open_ms, MarketSession.REGULAR)
            mark(close_ms, MarketSession.POST_MARKET)
            mark(_ny_ms(day, _POST_END_EARLY_CLOSE if early else _POST_END), MarketSession.CLOSED)
        self._starts_ms = starts
        self._sessions = sessions
        self.first_ms = _ny_ms(first_day, dt.time(0, 0))
        self.last_ms = _ny_ms(last_day, dt.time(0, 0))

    def session_at(self, ts_ms: int) -> MarketSession:
        """The session in force at `ts_ms` (unix ms). Boundaries belong to the session they open."""
        if not self.first_ms <= ts_ms < self.last_ms:
            raise CalendarRangeError(f"{ts_ms} is outside the calendar's range")
        i = bisect.bisect_right(self._starts_ms, ts_ms) - 1
        return MarketSession.CLOSED if i < 0 else self._sessions[i]

    def next_start_ms(self, ts_ms: int, session: MarketSession) -> int:
        """When `session` next begins after `ts_ms` (e.g. the next regular open, 09:30 ET)."""
        i = bisect.bisect_right(self._starts_ms, ts_ms)
        while i < len(self._starts_ms) and self._sessions[i] is not session:
            i += 1
        if i == len(self._starts_ms):
            raise CalendarRangeError(f"no {session.value} session after {ts_ms} in the calendar")
        return self._starts_ms[i]

    def next_change_ms(self, ts_ms: int) -> int:
        """When the session in force at `ts_ms` ends (the start of the next segment)."""
        i = bisect.bisect_right(self._starts_ms, ts_ms)
        return self._starts_ms[i] if i < len(self._starts_ms) else self.last_ms


def calendar_around(ts_ms: int, years_back: int = 2, years_ahead: int = 2) -> UsEquityCalendar:
    """A calendar covering `ts_ms` with room on both sides; the service builds one at start-up."""
    day = dt.datetime.fromtimestamp(ts_ms / 1000, tz=dt.UTC).date()
    return UsEquityCalendar(
        day.replace(year=day.year - years_back, day=1), day.replace(year=day.year + years_ahead, day=1)
    )
