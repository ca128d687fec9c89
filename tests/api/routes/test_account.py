"""Leverage, margin type and isolated position margin over HTTP, with Binance's answers and errors."""

from tests.api.binance_client import assert_error


def trade(seller, buyer, symbol: str, qty: str, price: str) -> None:
    """A fill between two accounts: `buyer` ends long `qty`."""
    common = {"symbol": symbol, "type": "LIMIT", "timeInForce": "GTC", "quantity": qty, "price": price}
    seller.ok("POST", "/fapi/v1/order", {**common, "side": "SELL"})
    filled = buyer.ok("POST", "/fapi/v1/order", {**common, "side": "BUY", "newOrderRespType": "RESULT"})
    assert filled["status"] == "FILLED"


def test_leverage_answers_and_errors(trader):
    assert trader.ok("POST", "/fapi/v1/leverage", {"symbol": "TSLAUSDC", "leverage": 10}) == {
        "leverage": 10,
        "maxNotionalValue": "500000",
        "symbol": "TSLAUSDC",
    }
    assert_error(trader.post("/fapi/v1/leverage", {"symbol": "TSLAUSDC", "leverage": 11}), 400, -4028)
    assert_error(trader.post("/fapi/v1/leverage", {"symbol": "TSLAUSDC", "leverage": 0}), 400, -4028)
    assert_error(trader.post("/fapi/v1/leverage", {"symbol": "TSLAUSDC", "leverage": "x"}), 400, -1100)
    assert_error(trader.post("/fapi/v1/leverage", {"symbol": "NOPE", "leverage": 2}), 400, -1121, "Invalid symbol.")
    assert_error(trader.post("/fapi/v1/leverage", {"symbol": "TSLAUSDC"}), 400, -1102)


def test_margin_type_cannot_change_with_open_orders_or_a_position(trader, other_trader):
    order = {
        "symbol": "AAPLUSDC",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.100",
        "price": "220.00",
    }
    trader.ok("POST", "/fapi/v1/order", order)
    assert_error(
        trader.post("/fapi/v1/marginType", {"symbol": "AAPLUSDC", "marginType": "ISOLATED"}),
        400,
        -4047,
        "Margin type cannot be changed if there exists open orders.",
    )
    trader.ok("DELETE", "/fapi/v1/allOpenOrders", {"symbol": "AAPLUSDC"})
    trade(other_trader, trader, "AAPLUSDC", "0.100", "230.00")
    assert_error(
        trader.post("/fapi/v1/marginType", {"symbol": "AAPLUSDC", "marginType": "ISOLATED"}),
        400,
        -4048,
        "Margin type cannot be changed if there exists position.",
    )
    assert_error(trader.post("/fapi/v1/marginType", {"symbol": "AAPLUSDC", "marginType": "CROSS"}), 400, -1130)


def test_isolated_position_margin(trader, other_trader):
    assert trader.ok("POST", "/fapi/v1/marginType", {"symbol": "TSLAUSDC", "marginType": "ISOLATED"}) == {
        "code": 200,
        "msg": "success",
    }
    margin = {"symbol": "TSLAUSDC", "amount": "10", "type": 1}
    assert_error(trader.post("/fapi/v1/positionMargin", margin), 400, -4049)  # no position yet
    trade(other_trader, trader, "TSLAUSDC", "0.100", "400.00")
    assert trader.ok("POST", "/fapi/v1/positionMargin", margin) == {
        "amount": "10.000000",
        "code": 200,
        "msg": "Successfully modify position margin.",
        "type": 1,
    }
    assert trader.ok("POST", "/fapi/v1/positionMargin", {**margin, "amount": "5.5", "type": 2})["type"] == 2
    assert_error(trader.post("/fapi/v1/positionMargin", {**margin, "amount": "99999999"}), 400, -2019)
    assert_error(trader.post("/fapi/v1/positionMargin", {**margin, "amount": "0"}), 400, -4003)
    assert_error(trader.post("/fapi/v1/positionMargin", {**margin, "type": 3}), 400, -1130)
