"""Mark price, tickers, klines, session and user data streams, field by field, on real connections."""

import json
import time

import httpx
from websockets.sync.client import connect

from messages.commands import PriceUpdate
from messages.enums import MarketSession, PriceSource
from streams.client import append_command
from tests.api.binance_client import SignedClient
from tests.api.conftest import Exchange
from tests.api.ws.test_streams import receive, receive_until, ws_url

MARK_FIELDS = {"e", "E", "s", "p", "i", "P", "r", "T"}
MINI_FIELDS = {"e", "E", "s", "c", "o", "h", "l", "v", "q"}
TICKER_FIELDS = MINI_FIELDS | {"p", "P", "w", "Q", "O", "C", "F", "L", "n"}
KLINE_FIELDS = {"t", "T", "s", "i", "f", "L", "o", "c", "h", "l", "v", "n", "x", "q", "V", "Q", "B"}


def test_mark_price_streams(exchange: Exchange) -> None:
    with connect(ws_url(exchange, "/stream?streams=nvdausdc@markPrice@1s/!markPrice@arr@1s")) as ws:
        one = receive_until(ws, lambda m: m["stream"] == "nvdausdc@markPrice@1s", 5)["data"]
        assert set(one) == MARK_FIELDS and one["e"] == "markPriceUpdate" and one["s"] == "NVDAUSDC"
        assert one["p"] == "180.00" and one["i"] == "180.00"
        assert one["T"] > time.time() * 1000 and one["T"] % 3_600_000 == 0
        every = receive_until(ws, lambda m: m["stream"] == "!markPrice@arr@1s", 5)["data"]
        assert {m["s"] for m in every} >= {"NVDAUSDC", "AAPLUSDC", "TSLAUSDC", "MSTRUSDC"}
        assert all(set(m) == MARK_FIELDS for m in every)


def test_tickers_and_klines_after_a_fill(exchange: Exchange, trader: SignedClient, other_trader: SignedClient) -> None:
    names = "mstrusdc@miniTicker/mstrusdc@ticker/!miniTicker@arr/!ticker@arr/mstrusdc@kline_1m"
    with connect(ws_url(exchange, f"/stream?streams={names}")) as ws:
        time.sleep(0.2)
        sell = {"symbol": "MSTRUSDC", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "2"}
        trader.ok("POST", "/fapi/v1/order", {**sell, "price": "151.00"})
        other_trader.ok(
            "POST", "/fapi/v1/order", {"symbol": "MSTRUSDC", "side": "BUY", "type": "MARKET", "quantity": "2"}
        )
        seen: dict[str, dict] = {}
        while len(seen) < 5:
            message = receive(ws, 5)
            seen.setdefault(message["stream"], message["data"])
        mini = seen["mstrusdc@miniTicker"]
        assert set(mini) == MINI_FIELDS and mini["e"] == "24hrMiniTicker" and mini["c"] == "151.00"
        full = seen["mstrusdc@ticker"]
        assert set(full) == TICKER_FIELDS and full["e"] == "24hrTicker" and full["Q"] == "2.000"
        rest = httpx.get(exchange.url + "/fapi/v1/ticker/24hr", params={"symbol": "MSTRUSDC"}).json()
        for field, name in (
            ("c", "lastPrice"),
            ("o", "openPrice"),
            ("h", "highPrice"),
            ("l", "lowPrice"),
            ("v", "volume"),
            ("q", "quoteVolume"),
            ("n", "count"),
        ):
            assert full[field] == rest[name], (field, full[field], rest[name])
        arr = seen["!ticker@arr"]
        assert any(t["s"] == "MSTRUSDC" and set(t) == MINI_FIELDS for t in seen["!miniTicker@arr"])
        assert any(t["s"] == "MSTRUSDC" for t in arr)
        kline = seen["mstrusdc@kline_1m"]
        assert kline["e"] == "kline" and set(kline["k"]) == KLINE_FIELDS
        assert kline["k"]["i"] == "1m" and kline["k"]["c"] == "151.00" and kline["k"]["T"] == kline["k"]["t"] + 59_999


def test_session_stream(exchange: Exchange) -> None:
    with connect(ws_url(exchange, "/ws/aaplusdc@session")) as ws:
        time.sleep(0.2)
        update = PriceUpdate(
            "session-test",
            int(time.time() * 1000),
            "AAPLUSDC",
            23_010,
            23_005,
            MarketSession.OVERNIGHT,
            PriceSource.INTERNAL,
            22_000,
            24_000,
        )
        append_command(exchange.client, exchange.keys, update)
        message = receive(ws)
        assert message["e"] == "sessionUpdate" and message["s"] == "AAPLUSDC"
        assert (message["session"], message["indexSource"]) == ("OVERNIGHT", "INTERNAL")
        assert (message["i"], message["p"]) == ("230.10", "230.05")
        assert (message["discoveryLow"], message["discoveryHigh"]) == ("220.00", "240.00")
    restore = PriceUpdate("session-restore", int(time.time() * 1000), "AAPLUSDC", 23_000, 23_000)
    append_command(exchange.client, exchange.keys, restore)


def test_user_stream_by_subscribe_fill_account_and_config_updates(
    exchange: Exchange, trader: SignedClient, other_trader: SignedClient
) -> None:
    """Binance's connector's way: /ws, then SUBSCRIBE the listenKey as a stream name."""
    listen_key = trader.ok("POST", "/fapi/v1/listenKey")["listenKey"]
    with connect(ws_url(exchange, "/ws")) as ws:
        ws.send(json.dumps({"method": "SUBSCRIBE", "params": [listen_key], "id": 1}))
        assert receive(ws) == {"result": None, "id": 1}
        trader.ok("POST", "/fapi/v1/leverage", {"symbol": "NVDAUSDC", "leverage": 7})
        config = receive_until(ws, lambda m: m["e"] == "ACCOUNT_CONFIG_UPDATE")
        assert config["ac"] == {"s": "NVDAUSDC", "l": 7} and set(config) == {"e", "E", "T", "ac"}
        sell = {"symbol": "NVDAUSDC", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "1.5"}
        placed = trader.ok("POST", "/fapi/v1/order", {**sell, "price": "180.50"})
        new = receive_until(ws, lambda m: m["e"] == "ORDER_TRADE_UPDATE")["o"]
        assert (new["i"], new["x"], new["X"], new["S"], new["o"], new["f"]) == (
            placed["orderId"],
            "NEW",
            "NEW",
            "SELL",
            "LIMIT",
            "GTC",
        )
        other_trader.ok(
            "POST", "/fapi/v1/order", {"symbol": "NVDAUSDC", "side": "BUY", "type": "MARKET", "quantity": "1"}
        )
        fill = receive_until(ws, lambda m: m["e"] == "ORDER_TRADE_UPDATE")
        assert "status" not in fill
        o = fill["o"]
        assert (o["x"], o["X"], o["l"], o["z"], o["L"], o["ap"], o["m"], o["N"]) == (
            "TRADE",
            "PARTIALLY_FILLED",
            "1.000",
            "1.000",
            "180.50",
            "180.500000",
            True,
            "USDC",
        )
        assert o["t"] > 0 and o["q"] == "1.500"
        account = receive_until(ws, lambda m: m["e"] == "ACCOUNT_UPDATE")
        assert account["a"]["m"] == "ORDER"
        (balance,) = account["a"]["B"]
        assert balance["a"] == "USDC" and set(balance) == {"a", "wb", "cw", "bc"}
        (position,) = account["a"]["P"]
        assert (position["s"], position["pa"], position["ep"], position["mt"], position["ps"]) == (
            "NVDAUSDC",
            "-1.000",
            "180.500000",
            "cross",
            "BOTH",
        )
        rest = trader.ok("GET", "/fapi/v3/balance")
        assert rest[0]["balance"] == balance["wb"]
        ws.send(json.dumps({"method": "UNSUBSCRIBE", "params": [listen_key], "id": 2}))
        assert receive(ws) == {"result": None, "id": 2}


def test_listen_key_expired(exchange: Exchange, trader: SignedClient) -> None:
    listen_key = trader.ok("POST", "/fapi/v1/listenKey")["listenKey"]
    with connect(ws_url(exchange, f"/private/ws?listenKey={listen_key}")) as ws:
        trader.ok("DELETE", "/fapi/v1/listenKey", {"listenKey": listen_key})
        expired = receive(ws, 5)
        assert expired["e"] == "listenKeyExpired" and expired["listenKey"] == listen_key


def test_unknown_listen_key_is_refused(exchange: Exchange) -> None:
    with connect(ws_url(exchange, "/private/ws?listenKey=" + "x" * 64)) as ws:
        assert receive(ws) == {"error": {"code": -1125, "msg": "This listenKey does not exist."}, "id": None}


def test_all_book_tickers(exchange: Exchange, trader: SignedClient) -> None:
    """`!bookTicker`: every market's best bid and ask as they change, each equal to REST's bookTicker."""
    with connect(ws_url(exchange, "/ws/!bookTicker")) as ws:
        time.sleep(0.2)
        for symbol, price in (("TSLAUSDC", "391.00"), ("MSTRUSDC", "141.00")):
            order = {"symbol": symbol, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.5"}
            trader.ok("POST", "/fapi/v1/order", {**order, "price": price})
        seen: dict[str, dict] = {}
        while set(seen) != {"TSLAUSDC", "MSTRUSDC"}:
            message = receive(ws)
            assert set(message) == {"e", "u", "E", "T", "s", "b", "B", "a", "A"} and message["e"] == "bookTicker"
            seen[message["s"]] = message
        for symbol, price in (("TSLAUSDC", "391.00"), ("MSTRUSDC", "141.00")):
            streamed = seen[symbol]
            rest = httpx.get(exchange.url + "/fapi/v1/ticker/bookTicker", params={"symbol": symbol}).json()
            assert (streamed["b"], streamed["B"]) == (price, "0.500") == (rest["bidPrice"], rest["bidQty"])
            assert (streamed["a"], streamed["A"], streamed["u"]) == (
                rest["askPrice"],
                rest["askQty"],
                rest["lastUpdateId"],
            )
