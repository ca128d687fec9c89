"""Signing as Binance checks it: HMAC-SHA256 over query string + body as received, the key header,
timestamp and recvWindow; each failure with Binance's code and status."""

import time
from urllib.parse import urlencode

import httpx

from api.auth import signature_of, signed_payload, without_signature
from api.key_store import revoke_key
from api.params import RawParams
from tests.api.binance_client import ORDER, assert_error


def now_ms() -> int:
    return int(time.time() * 1000)


def test_binance_documented_example_signature():
    # Binance's documentation example: key, secret, query, signature
    secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    payload = (
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
    )
    assert signature_of(secret, payload) == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"


def test_payload_is_query_then_body_without_the_signature():
    params = RawParams("symbol=LTCBTC&side=BUY", "quantity=1&timestamp=2&signature=abc", {})
    assert signed_payload(params) == "symbol=LTCBTC&side=BUYquantity=1&timestamp=2"
    assert without_signature("signature=x&a=1") == "a=1"


def test_query_string_and_form_body_are_both_accepted(exchange, trader, other_trader):
    assert trader.post("/fapi/v1/order", ORDER).status_code == 200  # all in the query string
    assert other_trader.post("/fapi/v1/order", ORDER).status_code == 200  # all in a form body


def test_mixed_query_and_body_sign_their_concatenation(exchange):
    api_key = exchange.funded_key()
    query = urlencode({"symbol": "NVDAUSDC", "side": "BUY", "type": "LIMIT"})
    body = urlencode({"timeInForce": "GTC", "quantity": "0.100", "price": "150.00", "timestamp": now_ms()})
    body += "&signature=" + signature_of(api_key.secret, query + body)
    headers = {"X-MBX-APIKEY": api_key.key, "Content-Type": "application/x-www-form-urlencoded"}
    response = httpx.post(f"{exchange.url}/fapi/v1/order?{query}", content=body, headers=headers)
    assert response.status_code == 200, response.text
    httpx.delete(
        f"{exchange.url}/fapi/v1/allOpenOrders?"
        + (q := urlencode({"symbol": "NVDAUSDC", "timestamp": now_ms()}))
        + "&signature="
        + signature_of(api_key.secret, q),
        headers={"X-MBX-APIKEY": api_key.key},
    )


def test_bad_signature_is_1022(exchange, trader):
    query = urlencode({**ORDER, "timestamp": now_ms()}) + "&signature=" + "0" * 64
    response = httpx.post(f"{exchange.url}/fapi/v1/order?{query}", headers={"X-MBX-APIKEY": trader.key})
    assert_error(response, 400, -1022, "Signature for this request is not valid.")


def test_a_parameter_changed_after_signing_is_1022(exchange, trader):
    query = urlencode({**ORDER, "timestamp": now_ms()})
    signed = query + "&signature=" + trader.sign(query)
    response = httpx.post(
        f"{exchange.url}/fapi/v1/order?{signed.replace('0.100', '9.100')}", headers={"X-MBX-APIKEY": trader.key}
    )
    assert_error(response, 400, -1022)


def test_missing_signature_and_timestamp_are_1102(exchange, trader):
    query = urlencode({**ORDER, "timestamp": now_ms()})
    response = httpx.post(f"{exchange.url}/fapi/v1/order?{query}", headers={"X-MBX-APIKEY": trader.key})
    assert_error(response, 400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.")
    query = urlencode(ORDER)
    response = httpx.post(
        f"{exchange.url}/fapi/v1/order?{query}&signature={trader.sign(query)}", headers={"X-MBX-APIKEY": trader.key}
    )
    assert_error(response, 400, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.")


def test_timestamps_outside_the_window_are_1021(trader):
    assert_error(trader.request("POST", "/fapi/v1/order", ORDER, timestamp_ms=now_ms() - 6000), 400, -1021)
    assert_error(trader.request("POST", "/fapi/v1/order", ORDER, timestamp_ms=now_ms() + 5000), 400, -1021)
    late = trader.request("POST", "/fapi/v1/order", {**ORDER, "recvWindow": 20000}, timestamp_ms=now_ms() - 6000)
    assert late.status_code == 200, late.text  # within a wider recvWindow


def test_recv_window_above_60000_is_1131(trader):
    assert_error(trader.post("/fapi/v1/order", {**ORDER, "recvWindow": 60001}), 400, -1131)
    assert_error(trader.post("/fapi/v1/order", {**ORDER, "recvWindow": "abc"}), 400, -1100)


def test_missing_or_malformed_key_is_2014_and_unknown_key_2015(exchange, trader):
    query = urlencode({**ORDER, "timestamp": now_ms()})
    signed = f"{query}&signature={trader.sign(query)}"
    assert_error(httpx.post(f"{exchange.url}/fapi/v1/order?{signed}"), 401, -2014, "API-key format invalid.")
    assert_error(
        httpx.post(f"{exchange.url}/fapi/v1/order?{signed}", headers={"X-MBX-APIKEY": "not a key!"}), 401, -2014
    )
    response = httpx.post(f"{exchange.url}/fapi/v1/order?{signed}", headers={"X-MBX-APIKEY": "Z" * 64})
    assert_error(response, 401, -2015, "Invalid API-key, IP, or permissions for action.")


def test_a_read_only_key_cannot_trade(exchange):
    client = exchange.signed(exchange.funded_key(read_only=True))
    assert_error(client.post("/fapi/v1/order", ORDER), 401, -2015)
    assert_error(client.post("/fapi/v1/leverage", {"symbol": "NVDAUSDC", "leverage": 2}), 401, -2015)
    client.close()


def test_a_trading_key_is_not_an_admin_key(trader):
    assert_error(trader.post("/perpx/v1/admin/deposit", {"account": 1, "amount": "1"}), 401, -2015)


def test_a_key_whose_record_the_server_key_cannot_open_is_unknown(exchange):
    from api.keys import KEY_PREFIX

    client = exchange.signed(exchange.funded_key())
    exchange.client.hset(KEY_PREFIX + client.key, "secret", "garbage")
    assert_error(client.post("/fapi/v1/order", ORDER), 401, -2015)
    client.close()


def test_a_revoked_key_is_refused_at_once_though_the_api_keeps_keys_in_memory(exchange):
    """The api caches a verified key for a moment; revoke_key tells it, so the next request fails."""
    api_key = exchange.funded_key()
    client = exchange.signed(api_key)
    for _ in range(3):  # read, then served from memory
        assert client.request("GET", "/fapi/v2/balance").status_code == 200
    assert revoke_key(exchange.client, api_key.key)
    assert_error(client.request("GET", "/fapi/v2/balance"), 401, -2015)
    client.close()
