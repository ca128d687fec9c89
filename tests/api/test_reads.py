"""The read endpoints over real HTTP against the api and engine processes: every field of Binance's
documented shapes, with values checked against what the test itself did (a fill between two
accounts, resting orders), and the live listing (status changes reach exchangeInfo at once)."""

import json
import random
import re

import httpx
import pytest

from streams.stream_ids import parse_id
from tests.api.binance_client import SignedClient, assert_error
from tests.api.conftest import Exchange
from views.entries import entry_events

SYMBOL = "AAPLUSDC"  # mark 230.00
DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def decimal_fields(row: dict, *names: str) -> None:
    for name in names:
        assert isinstance(row[name], str) and DECIMAL.fullmatch(row[name]), (name, row[name])


def get(exchange: Exchange, path: str, params: dict | None = None) -> httpx.Response:
    return httpx.get(exchange.url + path, params=params, timeout=15)


def ok(exchange: Exchange, path: str, params: dict | None = None):  # type: ignore[no-untyped-def]
    response = get(exchange, path, params)
    assert response.status_code == 200, response.text
    return response.json()


def fill(seller: SignedClient, buyer: SignedClient, qty: str, price: str, symbol: str = SYMBOL) -> tuple[dict, dict]:
    """A resting sell of `seller` taken in full by `buyer`: (the maker order, the taker order)."""
    common = {"symbol": symbol, "type": "LIMIT", "timeInForce": "GTC", "quantity": qty, "price": price}
    maker = seller.ok("POST", "/fapi/v1/order", {**common, "side": "SELL"})
    taker = buyer.ok("POST", "/fapi/v1/order", {**common, "side": "BUY", "newOrderRespType": "RESULT"})
    assert taker["status"] == "FILLED"
    return maker, taker


def test_market_data_after_a_fill(exchange, trader, other_trader):
    before = ok(exchange, "/fapi/v1/trades", {"symbol": SYMBOL, "limit": 1000})
    fill(trader, other_trader, "0.250", "231.50")
    trader.ok(
        "POST",
        "/fapi/v1/order",
        {
            "symbol": SYMBOL,
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": "0.300",
            "price": "220.00",
        },
    )
    trader.ok(
        "POST",
        "/fapi/v1/order",
        {
            "symbol": SYMBOL,
            "side": "SELL",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": "0.400",
            "price": "240.00",
        },
    )

    depth = ok(exchange, "/fapi/v1/depth", {"symbol": SYMBOL, "limit": 5})
    assert set(depth) == {"lastUpdateId", "E", "T", "bids", "asks"}
    assert isinstance(depth["lastUpdateId"], int) and depth["lastUpdateId"] > 0
    assert ["220.00", "0.300"] in depth["bids"] and ["240.00", "0.400"] in depth["asks"]
    assert all(isinstance(p, str) and isinstance(q, str) for p, q in depth["bids"] + depth["asks"])
    assert [float(p) for p, _ in depth["bids"]] == sorted((float(p) for p, _ in depth["bids"]), reverse=True)
    assert len(depth["bids"]) <= 5
    assert_error(get(exchange, "/fapi/v1/depth", {"symbol": SYMBOL, "limit": 7}), 400, -1130)
    assert_error(get(exchange, "/fapi/v1/depth", {"symbol": "NOPEUSDC"}), 400, -1121)
    assert_error(get(exchange, "/fapi/v1/depth", {}), 400, -1102)

    trades = ok(exchange, "/fapi/v1/trades", {"symbol": SYMBOL, "limit": 1000})
    assert len(trades) == len(before) + 1
    last = trades[-1]
    assert set(last) == {"id", "price", "qty", "quoteQty", "time", "isBuyerMaker"}
    assert (last["price"], last["qty"], last["quoteQty"], last["isBuyerMaker"]) == (
        "231.50",
        "0.250",
        "57.875000",
        False,
    )
    assert ok(exchange, "/fapi/v1/historicalTrades", {"symbol": SYMBOL, "fromId": last["id"]}) == [last]

    aggs = ok(exchange, "/fapi/v1/aggTrades", {"symbol": SYMBOL, "fromId": last["id"]})
    assert aggs == [
        {"a": last["id"], "p": "231.50", "q": "0.250", "f": last["id"], "l": last["id"], "T": last["time"], "m": False}
    ]
    window = {"symbol": SYMBOL, "startTime": last["time"], "endTime": last["time"]}
    assert ok(exchange, "/fapi/v1/aggTrades", window) == aggs
    too_long = {"symbol": SYMBOL, "startTime": 0, "endTime": 2 * 3_600_000}
    assert_error(get(exchange, "/fapi/v1/aggTrades", too_long), 400, -1127)

    klines = ok(exchange, "/fapi/v1/klines", {"symbol": SYMBOL, "interval": "1m"})
    row = klines[-1]
    assert len(row) == 12 and row[0] <= last["time"] <= row[6] and row[6] == row[0] + 59_999
    assert all(isinstance(row[i], str) for i in (1, 2, 3, 4, 5, 7, 9, 10, 11)) and isinstance(row[8], int)
    assert float(row[2]) >= 231.5 >= float(row[3]) and row[4] == "231.50"
    assert_error(get(exchange, "/fapi/v1/klines", {"symbol": SYMBOL, "interval": "2m"}), 400, -1120)
    for path in ("/fapi/v1/markPriceKlines", "/fapi/v1/indexPriceKlines"):
        marks = ok(exchange, path, {"symbol": SYMBOL, "interval": "1d"})
        assert marks and all(len(r) == 12 and r[5] == "0" for r in marks)
    assert ok(exchange, "/fapi/v1/indexPriceKlines", {"pair": SYMBOL, "interval": "1d"})[-1][1] == "230.00"

    ticker = ok(exchange, "/fapi/v1/ticker/24hr", {"symbol": SYMBOL})
    assert set(ticker) == {
        "symbol", "priceChange", "priceChangePercent", "weightedAvgPrice", "lastPrice", "lastQty", "openPrice",
        "highPrice", "lowPrice", "volume", "quoteVolume", "openTime", "closeTime", "firstId", "lastId", "count",
    }  # fmt: skip
    decimal_fields(ticker, "priceChange", "priceChangePercent", "weightedAvgPrice", "lastPrice", "lastQty", "volume")
    assert (ticker["lastPrice"], ticker["lastQty"], ticker["lastId"]) == ("231.50", "0.250", last["id"])
    assert ticker["count"] >= 1 and ticker["closeTime"] - ticker["openTime"] == 86_400_000 - 1
    every = ok(exchange, "/fapi/v1/ticker/24hr")
    assert isinstance(every, list) and {t["symbol"] for t in every} >= {SYMBOL, "NVDAUSDC"}

    price = ok(exchange, "/fapi/v1/ticker/price", {"symbol": SYMBOL})
    assert set(price) == {"symbol", "price", "time"} and price["price"] == "231.50"
    book = ok(exchange, "/fapi/v1/ticker/bookTicker", {"symbol": SYMBOL})
    assert set(book) == {"symbol", "bidPrice", "bidQty", "askPrice", "askQty", "time", "lastUpdateId"}
    assert float(book["bidPrice"]) >= 220 and float(book["askPrice"]) <= 240
    assert book["lastUpdateId"] == ok(exchange, "/fapi/v1/depth", {"symbol": SYMBOL})["lastUpdateId"]

    premium = ok(exchange, "/fapi/v1/premiumIndex", {"symbol": SYMBOL})
    assert set(premium) == {
        "symbol", "markPrice", "indexPrice", "estimatedSettlePrice", "lastFundingRate", "interestRate",
        "nextFundingTime", "time",
    }  # fmt: skip
    assert (premium["markPrice"], premium["indexPrice"]) == ("230.00", "230.00")
    assert premium["nextFundingTime"] % 3_600_000 == 0
    assert isinstance(ok(exchange, "/fapi/v1/premiumIndex"), list)
    assert ok(exchange, "/fapi/v1/fundingRate", {"symbol": SYMBOL}) == []  # no funding settled in this run
    info = {row["symbol"]: row for row in ok(exchange, "/fapi/v1/fundingInfo")}
    assert set(info[SYMBOL]) == {
        "symbol",
        "adjustedFundingRateCap",
        "adjustedFundingRateFloor",
        "fundingIntervalHours",
        "disclaimer",
    }
    assert info[SYMBOL]["fundingIntervalHours"] == 1 and info[SYMBOL]["adjustedFundingRateCap"] == "0.040000000"

    interest = ok(exchange, "/fapi/v1/openInterest", {"symbol": SYMBOL})
    assert set(interest) == {"openInterest", "symbol", "time"} and float(interest["openInterest"]) >= 0.25


def test_exchange_info_follows_status_changes(exchange):
    def status(symbol: str) -> str:
        info = ok(exchange, "/fapi/v1/exchangeInfo")
        return {s["symbol"]: s["status"] for s in info["symbols"]}[symbol]

    assert status("MSTRUSDC") == "TRADING"
    exchange.admin.ok("POST", "/perpx/v1/admin/marketStatus", {"symbol": "MSTRUSDC", "status": "HALTED"})
    try:
        assert status("MSTRUSDC") == "SETTLING"  # the admin's write waited for the view: no sleep needed
    finally:
        exchange.admin.ok("POST", "/perpx/v1/admin/marketStatus", {"symbol": "MSTRUSDC", "status": "ACTIVE"})
    assert status("MSTRUSDC") == "TRADING"


def order_fields() -> set[str]:
    return {
        "orderId", "symbol", "status", "clientOrderId", "price", "avgPrice", "origQty", "executedQty", "cumQuote",
        "timeInForce", "type", "origType", "reduceOnly", "closePosition", "side", "positionSide", "stopPrice",
        "workingType", "priceProtect", "priceMatch", "selfTradePreventionMode", "goodTillDate", "time", "updateTime",
    }  # fmt: skip


def test_private_reads_after_a_fill(exchange, trader, other_trader):
    maker, taker = fill(trader, other_trader, "0.100", "229.00")
    resting = trader.ok(
        "POST",
        "/fapi/v1/order",
        {
            "symbol": SYMBOL,
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": "0.200",
            "price": "200.00",
            "newClientOrderId": "reads-1",
        },
    )

    filled = trader.ok("GET", "/fapi/v1/order", {"symbol": SYMBOL, "orderId": maker["orderId"]})
    assert set(filled) == order_fields()
    assert (filled["status"], filled["executedQty"], filled["avgPrice"], filled["cumQuote"]) == (
        "FILLED",
        "0.100",
        "229.000000",
        "22.900000",
    )
    assert (filled["side"], filled["type"], filled["price"], filled["origQty"]) == ("SELL", "LIMIT", "229.00", "0.100")
    assert_error(
        trader.request("GET", "/fapi/v1/openOrder", {"symbol": SYMBOL, "orderId": maker["orderId"]}), 400, -2013
    )

    by_client = trader.ok("GET", "/fapi/v1/openOrder", {"symbol": SYMBOL, "origClientOrderId": "reads-1"})
    assert set(by_client) == order_fields()
    assert (by_client["orderId"], by_client["status"], by_client["executedQty"]) == (resting["orderId"], "NEW", "0.000")
    open_orders = trader.ok("GET", "/fapi/v1/openOrders", {"symbol": SYMBOL})
    assert [o["orderId"] for o in open_orders] == [resting["orderId"]]
    assert [o["orderId"] for o in trader.ok("GET", "/fapi/v1/openOrders")] == [resting["orderId"]]
    every = trader.ok("GET", "/fapi/v1/allOrders", {"symbol": SYMBOL})
    assert [o["orderId"] for o in every] == [maker["orderId"], resting["orderId"]]
    assert trader.ok("GET", "/fapi/v1/allOrders", {"symbol": SYMBOL, "orderId": resting["orderId"]}) == every[1:]

    mine = trader.ok("GET", "/fapi/v1/userTrades", {"symbol": SYMBOL})
    theirs = other_trader.ok("GET", "/fapi/v1/userTrades", {"symbol": SYMBOL})
    assert len(mine) == len(theirs) == 1 and mine[0]["id"] == theirs[0]["id"]
    assert set(mine[0]) == {
        "buyer", "commission", "commissionAsset", "id", "maker", "orderId", "price", "qty", "quoteQty", "realizedPnl",
        "side", "positionSide", "symbol", "time",
    }  # fmt: skip
    assert (mine[0]["buyer"], mine[0]["maker"], mine[0]["side"], mine[0]["orderId"]) == (
        False,
        True,
        "SELL",
        maker["orderId"],
    )
    assert (theirs[0]["buyer"], theirs[0]["maker"], theirs[0]["orderId"]) == (True, False, taker["orderId"])
    assert (mine[0]["price"], mine[0]["qty"], mine[0]["quoteQty"], mine[0]["commissionAsset"]) == (
        "229.00",
        "0.100",
        "22.900000",
        "USDC",
    )
    decimal_fields(mine[0], "commission", "realizedPnl")

    income = trader.ok("GET", "/fapi/v1/income")
    assert {"TRANSFER", "COMMISSION"} <= {row["incomeType"] for row in income} or mine[0]["commission"] == "0.000000"
    assert all(
        set(r) == {"symbol", "incomeType", "income", "asset", "info", "time", "tranId", "tradeId"} for r in income
    )
    deposit = [r for r in income if r["incomeType"] == "TRANSFER"]
    assert deposit[0]["income"] == "1000000.000000" and deposit[0]["symbol"] == ""

    for path in ("/fapi/v2/account", "/fapi/v3/account"):
        account = other_trader.ok("GET", path)
        decimal_fields(
            account,
            "totalInitialMargin",
            "totalMaintMargin",
            "totalWalletBalance",
            "totalUnrealizedProfit",
            "totalMarginBalance",
            "availableBalance",
            "maxWithdrawAmount",
        )
        (asset,) = account["assets"]
        assert asset["asset"] == "USDC" and asset["marginAvailable"] is True
        held = [p for p in account["positions"] if p["symbol"] == SYMBOL]
        assert held[0]["positionAmt"] == "0.100" and held[0]["positionSide"] == "BOTH"
    v2 = other_trader.ok("GET", "/fapi/v2/account")
    assert {p["symbol"] for p in v2["positions"]} >= {"NVDAUSDC", SYMBOL}  # v2: every symbol
    assert float(v2["totalInitialMargin"]) > 0 and v2["canTrade"] is True

    for path in ("/fapi/v2/balance", "/fapi/v3/balance"):
        (balance,) = other_trader.ok("GET", path)
        assert set(balance) == {
            "accountAlias",
            "asset",
            "balance",
            "crossWalletBalance",
            "crossUnPnl",
            "availableBalance",
            "maxWithdrawAmount",
            "marginAvailable",
            "updateTime",
        }
        assert float(balance["balance"]) <= 1_000_000 and balance["asset"] == "USDC"

    (position,) = other_trader.ok("GET", "/fapi/v3/positionRisk", {"symbol": SYMBOL})
    assert (position["positionAmt"], position["entryPrice"], position["markPrice"]) == ("0.100", "229.00", "230.00")
    assert position["unRealizedProfit"] == "0.100000" and position["notional"] == "23.000000"
    v2_rows = other_trader.ok("GET", "/fapi/v2/positionRisk")
    assert {r["symbol"] for r in v2_rows} >= {"NVDAUSDC", SYMBOL}
    assert {r["marginType"] for r in v2_rows} == {"cross"}
    short = trader.ok("GET", "/fapi/v3/positionRisk", {"symbol": SYMBOL})[0]
    assert (short["positionAmt"], short["notional"]) == ("-0.100", "-23.000000")

    brackets = trader.ok("GET", "/fapi/v1/leverageBracket", {"symbol": "NVDAUSDC"})
    assert brackets["symbol"] == "NVDAUSDC" and brackets["brackets"][0]["initialLeverage"] == 20
    assert brackets["brackets"][0]["notionalFloor"] == 0 and brackets["brackets"][0]["notionalCap"] == 1_000_000
    assert isinstance(trader.ok("GET", "/fapi/v1/leverageBracket"), list)
    rate = trader.ok("GET", "/fapi/v1/commissionRate", {"symbol": SYMBOL})
    assert set(rate) == {"symbol", "makerCommissionRate", "takerCommissionRate"}
    decimal_fields(rate, "makerCommissionRate", "takerCommissionRate")


def test_no_account_sees_another_accounts_orders(exchange, trader, other_trader):
    maker, _ = fill(trader, other_trader, "0.100", "229.00")
    resting = trader.ok(
        "POST",
        "/fapi/v1/order",
        {
            "symbol": SYMBOL,
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": "0.200",
            "price": "200.00",
            "newClientOrderId": "mine-only",
        },
    )
    stranger = exchange.signed(exchange.funded_key())
    try:
        for path in ("/fapi/v1/order", "/fapi/v1/openOrder"):
            for ref in (
                {"orderId": resting["orderId"]},
                {"orderId": maker["orderId"]},
                {"origClientOrderId": "mine-only"},
            ):
                theirs = stranger.request("GET", path, {"symbol": SYMBOL, **ref})
                unknown = stranger.request("GET", path, {"symbol": SYMBOL, "orderId": 10**15})
                assert (
                    (theirs.status_code, theirs.json())
                    == (unknown.status_code, unknown.json())
                    == (400, {"code": -2013, "msg": "Order does not exist."})
                )
        assert stranger.ok("GET", "/fapi/v1/openOrders") == []
        assert stranger.ok("GET", "/fapi/v1/allOrders", {"symbol": SYMBOL}) == []
        assert stranger.ok("GET", "/fapi/v1/userTrades", {"symbol": SYMBOL}) == []
        assert [r["incomeType"] for r in stranger.ok("GET", "/fapi/v1/income")] == ["TRANSFER"]
        assert stranger.ok("GET", "/fapi/v3/positionRisk") == []
        assert stranger.ok("GET", "/fapi/v3/account")["positions"] == []
        assert stranger.ok("GET", "/fapi/v1/allOrders", {"symbol": SYMBOL, "orderId": 1}) == []
    finally:
        stranger.close()


def test_a_write_is_read_at_once_by_its_account(trader):
    """Read-your-writes: no sleep between each POST and the GET that must show it."""
    for i in range(20):
        placed = trader.ok(
            "POST",
            "/fapi/v1/order",
            {
                "symbol": SYMBOL,
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": "0.100",
                "price": f"{150 + i}.00",
            },
        )
        assert (
            trader.ok("GET", "/fapi/v1/openOrder", {"symbol": SYMBOL, "orderId": placed["orderId"]})["status"] == "NEW"
        )
        trader.ok("DELETE", "/fapi/v1/order", {"symbol": SYMBOL, "orderId": placed["orderId"]})
        assert (
            trader.ok("GET", "/fapi/v1/order", {"symbol": SYMBOL, "orderId": placed["orderId"]})["status"] == "CANCELED"
        )


def test_the_open_order_cap(trader):
    batch = [
        {
            "symbol": "TSLAUSDC",
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": "0.050",
            "price": f"{300 + i // 5}.{i % 5}0",
        }
        for i in range(200)
    ]
    for start in range(0, 200, 5):
        answers = trader.ok("POST", "/fapi/v1/batchOrders", {"batchOrders": json.dumps(batch[start : start + 5])})
        assert all("orderId" in a for a in answers), answers
    assert len(trader.ok("GET", "/fapi/v1/openOrders")) == 200
    more = {
        "symbol": "TSLAUSDC",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.050",
        "price": "299.00",
    }
    assert_error(trader.post("/fapi/v1/order", more), 400, -2025, "Reach max open order limit.")
    assert_error(trader.post("/fapi/v1/batchOrders", {"batchOrders": json.dumps([more])}), 400, -2025)
    trader.ok("DELETE", "/fapi/v1/allOpenOrders", {"symbol": "TSLAUSDC"})
    trader.ok("POST", "/fapi/v1/order", more)


def test_depth_update_id_is_the_engines(exchange, trader, other_trader):
    """After random orders from two accounts, depth's lastUpdateId is the book update id of the
    last event that changed the market's book on the engine's own stream."""
    rng = random.Random(14)
    for _ in range(60):
        client = rng.choice((trader, other_trader))
        side = rng.choice(("BUY", "SELL"))
        price = f"{rng.randint(225, 235)}.{rng.randint(0, 99):02d}"
        client.request(
            "POST",
            "/fapi/v1/order",
            {
                "symbol": SYMBOL,
                "side": side,
                "type": "LIMIT",
                "timeInForce": rng.choice(("GTC", "IOC")),
                "quantity": f"0.{rng.randint(1, 50):03d}",
                "price": price,
            },
        )
        if rng.random() < 0.2:
            client.request("DELETE", "/fapi/v1/allOpenOrders", {"symbol": SYMBOL})
    book_ids = [
        event.book_update_id
        for entry_id, fields in exchange.client.xrange(exchange.keys.events)
        for event in entry_events(parse_id(entry_id), fields)
        if getattr(event, "market", None) == SYMBOL and getattr(event, "book_update_id", 0)
    ]
    depth = ok(exchange, "/fapi/v1/depth", {"symbol": SYMBOL, "limit": 1000})
    assert book_ids and depth["lastUpdateId"] == max(book_ids) == book_ids[-1]


@pytest.mark.parametrize(
    "path, extra",
    [
        ("/fapi/v1/depth", {}),
        ("/fapi/v1/trades", {}),
        ("/fapi/v1/klines", {"interval": "1m"}),
        ("/fapi/v1/openInterest", {}),
    ],
)
def test_unknown_symbol(exchange, path, extra):
    assert_error(get(exchange, path, {"symbol": "XYZUSDC", **extra}), 400, -1121)
