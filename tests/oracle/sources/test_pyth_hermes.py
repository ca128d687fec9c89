"""The Pyth Hermes adapter against a local server answering in Hermes' /v2/updates/price/latest shape."""

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from oracle.quote import SourceError
from oracle.sources.pyth_hermes import PythHermesSource
from tests.oracle.http_server import LocalServer

NVDA_ID = "b1073854ed24cbc755dc527418f52b7d271f6cc967bbf8d8129112b18860a593"
AAPL_ID = "49f6b65cb1de6b10eaf75e7c03ca029c306d0357e91b5311b175084a5ad55688"
PATH = "/v2/updates/price/latest"


def entry(feed_id: str, price: str, conf: str, expo: int, publish_time: int) -> dict:
    block = {"price": price, "conf": conf, "expo": expo, "publish_time": publish_time}
    return {
        "id": feed_id,
        "price": block,
        "ema_price": dict(block),
        "metadata": {
            "slot": 306241769,
            "proof_available_time": publish_time + 1,
            "prev_publish_time": publish_time - 1,
        },
    }


def body(*entries: dict) -> bytes:
    return json.dumps({"binary": {"encoding": "hex", "data": ["504e4155"]}, "parsed": list(entries)}).encode()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        yield local


def source(server: LocalServer) -> PythHermesSource:
    feeds = {"NVDA": "0x" + NVDA_ID, "AAPL": AAPL_ID}
    return PythHermesSource(feeds, base_url=server.url, client=httpx.AsyncClient(trust_env=False, timeout=2.0))


async def test_parses_price_conf_expo_and_publish_time(server: LocalServer) -> None:
    server.routes[PATH] = (
        200,
        body(
            entry(NVDA_ID, "18234500000", "9120000", -8, 1785738586),
            entry(AAPL_ID, "23017250", "11500", -5, 1785738585),
        ),
    )
    pyth = source(server)
    result = await pyth.fetch(1_785_738_587_000)
    await pyth.aclose()
    by_underlying = {q.underlying: q for q in result.quotes}
    assert by_underlying["NVDA"].price == 182.345
    assert by_underlying["NVDA"].conf == 0.0912
    assert by_underlying["NVDA"].publish_ms == 1_785_738_586_000
    assert by_underlying["AAPL"].price == 230.1725
    assert result.problems == []
    query = parse_qs(urlsplit(server.requests[0]).query)
    assert sorted(query["ids[]"]) == sorted([NVDA_ID, AAPL_ID])
    assert query["parsed"] == ["true"]


async def test_garbage_entries_are_problems_not_crashes(server: LocalServer) -> None:
    server.routes[PATH] = (
        200,
        body(
            entry(NVDA_ID, "not a number", "1", -8, 1785738586),
            entry(AAPL_ID, "23017250", "11500", "minus five", 1785738585),  # type: ignore[arg-type]
            entry("ffff", "1", "1", -8, 1785738586),
            {"id": NVDA_ID},
        ),
    )
    pyth = source(server)
    result = await pyth.fetch(1_785_738_587_000)
    await pyth.aclose()
    assert result.quotes == []
    assert sorted(result.problems) == ["bad_entry", "bad_entry", "bad_entry", "unknown_feed"]


@pytest.mark.parametrize(
    ("status", "payload", "reason"),
    [(503, b"upstream down", "http_503"), (200, b"<html>", "bad_body"), (200, b'{"parsed": 3}', "bad_body")],
)
async def test_whole_failures_raise_a_labelled_error(
    server: LocalServer, status: int, payload: bytes, reason: str
) -> None:
    server.routes[PATH] = (status, payload)
    pyth = source(server)
    with pytest.raises(SourceError) as failure:
        await pyth.fetch(0)
    await pyth.aclose()
    assert failure.value.reason == reason


async def test_connection_refused_is_a_source_error() -> None:
    with LocalServer() as gone:
        url = gone.url
    pyth = PythHermesSource({"NVDA": NVDA_ID}, base_url=url, client=httpx.AsyncClient(trust_env=False, timeout=1.0))
    with pytest.raises(SourceError) as failure:
        await pyth.fetch(0)
    await pyth.aclose()
    assert failure.value.reason == "connect_error"
