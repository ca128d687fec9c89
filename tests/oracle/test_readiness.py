"""The oracle's /readyz: a market without an external price is a failure while its stock trades,
and expected (named with its session) while it does not; a halt is named, not a failure."""

from oracle.readiness import oracle_findings
from oracle.sessions import UsEquityCalendar
from oracle.sources.push import PushSource
from tests.oracle.conftest import ms
from tests.oracle.harness import Exchange, oracle

TUESDAY_10 = ms("2026-11-24T10:00-05:00")
SATURDAY_NOON = ms("2026-11-28T12:00-05:00")


def by_name(findings):
    return {f.name: f for f in findings}


async def test_no_step_yet_is_not_ready(calendar: UsEquityCalendar) -> None:
    service = oracle(Exchange(), [PushSource("a")], calendar)
    findings = oracle_findings(service, TUESDAY_10)
    assert [(f.name, f.ok, f.detail) for f in findings] == [("steps", False, "no step yet")]


async def test_an_external_price_in_regular_hours_is_ready(calendar: UsEquityCalendar) -> None:
    source = PushSource("a")
    service = oracle(Exchange(), [source], calendar)
    source.post("NVDA", 180.0, TUESDAY_10)
    await service.step(TUESDAY_10)
    service.last_step_ms = TUESDAY_10
    nvda = by_name(oracle_findings(service, TUESDAY_10 + 500))["NVDAUSDC"]
    assert nvda.ok and nvda.detail == "REGULAR session: external price from a"


async def test_no_external_price_in_regular_hours_is_not_ready(calendar: UsEquityCalendar) -> None:
    service = oracle(Exchange(), [PushSource("a")], calendar)
    await service.step(TUESDAY_10)
    service.last_step_ms = TUESDAY_10
    nvda = by_name(oracle_findings(service, TUESDAY_10))["NVDAUSDC"]
    assert not nvda.ok and nvda.detail == "REGULAR session: no external price with quorum"


async def test_stale_on_a_weekend_is_expected_and_named(calendar: UsEquityCalendar) -> None:
    service = oracle(Exchange(), [PushSource("a")], calendar)
    await service.step(SATURDAY_NOON)
    service.last_step_ms = SATURDAY_NOON
    findings = by_name(oracle_findings(service, SATURDAY_NOON))
    assert findings["NVDAUSDC"].ok
    assert findings["NVDAUSDC"].detail == "CLOSED session: stale as expected off-hours, index from the book"
    assert findings["steps"].ok


async def test_a_halted_market_is_named(calendar: UsEquityCalendar) -> None:
    service = oracle(Exchange(), [PushSource("a")], calendar)
    service.halt("NVDA")
    await service.step(TUESDAY_10)
    service.last_step_ms = TUESDAY_10
    nvda = by_name(oracle_findings(service, TUESDAY_10))["NVDAUSDC"]
    assert nvda.ok and nvda.detail.startswith("halted by an operator: CLOSED")


async def test_a_minute_without_a_step_is_not_ready(calendar: UsEquityCalendar) -> None:
    service = oracle(Exchange(), [PushSource("a")], calendar)
    await service.step(SATURDAY_NOON)
    service.last_step_ms = SATURDAY_NOON
    steps = by_name(oracle_findings(service, SATURDAY_NOON + 60_000))["steps"]
    assert not steps.ok and steps.detail == "last step 60.0 s ago (limit 3 s)"
