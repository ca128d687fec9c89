"""Order entry at /ws-fapi/v1 and a user data stream over /private/ws, on real connections."""

import hashlib
import hmac
import json
import time

from websockets.sync.client import connect

from api.keys import ApiKey
from tests.api.conftest import Exchange
from tests.api.ws.test_streams import receive, receive_until, ws_url


def signed(api_key: ApiKey, params: dict) -> dict:
    """Binance's WebSocket API signature: HMAC over the params sorted by name."""
    params = {**params, "apiKey": api_key.key, "timestamp": int(time.time() * 1000)}
    payload = "&".join(f"{k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in sorted(params.items()))
    return {**params, "signature": hmac.new(api_key.secret.encode(), payload.encode(), hashlib.sha256).hexdigest()}


def test_place_cancel_over_the_socket_with_the_user_stream(exchange: Exchange) -> None:
    key = exchange.funded_key()
    with connect(ws_url(exchange, "/ws-fapi/v1")) as api:
        api.send(json.dumps({"id": "k", "method": "userDataStream.start", "params": {"apiKey": key.key}}))
        listen_key = receive(api)["result"]["listenKey"]
        with connect(ws_url(exchange, f"/private/ws?listenKey={listen_key}")) as user:
            time.sleep(0.2)
            order = {
                "symbol": "MSTRUSDC",
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": "1",
                "price": "140.00",
                "reduceOnly": False,
            }
            api.send(json.dumps({"id": 1, "method": "order.place", "params": signed(key, order)}))
            placed = receive(api)
            assert placed["id"] == 1 and placed["status"] == 200, placed
            assert placed["rateLimits"][0]["rateLimitType"] == "REQUEST_WEIGHT"
            assert placed["result"]["status"] == "NEW" and placed["result"]["price"] == "140.00"
            update = receive_until(user, lambda m: m["e"] == "ORDER_TRADE_UPDATE")
            assert "status" not in update
            assert update["o"]["i"] == placed["result"]["orderId"]
            assert (update["o"]["x"], update["o"]["X"], update["o"]["q"], update["o"]["p"]) == (
                "NEW",
                "NEW",
                "1.000",
                "140.00",
            )
            bad = signed(key, order)
            bad["signature"] = "0" * 64
            api.send(json.dumps({"id": 2, "method": "order.place", "params": bad}))
            assert receive(api)["error"] == {"code": -1022, "msg": "Signature for this request is not valid."}
            api.send(json.dumps({"id": 3, "method": "session.logon", "params": signed(key, {})}))
            assert receive(api)["result"]["apiKey"] == key.key
            ref = {"symbol": "MSTRUSDC", "orderId": placed["result"]["orderId"]}
            api.send(json.dumps({"id": 4, "method": "order.status", "params": ref}))
            assert receive(api)["result"]["status"] == "NEW"
            api.send(json.dumps({"id": 5, "method": "order.cancel", "params": ref}))
            canceled = receive(api)
            assert canceled["result"]["status"] == "CANCELED", canceled
            update = receive_until(user, lambda m: m["e"] == "ORDER_TRADE_UPDATE")
            assert (update["o"]["x"], update["o"]["X"]) == ("CANCELED", "CANCELED")
            api.send(json.dumps({"id": 6, "method": "order.status", "params": ref}))
            assert receive(api)["result"]["status"] == "CANCELED"  # recently closed, as REST GET order
            unknown = {"symbol": "MSTRUSDC", "orderId": 999_999_999}
            api.send(json.dumps({"id": 6, "method": "order.status", "params": unknown}))
            assert receive(api)["error"] == {"code": -2013, "msg": "Order does not exist."}
            api.send(json.dumps({"id": 7, "method": "no.such", "params": {}}))
            assert receive(api)["status"] == 400
            api.send("{bad")
            assert receive(api)["error"]["code"] == -1000


def test_modify_account_reads_and_cancel_on_disconnect(exchange: Exchange) -> None:
    key = exchange.funded_key("50000")
    rest = exchange.signed(key)
    with connect(ws_url(exchange, "/ws-fapi/v1?cancelOnDisconnect=true")) as api:
        order = {
            "symbol": "AAPLUSDC",
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": "1",
            "price": "200.00",
        }
        api.send(json.dumps({"id": 1, "method": "order.place", "params": signed(key, order)}))
        placed = receive(api)["result"]
        change = {"symbol": "AAPLUSDC", "side": "BUY", "orderId": placed["orderId"], "quantity": "2", "price": "201.00"}
        api.send(json.dumps({"id": 2, "method": "order.modify", "params": signed(key, change)}))
        modified = receive(api)
        assert modified["status"] == 200, modified
        assert (modified["result"]["price"], modified["result"]["origQty"]) == ("201.00", "2.000")
        api.send(json.dumps({"id": 3, "method": "account.balance", "params": signed(key, {})}))
        (balance,) = receive(api)["result"]
        assert (balance["asset"], balance["balance"]) == ("USDC", "50000.000000")
        api.send(json.dumps({"id": 4, "method": "v2/account.status", "params": signed(key, {})}))
        status = receive(api)["result"]
        assert status["assets"][0]["walletBalance"] == "50000.000000" and status["positions"] == []
        api.send(json.dumps({"id": 5, "method": "account.position", "params": signed(key, {"symbol": "AAPLUSDC"})}))
        (position,) = receive(api)["result"]
        assert (position["symbol"], position["positionAmt"]) == ("AAPLUSDC", "0.000")
        open_orders = rest.ok("GET", "/fapi/v1/openOrders", {"symbol": "AAPLUSDC"})
        assert [o["orderId"] for o in open_orders] == [placed["orderId"]]
    deadline = time.monotonic() + 5
    while rest.ok("GET", "/fapi/v1/openOrders", {"symbol": "AAPLUSDC"}):
        assert time.monotonic() < deadline, "the order outlived its connection"
        time.sleep(0.1)
    rest.close()
