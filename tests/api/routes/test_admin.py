"""/perpx/v1/admin over HTTP with an admin key: money, market status and listing, oracle instructions."""

import json

from oracle.admin import PostPrice, ScheduleCashDividend, ScheduleSplit, _decoder, admin_stream
from tests.api.binance_client import SignedClient, assert_error

ORDER = {
    "symbol": "MSTRUSDC",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.100",
    "price": "150.00",
}


def test_deposit_and_withdraw(exchange):
    api_key = exchange.new_key()
    assert exchange.admin.ok("POST", "/perpx/v1/admin/deposit", {"account": api_key.account_id, "amount": "100.5"}) == {
        "account": api_key.account_id,
        "amount": "100.500000",
        "balance": "100.500000",
    }
    withdrawn = exchange.admin.ok("POST", "/perpx/v1/admin/withdraw", {"account": api_key.account_id, "amount": "0.5"})
    assert withdrawn == {"account": api_key.account_id, "amount": "-0.500000", "balance": "100.000000"}
    too_much = {"account": api_key.account_id, "amount": "1000"}
    assert_error(exchange.admin.post("/perpx/v1/admin/withdraw", too_much), 400, -2019)
    assert_error(exchange.admin.post("/perpx/v1/admin/deposit", {"account": 1, "amount": "0"}), 400, -4003)
    assert_error(exchange.admin.post("/perpx/v1/admin/deposit", {"account": 1, "amount": "-5"}), 400, -1100)
    assert_error(exchange.admin.post("/perpx/v1/admin/deposit", {"account": 1, "amount": "0.0000001"}), 400, -1111)


def test_halt_reduce_only_and_resume(exchange, trader):
    def status(value: str) -> dict:
        return exchange.admin.ok("POST", "/perpx/v1/admin/marketStatus", {"symbol": "MSTRUSDC", "status": value})

    assert status("HALTED") == {"symbol": "MSTRUSDC", "status": "HALTED"}
    assert_error(trader.post("/fapi/v1/order", ORDER), 400, -1013, "Market is closed.")
    status("REDUCE_ONLY")
    assert_error(trader.post("/fapi/v1/order", ORDER), 400, -2022)
    status("ACTIVE")
    assert trader.ok("POST", "/fapi/v1/order", ORDER)["status"] == "NEW"
    assert_error(
        exchange.admin.post("/perpx/v1/admin/marketStatus", {"symbol": "MSTRUSDC", "status": "SHUT"}), 400, -1130
    )
    assert_error(
        exchange.admin.post("/perpx/v1/admin/marketStatus", {"symbol": "NOPEUSDC", "status": "HALTED"}), 400, -1121
    )


def test_list_a_market(exchange):
    spec = {
        "symbol": "CRCLXUSDC",
        "underlying": "CRCLX",
        "tick_size": "0.01",
        "lot_size": "0.001",
        "min_notional": "10",
        "max_order_size": "1000",
        "margin_tiers": [["0", 5]],
        "maker_fee_bps": "1",
        "taker_fee_bps": "4",
        "impact_notional": "1000",
    }
    listed = exchange.admin.ok("POST", "/perpx/v1/admin/market", {"spec": json.dumps(spec)})
    assert listed == {"symbol": "CRCLXUSDC", "status": "ACTIVE"}
    info = exchange.admin.http.get("/fapi/v1/exchangeInfo").json()  # the live listing, at once
    (crclx,) = [s for s in info["symbols"] if s["symbol"] == "CRCLXUSDC"]
    assert (crclx["status"], crclx["baseAsset"], crclx["filters"][0]["tickSize"]) == ("TRADING", "CRCLX", "0.01")
    depth = exchange.admin.http.get("/fapi/v1/depth", params={"symbol": "CRCLXUSDC"}).json()
    assert (depth["bids"], depth["asks"]) == ([], [])
    assert_error(exchange.admin.post("/perpx/v1/admin/market", {"spec": json.dumps(spec)}), 400, -4000)
    assert_error(
        exchange.admin.post("/perpx/v1/admin/market", {"spec": json.dumps({**spec, "tick_size": "x"})}), 400, -1130
    )


def test_oracle_instructions_reach_the_oracle_stream(exchange):
    stream = admin_stream(exchange.keys)
    before = exchange.client.xlen(stream)
    exchange.admin.ok("POST", "/perpx/v1/admin/price", {"underlying": "NVDA", "price": "181.25"})
    exchange.admin.ok(
        "POST",
        "/perpx/v1/admin/split",
        {"id": "NVDA-s", "symbol": "NVDAUSDC", "effective": "2030-01-02", "ratio": "4:1"},
    )
    exchange.admin.ok(
        "POST",
        "/perpx/v1/admin/dividend",
        {"id": "AAPL-d", "symbol": "AAPLUSDC", "effective": "2030-01-02", "amount": "0.25"},
    )
    ops = [_decoder.decode(f[b"a"]) for _, f in exchange.client.xrange(stream)[before:]]
    assert isinstance(ops[0], PostPrice) and (ops[0].underlying, ops[0].price) == ("NVDA", "181.25")
    assert ops[1] == ScheduleSplit("NVDA-s", "NVDAUSDC", "2030-01-02", "4:1")
    assert ops[2] == ScheduleCashDividend("AAPL-d", "AAPLUSDC", "2030-01-02", "0.25")
    bad_split = {"id": "x", "symbol": "NVDAUSDC", "effective": "2030-01-02", "ratio": "1:1"}
    assert_error(exchange.admin.post("/perpx/v1/admin/split", bad_split), 400, -1130)
    assert_error(exchange.admin.post("/perpx/v1/admin/price", {"underlying": "NVDA", "price": "0"}), 400, -4001)
    assert exchange.client.xlen(stream) == before + 3


def test_create_and_revoke_a_key(exchange):
    """A load test or an operator's tool makes keys over HTTP: a new account, a given one, read-only."""
    made = exchange.admin.ok("POST", "/perpx/v1/admin/apiKey")
    assert set(made) == {"account", "apiKey", "secretKey", "permissions"} and made["permissions"] == ["read", "trade"]
    again = exchange.admin.ok("POST", "/perpx/v1/admin/apiKey")
    assert again["account"] > made["account"]  # each one a fresh account
    deposited = exchange.admin.ok("POST", "/perpx/v1/admin/deposit", {"account": made["account"], "amount": "1000"})
    assert deposited["balance"] == "1000.000000"
    trader = SignedClient(exchange.url, made["apiKey"], made["secretKey"])
    try:
        assert trader.ok("GET", "/fapi/v2/balance")[0]["balance"] == "1000.000000"
        order = trader.ok("POST", "/fapi/v1/order", ORDER)
        assert order["status"] == "NEW"
        reader = exchange.admin.ok("POST", "/perpx/v1/admin/apiKey", {"account": made["account"], "readOnly": "true"})
        assert (reader["account"], reader["permissions"]) == (made["account"], ["read"])
        read_only = SignedClient(exchange.url, reader["apiKey"], reader["secretKey"])
        try:
            assert [o["orderId"] for o in read_only.ok("GET", "/fapi/v1/openOrders")] == [order["orderId"]]
            assert_error(read_only.post("/fapi/v1/order", ORDER), 401, -2015)
        finally:
            read_only.close()
        trader.ok("DELETE", "/fapi/v1/allOpenOrders", {"symbol": ORDER["symbol"]})
        revoked = exchange.admin.request("DELETE", "/perpx/v1/admin/apiKey", {"apiKey": made["apiKey"]})
        assert revoked.json() == {"apiKey": made["apiKey"], "revoked": True}
        assert_error(trader.request("GET", "/fapi/v2/balance"), 401, -2015)
        gone = exchange.admin.request("DELETE", "/perpx/v1/admin/apiKey", {"apiKey": made["apiKey"]})
        assert_error(gone, 400, -2014)
    finally:
        trader.close()
    assert_error(exchange.admin.post("/perpx/v1/admin/apiKey", {"account": "0"}), 400, -1130)
    assert_error(exchange.admin.post("/perpx/v1/admin/apiKey", {"readOnly": "maybe"}), 400, -1130)
    assert_error(trader_key_post(exchange), 401, -2015)


def trader_key_post(exchange):
    """A trading key may not mint keys."""
    api_key = exchange.funded_key()
    client = exchange.signed(api_key)
    try:
        return client.post("/perpx/v1/admin/apiKey")
    finally:
        client.close()
