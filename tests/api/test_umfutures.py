"""Binance's own connector (binance-futures-connector's UMFutures), unchanged, with base_url at perpx:
every parameter in the query string, an empty body."""

import pytest
from binance.error import ClientError
from binance.um_futures import UMFutures

from tests.api.conftest import Exchange, leave_no_orders


@pytest.fixture
def connector(exchange: Exchange):
    api_key = exchange.funded_key()
    yield UMFutures(key=api_key.key, secret=api_key.secret, base_url=exchange.url)
    leave_no_orders(exchange.signed(api_key))


def test_public_calls(exchange):
    client = UMFutures(base_url=exchange.url)
    assert client.ping() == {}
    assert abs(client.time()["serverTime"] - __import__("time").time() * 1000) < 5000
    symbols = {s["symbol"]: s for s in client.exchange_info()["symbols"]}
    assert symbols["NVDAUSDC"]["contractType"] == "PERPETUAL"


def test_trading_flow(connector):
    order = connector.new_order(
        symbol="NVDAUSDC", side="BUY", type="LIMIT", quantity="0.100", price="170.00", timeInForce="GTC"
    )
    assert order["status"] == "NEW" and order["origQty"] == "0.100"
    modified = connector.modify_order(
        symbol="NVDAUSDC", side="BUY", orderId=order["orderId"], quantity="0.200", price="171.00"
    )
    assert modified["orderId"] == order["orderId"] and modified["price"] == "171.00"
    canceled = connector.cancel_order(symbol="NVDAUSDC", orderId=order["orderId"])
    assert canceled["status"] == "CANCELED"
    with pytest.raises(ClientError) as raised:
        connector.cancel_order(symbol="NVDAUSDC", orderId=order["orderId"])
    assert (raised.value.status_code, raised.value.error_code) == (400, -2011)
    assert connector.cancel_open_orders(symbol="NVDAUSDC")["code"] == 200


def test_leverage_and_margin_type(connector):
    answer = connector.change_leverage(symbol="NVDAUSDC", leverage=3)
    # NVDA's tiers: 20x to 1M notional, 10x to 5M, 5x to 20M, 2x beyond: 3x is allowed up to 20M
    assert answer == {"leverage": 3, "maxNotionalValue": "20000000", "symbol": "NVDAUSDC"}
    assert connector.change_leverage(symbol="NVDAUSDC", leverage=20)["maxNotionalValue"] == "1000000"
    with pytest.raises(ClientError) as raised:
        connector.change_leverage(symbol="NVDAUSDC", leverage=21)
    assert raised.value.error_code == -4028
    assert connector.change_margin_type(symbol="NVDAUSDC", marginType="ISOLATED") == {"code": 200, "msg": "success"}
    with pytest.raises(ClientError) as raised:
        connector.change_margin_type(symbol="NVDAUSDC", marginType="ISOLATED")
    assert (raised.value.error_code, raised.value.error_message) == (-4046, "No need to change margin type.")
    connector.change_margin_type(symbol="NVDAUSDC", marginType="CROSSED")


def test_listen_key_lifecycle(connector):
    listen_key = connector.new_listen_key()["listenKey"]
    assert connector.new_listen_key()["listenKey"] == listen_key  # one per account, extended
    assert connector.renew_listen_key(listen_key) == {"listenKey": listen_key}
    assert connector.close_listen_key(listen_key) == {}
    with pytest.raises(ClientError) as raised:
        connector.renew_listen_key(listen_key)
    assert raised.value.error_code == -1125


def test_countdown_cancel_all_runs_on_the_engines_clock(exchange, connector):
    order = connector.new_order(
        symbol="NVDAUSDC", side="BUY", type="LIMIT", quantity="0.100", price="170.00", timeInForce="GTC"
    )
    assert connector.countdown_cancel_order(symbol="NVDAUSDC", countdownTime=1000) == {
        "symbol": "NVDAUSDC",
        "countdownTime": "1000",
    }
    import time

    time.sleep(1.2)
    # any command moves the engine's clock past the deadline: here another account's heartbeat
    other = UMFutures(**_credentials(exchange.funded_key()), base_url=exchange.url)
    other.countdown_cancel_order(symbol="NVDAUSDC", countdownTime=0)
    with pytest.raises(ClientError) as raised:
        connector.cancel_order(symbol="NVDAUSDC", orderId=order["orderId"])
    assert raised.value.error_code == -2011  # already cancelled by the countdown
    with pytest.raises(ClientError) as raised:
        connector.countdown_cancel_order(symbol="NVDAUSDC", countdownTime=-5)
    assert raised.value.error_code == -1130


def _credentials(api_key) -> dict:
    return {"key": api_key.key, "secret": api_key.secret}
