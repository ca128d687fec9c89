"""The service over the real HTTP adapters and a loopback server: two feeds agree, one fails, then
both do; the index stays external while one answers and turns internal when none does."""

import json
from collections.abc import Iterator

import httpx
import pytest

from messages.commands import PriceUpdate
from messages.enums import PriceSource
from oracle.sessions import UsEquityCalendar
from oracle.sources.http_json import HttpJsonSource
from oracle.sources.pyth_hermes import PythHermesSource
from tests.oracle.conftest import ms
from tests.oracle.harness import Exchange, oracle
from tests.oracle.http_server import LocalServer

NVDA_FEED = "b1073854ed24cbc755dc527418f52b7d271f6cc967bbf8d8129112b18860a593"
TUESDAY_10 = ms("2026-11-24T10:00-05:00")


def hermes_body(price: str, publish_time_s: int) -> bytes:
    block = {"price": price, "conf": "5000000", "expo": -8, "publish_time": publish_time_s}
    entry = {"id": NVDA_FEED, "price": block, "ema_price": block, "metadata": {"slot": 1}}
    return json.dumps({"binary": {"encoding": "hex", "data": []}, "parsed": [entry]}).encode()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        yield local


async def test_feeds_failing_one_by_one(server: LocalServer, calendar: UsEquityCalendar) -> None:
    client = httpx.AsyncClient(trust_env=False, timeout=2.0)
    pyth = PythHermesSource({"NVDA": NVDA_FEED}, base_url=server.url, client=client)
    vendor = HttpJsonSource(f"{server.url}/q/{{underlying}}", ["NVDA"], "last", "vendor", "ts", 1000, client=client)
    exchange = Exchange()
    service = oracle(exchange, [pyth, vendor], calendar)

    async def step(second: int) -> PriceUpdate:
        await service.step(TUESDAY_10 + second * 1_000)
        update = exchange.published[-1]
        assert isinstance(update, PriceUpdate)
        return update

    now_s = TUESDAY_10 // 1000
    server.routes["/v2/updates/price/latest"] = (200, hermes_body("18010000000", now_s))
    server.routes["/q/NVDA"] = (200, json.dumps({"last": "180.30", "ts": now_s}).encode())
    both = await step(0)
    assert (both.index_price_ticks, both.index_source) == (18_020, PriceSource.EXTERNAL)  # the median of two

    server.routes["/v2/updates/price/latest"] = (503, b"maintenance")
    server.routes["/q/NVDA"] = (200, json.dumps({"last": "180.50", "ts": now_s + 1}).encode())
    one = await step(1)
    # Pyth's last quote (180.10, 1 s old) still counts until it is stale
    assert (one.index_price_ticks, one.index_source) == (18_030, PriceSource.EXTERNAL)
    assert service.metrics.get("fetch_failed", "pyth", "http_503") == 1

    server.routes["/q/NVDA"] = (200, b"{not json")
    none = await step(20)  # both silent for longer than the 10 s staleness limit
    assert none.index_source is PriceSource.INTERNAL
    assert none.index_price_ticks == 18_030  # held: the empty book gives it nowhere to go
    assert service.view("NVDAUSDC").stale
    assert service.metrics.get("quote_rejected", "vendor", "unparsable") == 1
    await client.aclose()
