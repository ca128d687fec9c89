"""Order entry over real HTTP against a real engine: Binance's shapes, field by field, and its errors."""

import pytest

from tests.api.binance_client import assert_error

ORDER_FIELDS = {
    "orderId", "symbol", "status", "clientOrderId", "price", "avgPrice", "origQty", "executedQty", "cumQty",
    "cumQuote", "timeInForce", "type", "origType", "reduceOnly", "closePosition", "side", "positionSide",
    "stopPrice", "workingType", "priceProtect", "priceMatch", "selfTradePreventionMode", "goodTillDate", "updateTime",
}  # fmt: skip


def limit(side: str, qty: str, price: str, **extra) -> dict:
    return {
        "symbol": "NVDAUSDC",
        "side": side,
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": qty,
        "price": price,
        **extra,
    }


def test_a_resting_limit_order_is_answered_in_binance_shape(trader):
    order = trader.ok("POST", "/fapi/v1/order", limit("BUY", "1.000", "170.00", newOrderRespType="RESULT"))
    assert set(order) == ORDER_FIELDS
    assert "code" not in order
    assert isinstance(order["orderId"], int) and order["orderId"] > 0
    assert order["status"] == "NEW"
    assert (order["price"], order["origQty"], order["executedQty"], order["cumQuote"]) == (
        "170.00",
        "1.000",
        "0.000",
        "0.000000",
    )
    assert (order["side"], order["type"], order["timeInForce"], order["positionSide"]) == (
        "BUY",
        "LIMIT",
        "GTC",
        "BOTH",
    )
    assert order["clientOrderId"].startswith("perpx-") and len(order["clientOrderId"]) <= 36
    assert order["reduceOnly"] is False and isinstance(order["updateTime"], int)


def test_ack_is_the_default_response_type(trader):
    order = trader.ok("POST", "/fapi/v1/order", limit("BUY", "0.100", "170.00", newClientOrderId="my-ack-1"))
    assert order["status"] == "NEW" and order["clientOrderId"] == "my-ack-1"


def test_a_crossing_order_fills_and_says_so(trader, other_trader):
    maker = trader.ok("POST", "/fapi/v1/order", limit("SELL", "0.500", "180.00", newOrderRespType="RESULT"))
    taker = other_trader.ok("POST", "/fapi/v1/order", limit("BUY", "0.200", "181.00", newOrderRespType="RESULT"))
    assert taker["status"] == "FILLED"
    assert (taker["executedQty"], taker["cumQuote"], taker["avgPrice"]) == ("0.200", "36.000000", "180.000000")
    rest = other_trader.ok("POST", "/fapi/v1/order", limit("BUY", "0.500", "180.00", newOrderRespType="RESULT"))
    assert rest["status"] == "PARTIALLY_FILLED" and rest["executedQty"] == "0.300"
    assert maker["status"] == "NEW"


def test_market_order_takes_the_book(trader, other_trader):
    trader.ok("POST", "/fapi/v1/order", limit("SELL", "0.100", "180.50"))
    order = other_trader.ok(
        "POST",
        "/fapi/v1/order",
        {"symbol": "NVDAUSDC", "side": "BUY", "type": "MARKET", "quantity": "0.100", "newOrderRespType": "RESULT"},
    )
    assert order["type"] == "MARKET" and order["price"] == "0"
    assert order["status"] == "FILLED" and order["executedQty"] == "0.100"


def test_ioc_remainder_expires(trader, other_trader):
    trader.ok("POST", "/fapi/v1/order", limit("SELL", "0.100", "179.00", timeInForce="GTC"))
    order = other_trader.ok(
        "POST", "/fapi/v1/order", limit("BUY", "1.000", "179.00", timeInForce="IOC", newOrderRespType="RESULT")
    )
    assert order["status"] == "EXPIRED" and order["executedQty"] == "0.100"


def test_fok_that_cannot_fill_is_5021(trader):
    response = trader.post("/fapi/v1/order", limit("BUY", "500.000", "100.00", timeInForce="FOK"))
    assert_error(
        response, 400, -5021, "Due to the order could not be filled immediately, the FOK order has been rejected."
    )


def test_post_only_that_would_take_is_5022(trader, other_trader):
    trader.ok("POST", "/fapi/v1/order", limit("SELL", "0.100", "178.00"))
    response = other_trader.post("/fapi/v1/order", limit("BUY", "0.100", "178.00", timeInForce="GTX"))
    assert_error(response, 400, -5022)


def test_gtd_needs_good_till_date(trader):
    assert_error(trader.post("/fapi/v1/order", limit("BUY", "0.100", "150.00", timeInForce="GTD")), 400, -1102)
    import time

    order = trader.ok(
        "POST",
        "/fapi/v1/order",
        limit("BUY", "0.100", "150.00", timeInForce="GTD", goodTillDate=int(time.time() * 1000) + 3_600_000),
    )
    assert order["timeInForce"] == "GTD" and order["goodTillDate"] > 0


def test_reduce_only_without_a_position_is_2022(trader):
    assert_error(trader.post("/fapi/v1/order", limit("SELL", "0.100", "200.00", reduceOnly="true")), 400, -2022)


def test_duplicate_client_order_id_is_4116(trader):
    trader.ok("POST", "/fapi/v1/order", limit("BUY", "0.100", "150.00", newClientOrderId="dup-1"))
    assert_error(trader.post("/fapi/v1/order", limit("BUY", "0.100", "150.00", newClientOrderId="dup-1")), 400, -4116)


def test_unfunded_account_is_2019(exchange):
    client = exchange.signed(exchange.new_key())
    assert_error(client.post("/fapi/v1/order", limit("BUY", "0.100", "150.00")), 400, -2019, "Margin is insufficient.")
    client.close()


def test_cancel_by_id_and_by_client_id(trader):
    first = trader.ok("POST", "/fapi/v1/order", limit("BUY", "0.100", "150.00"))
    canceled = trader.ok("DELETE", "/fapi/v1/order", {"symbol": "NVDAUSDC", "orderId": first["orderId"]})
    assert canceled["orderId"] == first["orderId"] and canceled["status"] == "CANCELED"
    assert canceled["clientOrderId"] == first["clientOrderId"]
    trader.ok("POST", "/fapi/v1/order", limit("BUY", "0.100", "150.00", newClientOrderId="cancel-me"))
    canceled = trader.ok("DELETE", "/fapi/v1/order", {"symbol": "NVDAUSDC", "origClientOrderId": "cancel-me"})
    assert canceled["clientOrderId"] == "cancel-me"
    assert_error(
        trader.delete("/fapi/v1/order", {"symbol": "NVDAUSDC", "orderId": first["orderId"]}),
        400,
        -2011,
        "Unknown order sent.",
    )
    assert_error(trader.delete("/fapi/v1/order", {"symbol": "NVDAUSDC"}), 400, -1102)


def test_amend_keeps_the_order_id(trader):
    order = trader.ok("POST", "/fapi/v1/order", limit("BUY", "0.100", "150.00"))
    amended = trader.ok(
        "PUT",
        "/fapi/v1/order",
        {"symbol": "NVDAUSDC", "orderId": order["orderId"], "side": "BUY", "quantity": "0.200", "price": "151.00"},
    )
    assert amended["orderId"] == order["orderId"] and (amended["price"], amended["origQty"]) == ("151.00", "0.200")
    assert amended["status"] == "NEW" and "code" not in amended
    same = {"symbol": "NVDAUSDC", "orderId": order["orderId"], "side": "BUY", "quantity": "0.200", "price": "151.00"}
    assert_error(trader.put("/fapi/v1/order", same), 400, -5027)
    assert_error(trader.put("/fapi/v1/order", {**same, "orderId": 999_999_999}), 400, -2013, "Order does not exist.")


def test_cancel_all_open_orders(trader):
    ids = [trader.ok("POST", "/fapi/v1/order", limit("BUY", "0.100", p))["orderId"] for p in ("140.00", "141.00")]
    body = trader.ok("DELETE", "/fapi/v1/allOpenOrders", {"symbol": "NVDAUSDC"})
    assert body == {"code": 200, "msg": "The operation of cancel all open order is done."}
    for order_id in ids:
        assert_error(trader.delete("/fapi/v1/order", {"symbol": "NVDAUSDC", "orderId": order_id}), 400, -2011)


def test_batch_orders_answer_each_element(trader):
    import json

    batch = [
        limit("BUY", "0.100", "145.00"),
        limit("BUY", "0.100", "145.001"),
        {**limit("BUY", "0.1", "1"), "side": "UP"},
    ]
    answers = trader.ok("POST", "/fapi/v1/batchOrders", {"batchOrders": json.dumps(batch)})
    assert answers[0]["status"] == "NEW" and "code" not in answers[0]
    assert answers[1] == {"code": -1111, "msg": "Precision is over the maximum defined for this asset (price)."}
    assert answers[2] == {"code": -1117, "msg": "Invalid side."}
    amend = [
        {"symbol": "NVDAUSDC", "orderId": answers[0]["orderId"], "side": "BUY", "quantity": "0.300", "price": "145.00"}
    ]
    amended = trader.ok("PUT", "/fapi/v1/batchOrders", {"batchOrders": json.dumps(amend)})
    assert amended[0]["origQty"] == "0.300"
    canceled = trader.ok(
        "DELETE", "/fapi/v1/batchOrders", {"symbol": "NVDAUSDC", "orderIdList": json.dumps([answers[0]["orderId"], 1])}
    )
    assert canceled[0]["status"] == "CANCELED"
    assert canceled[1] == {"code": -2011, "msg": "Unknown order sent."}
    too_many = json.dumps([limit("BUY", "0.100", "145.00")] * 6)
    assert_error(trader.post("/fapi/v1/batchOrders", {"batchOrders": too_many}), 400, -4000)
    assert_error(trader.post("/fapi/v1/batchOrders", {"batchOrders": "not json"}), 400, -1130)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"quantity": "1e3"}, -1100),
        ({"quantity": "-1"}, -1100),
        ({"quantity": "0"}, -4003),
        ({"quantity": "0.0001"}, -1111),
        ({"quantity": "99999999999999999999"}, -4005),
        ({"price": "abc"}, -1100),
        ({"price": "0"}, -4001),
        ({"price": "99999999999999999999"}, -4016),
        ({"price": "1.001"}, -1111),
        ({"side": "UP"}, -1117),
        ({"type": "STOP"}, -1116),
        ({"timeInForce": "XYZ"}, -1115),
        ({"symbol": "NOPEUSDC"}, -1121),
        ({"newClientOrderId": "x" * 37}, -1100),
        ({"newClientOrderId": "bad id!"}, -1100),
        ({"reduceOnly": "maybe"}, -1130),
        ({"newOrderRespType": "FULL"}, -1130),
        ({"stopPrice": "1"}, -1106),
        ({"positionSide": "LONG"}, -4061),
        ({"quantity": ""}, -1102),
    ],
)
def test_bad_order_input_gets_binance_errors(trader, change, code):
    assert_error(trader.post("/fapi/v1/order", {**limit("BUY", "0.100", "150.00"), **change}), 400, code)


def test_market_order_with_a_price_is_1106(trader):
    params = {"symbol": "NVDAUSDC", "side": "BUY", "type": "MARKET", "quantity": "0.100", "price": "150.00"}
    assert_error(trader.post("/fapi/v1/order", params), 400, -1106, "Parameter 'price' sent when not required.")


def test_limit_order_without_time_in_force_is_1102(trader):
    params = {"symbol": "NVDAUSDC", "side": "BUY", "type": "LIMIT", "quantity": "0.100", "price": "150.00"}
    assert_error(trader.post("/fapi/v1/order", params), 400, -1102)


def test_order_counts_come_back_in_headers(trader):
    response = trader.post("/fapi/v1/order", limit("BUY", "0.100", "150.00"))
    assert int(response.headers["X-MBX-ORDER-COUNT-10S"]) >= 1
    assert int(response.headers["X-MBX-ORDER-COUNT-1M"]) >= 1
    assert int(response.headers["X-MBX-USED-WEIGHT-1M"]) >= 0
