"""/perpx/v1/session: the session, index source and bounds the engine applied last, and the next
corporate action the oracle has published; one market or every market."""

import asyncio
import time

import httpx
import redis.asyncio as aioredis

from messages.commands import PriceUpdate
from messages.enums import MarketSession, PriceSource
from oracle.corporate_actions import CorporateActionCalendar, action_from_entry
from oracle.status import write_pending_actions
from streams.client import append_command


def publish_calendar(exchange, entries: list[tuple[str, dict[str, str]]]) -> None:
    """What the oracle writes after each step (oracle/status.py), from a calendar of these actions."""
    calendar = CorporateActionCalendar()
    for kind, entry in entries:
        calendar.schedule(action_from_entry(kind, entry))

    async def write() -> None:
        client = aioredis.Redis.from_url(exchange.redis_url)
        await write_pending_actions(client, exchange.keys, calendar.pending())
        await client.aclose()

    asyncio.run(write())  # the oracle's own writer


def session_of(exchange, symbol: str) -> dict:
    response = httpx.get(exchange.url + "/perpx/v1/session", params={"symbol": symbol})
    assert response.status_code == 200, response.text
    return response.json()


def wait_for(exchange, symbol: str, check) -> dict:
    deadline = time.monotonic() + 10
    while not check(row := session_of(exchange, symbol)):
        assert time.monotonic() < deadline, row
        time.sleep(0.05)
    return row


def test_an_internal_index_comes_with_its_discovery_bounds(exchange):
    update = PriceUpdate(
        "session-mstr", int(time.time() * 1000), "MSTRUSDC", 15_100, 15_100,
        MarketSession.OVERNIGHT, PriceSource.INTERNAL, 14_000, 16_000,
    )  # fmt: skip
    append_command(exchange.client, exchange.keys, update)
    row = wait_for(exchange, "MSTRUSDC", lambda r: r["session"] == "OVERNIGHT")
    assert row["indexSource"] == "INTERNAL"
    assert (row["indexPrice"], row["markPrice"]) == ("151.00", "151.00")
    assert (row["discoveryLow"], row["discoveryHigh"]) == ("140.00", "160.00")
    assert float(row["bandLow"]) < 151 < float(row["bandHigh"])
    back = PriceUpdate("session-mstr-back", int(time.time() * 1000), "MSTRUSDC", 15_000, 15_000)
    append_command(exchange.client, exchange.keys, back)
    row = wait_for(exchange, "MSTRUSDC", lambda r: r["session"] == "REGULAR")
    assert (row["indexSource"], row["discoveryLow"], row["discoveryHigh"]) == ("EXTERNAL", None, None)


def test_the_next_corporate_action_of_each_market(exchange):
    publish_calendar(
        exchange,
        [
            ("cash_dividend", {"id": "AAPL-later", "market": "AAPLUSDC", "effective": "2099-02-10", "amount": "0.26"}),
            ("cash_dividend", {"id": "AAPL-first", "market": "AAPLUSDC", "effective": "2099-01-10", "amount": "0.25"}),
            (
                "split",
                {"id": "NVDA-x", "market": "NVDAUSDC", "effective": "2099-03-01T09:30:00-05:00", "ratio": "10:1"},
            ),
        ],
    )
    try:
        rows = {r["symbol"]: r for r in httpx.get(exchange.url + "/perpx/v1/session").json()}
        assert rows["AAPLUSDC"]["nextCorporateAction"] == {
            "id": "AAPL-first",
            "type": "CASH_DIVIDEND",
            "effectiveTime": 4071704400000,  # 2099-01-10 00:00 in New York
            "amountPerShare": "0.250000",
        }
        assert rows["NVDAUSDC"]["nextCorporateAction"] == {
            "id": "NVDA-x",
            "type": "SPLIT",
            "effectiveTime": 4076058600000,
            "ratio": "10:1",
        }
        assert rows["TSLAUSDC"]["nextCorporateAction"] is None
    finally:
        publish_calendar(exchange, [])
    assert session_of(exchange, "AAPLUSDC")["nextCorporateAction"] is None


def test_an_unknown_symbol_is_refused(exchange):
    response = httpx.get(exchange.url + "/perpx/v1/session", params={"symbol": "NOPEUSDC"})
    assert response.status_code == 400
    assert response.json()["code"] == -1121
