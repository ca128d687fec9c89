"""ping, time and exchangeInfo, field by field against Binance's documented shapes."""

import time

import httpx

from matching.markets import load_markets

FILTERS = {"PRICE_FILTER", "LOT_SIZE", "MARKET_LOT_SIZE", "MAX_NUM_ORDERS", "MIN_NOTIONAL"}


def test_ping_and_time(exchange):
    assert httpx.get(exchange.url + "/fapi/v1/ping").json() == {}
    server_time = httpx.get(exchange.url + "/fapi/v1/time").json()["serverTime"]
    assert isinstance(server_time, int) and abs(server_time - time.time() * 1000) < 5000


def test_exchange_info_lists_every_market(exchange):
    response = httpx.get(exchange.url + "/fapi/v1/exchangeInfo")
    assert response.status_code == 200
    assert int(response.headers["X-MBX-USED-WEIGHT-1M"]) >= 1
    info = response.json()
    assert {"timezone", "serverTime", "rateLimits", "exchangeFilters", "assets", "symbols"} <= set(info)
    assert {(r["rateLimitType"], r["interval"], r["intervalNum"]) for r in info["rateLimits"]} == {
        ("REQUEST_WEIGHT", "MINUTE", 1),
        ("ORDERS", "MINUTE", 1),
        ("ORDERS", "SECOND", 10),
    }
    by_symbol = {s["symbol"]: s for s in info["symbols"]}
    assert set(by_symbol) >= {spec.symbol for spec in load_markets()}  # and any listed at runtime (test_admin)
    nvda = by_symbol["NVDAUSDC"]
    assert (nvda["contractType"], nvda["status"], nvda["baseAsset"], nvda["quoteAsset"], nvda["marginAsset"]) == (
        "PERPETUAL",
        "TRADING",
        "NVDA",
        "USDC",
        "USDC",
    )
    assert (nvda["pricePrecision"], nvda["quantityPrecision"]) == (2, 3)
    assert nvda["orderTypes"] == ["LIMIT", "MARKET"]
    assert nvda["timeInForce"] == ["GTC", "IOC", "FOK", "GTX", "GTD"]
    filters = {f["filterType"]: f for f in nvda["filters"]}
    assert set(filters) == FILTERS
    assert filters["PRICE_FILTER"] == {
        "filterType": "PRICE_FILTER",
        "minPrice": "0.01",
        "maxPrice": "1000000",
        "tickSize": "0.01",
    }
    assert filters["LOT_SIZE"] == {
        "filterType": "LOT_SIZE",
        "minQty": "0.001",
        "maxQty": "100000.000",
        "stepSize": "0.001",
    }
    assert filters["MIN_NOTIONAL"] == {"filterType": "MIN_NOTIONAL", "notional": "10.000000"}
    assert filters["MAX_NUM_ORDERS"] == {"filterType": "MAX_NUM_ORDERS", "limit": 200}
    assert nvda["requiredMarginPercent"] == "5.0000" and nvda["maintMarginPercent"] == "2.5000"


def test_openapi_documents_the_endpoints(exchange):
    spec = httpx.get(exchange.url + "/openapi.json").json()
    order = spec["paths"]["/fapi/v1/order"]["post"]
    names = {p["name"] for p in order["parameters"]}
    assert {"symbol", "side", "type", "quantity", "price", "timeInForce", "signature", "X-MBX-APIKEY"} <= names
    assert httpx.get(exchange.url + "/docs").status_code == 200
