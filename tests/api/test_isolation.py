"""No account sees or touches another's orders: every signed endpoint tried with another account's
key and the victim's ids is answered exactly as for an order that does not exist, and changes nothing."""

import json

from tests.api.binance_client import assert_error


def test_another_accounts_key_cannot_touch_an_order(trader, other_trader):
    victim, intruder = trader, other_trader
    order = victim.ok(
        "POST",
        "/fapi/v1/order",
        {"symbol": "NVDAUSDC", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.100",
         "price": "160.00", "newClientOrderId": "victim-order"},
    )  # fmt: skip
    order_id = order["orderId"]
    by_id = {"symbol": "NVDAUSDC", "orderId": order_id}
    by_client_id = {"symbol": "NVDAUSDC", "origClientOrderId": "victim-order"}
    amend = {"side": "BUY", "quantity": "0.200", "price": "161.00"}
    never_existed = {"symbol": "NVDAUSDC", "orderId": 987_654_321}

    # the same answers as for an order that never existed, field for field
    for ref in (by_id, by_client_id):
        assert intruder.delete("/fapi/v1/order", ref).json() == intruder.delete("/fapi/v1/order", never_existed).json()
        assert_error(intruder.delete("/fapi/v1/order", ref), 400, -2011, "Unknown order sent.")
        assert_error(intruder.put("/fapi/v1/order", {**ref, **amend}), 400, -2013, "Order does not exist.")
    batch_amend = json.dumps([{**by_id, **amend}])
    assert intruder.ok("PUT", "/fapi/v1/batchOrders", {"batchOrders": batch_amend}) == [
        {"code": -2013, "msg": "Order does not exist."}
    ]
    cancels = intruder.ok(
        "DELETE", "/fapi/v1/batchOrders", {"symbol": "NVDAUSDC", "orderIdList": json.dumps([order_id])}
    )
    assert cancels == [{"code": -2011, "msg": "Unknown order sent."}]
    client_cancels = intruder.ok(
        "DELETE", "/fapi/v1/batchOrders", {"symbol": "NVDAUSDC", "origClientOrderIdList": json.dumps(["victim-order"])}
    )
    assert client_cancels == [{"code": -2011, "msg": "Unknown order sent."}]
    # cancel-all, leverage and margin type act on the caller's own account only
    intruder.ok("DELETE", "/fapi/v1/allOpenOrders", {"symbol": "NVDAUSDC"})
    intruder.ok("POST", "/fapi/v1/leverage", {"symbol": "NVDAUSDC", "leverage": 2})
    intruder.ok("POST", "/fapi/v1/marginType", {"symbol": "NVDAUSDC", "marginType": "ISOLATED"})
    # a client order id is the account's own: the intruder may use the same one
    intruder.ok(
        "POST",
        "/fapi/v1/order",
        {"symbol": "NVDAUSDC", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.100",
         "price": "155.00", "newClientOrderId": "victim-order"},
    )  # fmt: skip

    # the victim's order is untouched and still the victim's
    amended = victim.ok("PUT", "/fapi/v1/order", {**by_id, **amend})
    assert (amended["orderId"], amended["origQty"], amended["price"]) == (order_id, "0.200", "161.00")
    assert victim.ok("DELETE", "/fapi/v1/order", by_client_id)["orderId"] == order_id
    victim.ok(
        "POST", "/fapi/v1/marginType", {"symbol": "NVDAUSDC", "marginType": "ISOLATED"}
    )  # not -4046: its own mode
    victim.ok("POST", "/fapi/v1/marginType", {"symbol": "NVDAUSDC", "marginType": "CROSSED"})
