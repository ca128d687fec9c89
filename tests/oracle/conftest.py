import datetime as dt

import pytest

from oracle.sessions import UsEquityCalendar


@pytest.fixture(scope="session")
def calendar() -> UsEquityCalendar:
    """Built once: exchange_calendars takes a fraction of a second per build."""
    return UsEquityCalendar(dt.date(2024, 1, 1), dt.date(2028, 1, 1))


def ms(iso: str) -> int:
    """Unix ms of an ISO time with offset, e.g. "2026-11-27T13:00-05:00"."""
    moment = dt.datetime.fromisoformat(iso)
    assert moment.tzinfo is not None
    return int(moment.timestamp() * 1000)
