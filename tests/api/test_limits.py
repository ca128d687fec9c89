"""Limits over real HTTP, with a second api replica configured with small budgets (its counts kept
apart from the suite's other server): weights, order counts, 429 then 418, shared by replicas."""

import uuid
from collections.abc import Iterator

import httpx
import pytest

from api.limits import LimitSettings, limits_from_text, weight_of
from tests.api.binance_client import SignedClient, assert_error
from tests.api.conftest import Exchange, leave_no_orders, start_api, stop

LIMITS = "ip_weight_per_minute=20,key_weight_per_minute=1000,orders_per_10s=3,orders_per_minute=100,ban_after_refused=3"


@pytest.fixture
def limited(exchange: Exchange) -> Iterator[list[str]]:
    """Two replicas sharing one namespace of counts (as two replicas of one exchange do)."""
    namespace = f"limits-{uuid.uuid4().hex[:8]}"
    servers = [start_api(exchange.redis_url, exchange.keys, LIMITS, namespace) for _ in range(2)]
    yield [url for _, url in servers]
    for process, _ in servers:
        stop(process)


def test_weights_are_counted_across_replicas_then_429_then_418(limited):
    first, second = limited
    used = []
    for i in range(6):
        response = httpx.get((first if i % 2 else second) + "/fapi/v1/exchangeInfo")
        used.append(int(response.headers["X-MBX-USED-WEIGHT-1M"]))
    assert used == sorted(used) and used[-1] - used[0] == 5  # one count for both replicas
    responses = [httpx.get(first + "/fapi/v1/ping") for _ in range(30)]
    statuses = [r.status_code for r in responses]
    assert 429 in statuses and statuses[-1] == 418
    refused = responses[statuses.index(429)]
    assert_error(refused, 429, -1003)
    assert_error(responses[-1], 418, -1003)
    assert_error(httpx.get(second + "/fapi/v1/time"), 418, -1003)  # banned on every replica


def test_order_counts_per_account(exchange, limited):
    # the IP budget of 20 is not in the way: a fresh namespace, and orders weigh 0 on it
    api_key = exchange.funded_key()
    client = SignedClient(limited[0], api_key.key, api_key.secret)
    order = {"symbol": "NVDAUSDC", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.100"}
    counts = []
    for price in ("150.00", "150.01", "150.02"):
        response = client.post("/fapi/v1/order", {**order, "price": price})
        assert response.status_code == 200, response.text
        counts.append(int(response.headers["X-MBX-ORDER-COUNT-10S"]))
    assert counts == [1, 2, 3]
    response = client.post("/fapi/v1/order", {**order, "price": "150.03"})
    assert_error(response, 429, -1015, "Too many new orders; current limit is 3 orders per TEN_SECONDS.")
    assert response.headers["X-MBX-ORDER-COUNT-10S"] == "4"
    client.close()
    leave_no_orders(exchange.signed(api_key))


def test_weights_and_settings():
    assert weight_of("POST", "/fapi/v1/order", "") == 0
    assert weight_of("POST", "/fapi/v1/batchOrders", "") == 5
    assert weight_of("GET", "/fapi/v1/openOrders", "") == 40
    assert weight_of("GET", "/fapi/v1/openOrders", "symbol=NVDAUSDC") == 1
    assert [weight_of("GET", "/fapi/v1/depth", f"symbol=X&limit={n}") for n in (5, 50, 100, 500, 1000)] == [
        2,
        2,
        5,
        10,
        20,
    ]
    assert weight_of("GET", "/fapi/v1/depth", "symbol=X") == 10  # the default limit, 500
    assert [weight_of("GET", "/fapi/v1/klines", f"limit={n}") for n in (99, 100, 1000, 1500)] == [1, 2, 5, 10]
    assert weight_of("GET", "/fapi/v1/ticker/24hr", "") == 40
    assert weight_of("GET", "/fapi/v1/ticker/24hr", "symbol=NVDAUSDC") == 1
    assert limits_from_text("orders_per_10s=5") == LimitSettings(orders_per_10s=5)
    with pytest.raises(ValueError):
        limits_from_text("nonsense=1")
