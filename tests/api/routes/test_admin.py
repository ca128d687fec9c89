"""/perpx/v1/admin over HTTP with an admin key: money, market status and listing, oracle instructions."""

import json

from oracle.admin import PostPrice, ScheduleCashDividend, ScheduleSplit, _decoder, admin_stream
from tests.api.binance_client import assert_error

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
