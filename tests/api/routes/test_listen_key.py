"""listenKey: POST/PUT/DELETE with the API key alone, one key per account, kept 60 minutes in Redis."""

import httpx

from api.routes.listen_key import listen_key_name
from tests.api.binance_client import assert_error


def test_listen_key_lifecycle_with_the_key_alone(exchange):
    api_key = exchange.new_key(read_only=True)  # a read-only key may open its account's stream
    headers = {"X-MBX-APIKEY": api_key.key}
    created = httpx.post(exchange.url + "/fapi/v1/listenKey", headers=headers)
    assert created.status_code == 200 and set(created.json()) == {"listenKey"}
    listen_key = created.json()["listenKey"]
    ttl = exchange.client.ttl(listen_key_name(listen_key))
    assert 3500 < ttl <= 3600
    assert int(exchange.client.get(listen_key_name(listen_key))) == api_key.account_id
    assert httpx.put(exchange.url + "/fapi/v1/listenKey", headers=headers).json() == {"listenKey": listen_key}
    assert httpx.delete(exchange.url + f"/fapi/v1/listenKey?listenKey={listen_key}", headers=headers).json() == {}
    assert exchange.client.get(listen_key_name(listen_key)) is None
    assert_error(httpx.put(exchange.url + "/fapi/v1/listenKey", headers=headers), 400, -1125)


def test_another_accounts_listen_key_is_unknown(exchange):
    mine, theirs = exchange.new_key(), exchange.new_key()
    listen_key = httpx.post(exchange.url + "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": theirs.key}).json()[
        "listenKey"
    ]
    for method in ("PUT", "DELETE"):
        response = httpx.request(
            method, exchange.url + f"/fapi/v1/listenKey?listenKey={listen_key}", headers={"X-MBX-APIKEY": mine.key}
        )
        assert_error(response, 400, -1125, "This listenKey does not exist.")
    assert exchange.client.get(listen_key_name(listen_key)) is not None


def test_listen_key_needs_a_key(exchange):
    assert_error(httpx.post(exchange.url + "/fapi/v1/listenKey"), 401, -2014)
    assert_error(httpx.post(exchange.url + "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": "Q" * 64}), 401, -2015)
