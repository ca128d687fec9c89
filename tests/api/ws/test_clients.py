"""Binance's connector's WebSocket client, and two api processes seeing the same streams."""

import json
import threading
import time

from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient
from websockets.sync.client import connect

from tests.api.binance_client import SignedClient
from tests.api.conftest import Exchange, start_api, stop
from tests.api.ws.test_streams import receive, ws_url


def test_connector_subscribes_streams_and_a_listen_key(
    exchange: Exchange, trader: SignedClient, other_trader: SignedClient
) -> None:
    messages: list[dict] = []
    arrived = threading.Condition()

    def on_message(_client: object, text: str) -> None:
        with arrived:
            messages.append(json.loads(text))
            arrived.notify_all()

    def wait_for(match, timeout_s: float = 5.0) -> dict:
        deadline = time.monotonic() + timeout_s
        with arrived:
            while True:
                for message in messages:
                    if match(message):
                        return message
                assert arrived.wait(max(0.0, deadline - time.monotonic())), messages

    listen_key = trader.ok("POST", "/fapi/v1/listenKey")["listenKey"]
    client = UMFuturesWebsocketClient(stream_url=exchange.url.replace("http://", "ws://"), on_message=on_message)
    try:
        client.agg_trade("aaplusdc", id=1)
        client.partial_book_depth("aaplusdc", level=5, speed=100, id=2)
        client.user_data(listen_key, id=3)
        for request_id in (1, 2, 3):
            wait_for(lambda m, i=request_id: m.get("id") == i and m.get("result") is None)
        sell = {"symbol": "AAPLUSDC", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "1"}
        trader.ok("POST", "/fapi/v1/order", {**sell, "price": "230.50"})
        other_trader.ok(
            "POST", "/fapi/v1/order", {"symbol": "AAPLUSDC", "side": "BUY", "type": "MARKET", "quantity": "1"}
        )
        agg = wait_for(lambda m: m.get("e") == "aggTrade")
        assert (agg["s"], agg["p"], agg["q"], agg["m"]) == ("AAPLUSDC", "230.50", "1.000", False)
        fill = wait_for(lambda m: m.get("e") == "ORDER_TRADE_UPDATE" and m["o"]["x"] == "TRADE")
        assert fill["o"]["X"] == "FILLED" and fill["o"]["m"] is True
        wait_for(lambda m: m.get("e") == "ACCOUNT_UPDATE")
        wait_for(lambda m: m.get("e") == "depthUpdate")
    finally:
        client.stop()
        client.socket_manager.ws.shutdown()  # the connector sends a close frame but leaves its socket open


def test_two_api_processes_send_the_same_trades_in_the_same_order(
    exchange: Exchange, trader: SignedClient, other_trader: SignedClient
) -> None:
    process, second_url = start_api(exchange.redis_url, exchange.keys)
    try:
        second = second_url.replace("http://", "ws://") + "/ws/tslausdc@trade"
        with connect(ws_url(exchange, "/ws/tslausdc@trade")) as one, connect(second) as two:
            time.sleep(0.3)
            for price in ("401.00", "401.50", "402.00"):
                sell = {"symbol": "TSLAUSDC", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "3"}
                trader.ok("POST", "/fapi/v1/order", {**sell, "price": price})
            for _ in range(4):
                buy = {"symbol": "TSLAUSDC", "side": "BUY", "type": "MARKET", "quantity": "2"}
                other_trader.ok("POST", "/fapi/v1/order", buy)
            seen_one = [receive(one) for _ in range(5)]
            seen_two = [receive(two) for _ in range(5)]
        assert [m["t"] for m in seen_one] == sorted(m["t"] for m in seen_one)
        strip = [{k: v for k, v in m.items() if k != "E"} for m in seen_one]
        assert strip == [{k: v for k, v in m.items() if k != "E"} for m in seen_two]
        assert [m["p"] for m in seen_one] == ["401.00", "401.00", "401.50", "401.50", "402.00"]
    finally:
        stop(process)
