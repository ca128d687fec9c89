"""The generic JSON poller against a local server."""

import json
from collections.abc import Iterator

import httpx
import pytest

from oracle.sources.http_json import HttpJsonSource, pick
from tests.oracle.http_server import LocalServer


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        yield local


def poller(server: LocalServer, **kwargs: object) -> HttpJsonSource:
    return HttpJsonSource(
        f"{server.url}/quote/{{underlying}}",
        ["NVDA", "AAPL", "TSLA"],
        client=httpx.AsyncClient(trust_env=False, timeout=2.0),
        **kwargs,  # type: ignore[arg-type]
    )


async def test_picks_price_time_and_conf_by_path_and_reports_each_failure(server: LocalServer) -> None:
    server.routes["/quote/NVDA"] = (200, json.dumps({"data": [{"last": "182.5", "t": 1785738586, "c": 0.05}]}).encode())
    server.routes["/quote/AAPL"] = (500, b"oops")
    server.routes["/quote/TSLA"] = (200, json.dumps({"data": [{"last": None, "t": 1785738586}]}).encode())
    http = poller(server, price_path="data.0.last", time_path="data.0.t", time_unit_ms=1000, conf_path="data.0.c")
    result = await http.fetch(1_785_738_587_000)
    await http.aclose()
    assert [(q.underlying, q.price, q.publish_ms, q.conf) for q in result.quotes] == [
        ("NVDA", 182.5, 1_785_738_586_000, 0.05)
    ]
    assert sorted(result.problems) == ["AAPL: http_500", "TSLA: bad_body"]


async def test_without_a_time_path_the_fetch_time_stamps_the_quote(server: LocalServer) -> None:
    for underlying in ("NVDA", "AAPL", "TSLA"):
        server.routes[f"/quote/{underlying}"] = (200, b'{"price": 101.25}')
    http = poller(server, price_path="price")
    result = await http.fetch(42_000)
    await http.aclose()
    assert {q.publish_ms for q in result.quotes} == {42_000}
    assert {q.price for q in result.quotes} == {101.25}


def test_pick() -> None:
    document = {"a": [{"b": 1}, {"b": 2}]}
    assert pick(document, "a.1.b") == 2
    with pytest.raises(KeyError):
        pick(document, "a.2.b")
    with pytest.raises(KeyError):
        pick(document, "a.x")
