"""Every non-2xx answer is Binance's `{"code", "msg"}` with Binance's status, and bad input never
gets a 5xx: unknown paths and methods, wrong content types, duplicated or unknown parameters."""

import time
from urllib.parse import urlencode

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.binance_client import ORDER, assert_error


def test_unknown_path_and_method(exchange):
    assert_error(httpx.get(exchange.url + "/fapi/v1/nothing"), 404, -1000)
    assert_error(httpx.patch(exchange.url + "/fapi/v1/order"), 405, -1000)


def test_a_duplicated_parameter_is_1101(exchange, trader):
    query = urlencode({**ORDER, "timestamp": int(time.time() * 1000)}) + "&side=SELL"
    response = httpx.post(
        f"{exchange.url}/fapi/v1/order?{query}&signature={trader.sign(query)}", headers={"X-MBX-APIKEY": trader.key}
    )
    assert_error(response, 400, -1101, "Duplicate values for a parameter detected.")


def test_a_json_body_is_refused(exchange, trader):
    query = urlencode({"timestamp": int(time.time() * 1000)})
    response = httpx.post(
        f"{exchange.url}/fapi/v1/order?{query}&signature={trader.sign(query)}",
        json=ORDER,
        headers={"X-MBX-APIKEY": trader.key},
    )
    assert_error(response, 400, -1130)


def test_an_unknown_parameter_is_1106(trader):
    assert_error(trader.post("/fapi/v1/order", {**ORDER, "icebergQty": "1"}), 400, -1106)


def test_empty_body_with_a_json_content_type_is_fine(exchange, trader):
    """What UMFutures sends: everything in the query string, an empty body, Content-Type JSON."""
    query = urlencode({"symbol": "NVDAUSDC", "timestamp": int(time.time() * 1000)})
    response = httpx.delete(
        f"{exchange.url}/fapi/v1/allOpenOrders?{query}&signature={trader.sign(query)}",
        headers={"X-MBX-APIKEY": trader.key, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text


text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
values = st.one_of(text, st.integers(-(10**30), 10**30).map(str), st.decimals(allow_nan=True).map(str))


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    fields=st.dictionaries(
        st.sampled_from([*ORDER, "reduceOnly", "newClientOrderId", "goodTillDate", "orderId", "leverage", "x"]),
        values,
        max_size=8,
    ),
    path=st.sampled_from(["/fapi/v1/order", "/fapi/v1/batchOrders", "/fapi/v1/leverage", "/fapi/v1/marginType"]),
    method=st.sampled_from(["POST", "PUT", "DELETE"]),
)
def test_arbitrary_input_never_gets_a_5xx(trader, fields, path, method):
    response = trader.request(method, path, fields)
    assert response.status_code < 500, response.text
    if response.status_code != 200:
        assert set(response.json()) == {"code", "msg"}
    elif isinstance(response.json(), dict):
        assert "code" not in response.json() or response.json()["code"] == 200
