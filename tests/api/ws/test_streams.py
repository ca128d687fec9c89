"""Market streams over real WebSocket connections to the api process (tests/api/conftest.py)."""

import json
import random
import time
from decimal import Decimal

from websockets.sync.client import ClientConnection, connect

from tests.api.binance_client import SignedClient
from tests.api.conftest import Exchange


def ws_url(exchange: Exchange, path: str) -> str:
    return exchange.url.replace("http://", "ws://") + path


def receive(ws: ClientConnection, timeout: float = 5.0) -> dict:
    return json.loads(ws.recv(timeout=timeout))


def receive_until(ws: ClientConnection, match, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        message = receive(ws, max(0.05, deadline - time.monotonic()))
        if match(message):
            return message


def test_subscribe_list_properties_and_bad_requests(exchange: Exchange) -> None:
    with connect(ws_url(exchange, "/ws")) as ws:
        ws.send(json.dumps({"method": "SUBSCRIBE", "params": ["nvdausdc@depth@100ms", "nvdausdc@trade"], "id": 1}))
        assert receive(ws) == {"result": None, "id": 1}
        ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 2}))
        assert receive(ws) == {"result": ["nvdausdc@depth@100ms", "nvdausdc@trade"], "id": 2}
        ws.send(json.dumps({"method": "UNSUBSCRIBE", "params": ["nvdausdc@trade"], "id": 3}))
        assert receive(ws) == {"result": None, "id": 3}
        ws.send(json.dumps({"method": "GET_PROPERTY", "params": ["combined"], "id": 4}))
        assert receive(ws) == {"result": False, "id": 4}
        ws.send(json.dumps({"method": "SET_PROPERTY", "params": ["combined", True], "id": 5}))
        assert receive(ws) == {"result": None, "id": 5}
        ws.send(json.dumps({"method": "SET_PROPERTY", "params": ["combined", "yes"], "id": 6}))
        assert receive(ws)["error"]["code"] == 1
        time.sleep(1.1)
        ws.send("{not json")
        assert receive(ws)["error"]["code"] == 3
        ws.send(json.dumps({"method": "SUBSCRIB", "params": [], "id": 7}))
        assert receive(ws) == {
            "error": {
                "code": 2,
                "msg": "Invalid request: unknown variant 'SUBSCRIB', expected one of SUBSCRIBE, UNSUBSCRIBE, "
                "LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY",
            },
            "id": 7,
        }
        ws.send(json.dumps({"method": "SUBSCRIBE", "params": ["nvdausdc@nothing", "nvdausdc@aggTrade"], "id": 8}))
        assert receive(ws)["error"] == {"code": 2, "msg": "Invalid request: unknown stream name 'nvdausdc@nothing'"}
        ws.send(json.dumps({"method": "SUBSCRIBE", "params": ["zzzusdc@trade"], "id": 9, "extra": 1}))
        assert receive(ws) == {"error": {"code": 0, "msg": "Unknown property"}, "id": 9}
        ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 10}))
        assert receive(ws) == {"result": ["nvdausdc@depth@100ms"], "id": 10}  # nothing changed by bad requests


def test_flood_closes_the_connection(exchange: Exchange) -> None:
    with connect(ws_url(exchange, "/ws")) as ws:
        for i in range(11):
            ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": i}))
        answers = []
        try:
            while True:
                answers.append(receive(ws))
        except Exception:
            pass
        assert answers[-1]["error"]["code"] == -1003
        assert len(answers) == 11


def test_trade_agg_trade_book_ticker_combined(
    exchange: Exchange, trader: SignedClient, other_trader: SignedClient
) -> None:
    streams = "aaplusdc@trade/aaplusdc@aggTrade/aaplusdc@bookTicker/aaplusdc@depth5@100ms"
    with connect(ws_url(exchange, f"/stream?streams={streams}")) as ws:
        time.sleep(0.2)
        maker = trader.ok(
            "POST",
            "/fapi/v1/order",
            {
                "symbol": "AAPLUSDC",
                "side": "SELL",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": "2",
                "price": "231.00",
            },
        )
        ticker = receive_until(ws, lambda m: m["stream"] == "aaplusdc@bookTicker")
        assert set(ticker["data"]) == {"e", "u", "E", "T", "s", "b", "B", "a", "A"}
        assert ticker["data"]["a"] == "231.00" and ticker["data"]["A"] == "2.000"
        other_trader.ok(
            "POST", "/fapi/v1/order", {"symbol": "AAPLUSDC", "side": "BUY", "type": "MARKET", "quantity": "1"}
        )
        trade = receive_until(ws, lambda m: m["stream"] == "aaplusdc@trade")["data"]
        assert trade["e"] == "trade" and trade["s"] == "AAPLUSDC"
        assert (trade["p"], trade["q"], trade["m"], trade["X"]) == ("231.00", "1.000", False, "MARKET")
        agg = receive_until(ws, lambda m: m["stream"] == "aaplusdc@aggTrade")["data"]
        assert set(agg) == {"e", "E", "a", "s", "p", "q", "f", "l", "T", "m"}
        assert (agg["a"], agg["f"], agg["l"], agg["p"], agg["q"]) == (
            trade["t"],
            trade["t"],
            trade["t"],
            "231.00",
            "1.000",
        )
        partial = receive_until(
            ws, lambda m: m["stream"] == "aaplusdc@depth5@100ms" and m["data"]["a"] == [["231.00", "1.000"]]
        )
        assert set(partial["data"]) == {"e", "E", "T", "s", "U", "u", "pu", "b", "a"}
        trader.ok("DELETE", "/fapi/v1/order", {"symbol": "AAPLUSDC", "orderId": maker["orderId"]})


def apply_diff(book: dict[str, dict[Decimal, Decimal]], diff: dict) -> None:
    for side, key in (("bids", "b"), ("asks", "a")):
        for price, size in diff[key]:
            if Decimal(size) == 0:
                book[side].pop(Decimal(price), None)
            else:
                book[side][Decimal(price)] = Decimal(size)


def test_depth_diffs_keep_a_local_book_in_sync(
    exchange: Exchange, trader: SignedClient, other_trader: SignedClient
) -> None:
    """The book starts empty (the tests leave none); a client applies @depth@100ms diffs through
    random orders, cancels and fills of two accounts: no sequence break, and at the end its book
    equals the server's top 20 levels (depth20)."""
    rng = random.Random(7)
    with (
        connect(ws_url(exchange, "/ws/tslausdc@depth@100ms")) as ws,
        connect(ws_url(exchange, "/ws/tslausdc@depth20@100ms")) as top,
    ):
        time.sleep(0.3)
        open_orders: list[tuple[SignedClient, int]] = []
        for _ in range(300):
            client = rng.choice((trader, other_trader))
            roll = rng.random()
            if roll < 0.15 and open_orders:
                owner, order_id = open_orders.pop(rng.randrange(len(open_orders)))
                owner.request("DELETE", "/fapi/v1/order", {"symbol": "TSLAUSDC", "orderId": order_id})
                continue
            side = rng.choice(("BUY", "SELL"))
            ticks = 40_000 + rng.randint(-8, 8) * 10
            body = client.ok(
                "POST",
                "/fapi/v1/order",
                {
                    "symbol": "TSLAUSDC",
                    "side": side,
                    "type": "LIMIT",
                    "timeInForce": "GTC",
                    "quantity": str(rng.randint(1, 5)),
                    "price": str(Decimal(ticks) / 100),
                },
            )
            open_orders.append((client, body["orderId"]))
        book: dict[str, dict[Decimal, Decimal]] = {"bids": {}, "asks": {}}
        previous = None
        time.sleep(0.5)
        while True:
            try:
                diff = receive(ws, 1.0)
            except TimeoutError:
                break
            if previous is not None:
                assert diff["pu"] == previous, "sequence break"
                assert diff["U"] == previous + 1
            assert diff["U"] <= diff["u"]
            previous = diff["u"]
            apply_diff(book, diff)
        last_top = None
        while True:
            try:
                last_top = receive(top, 0.5)
            except TimeoutError:
                break
        assert last_top is not None and last_top["u"] == previous
        expected_bids = [[Decimal(p), Decimal(q)] for p, q in last_top["b"]]
        expected_asks = [[Decimal(p), Decimal(q)] for p, q in last_top["a"]]
        assert [[p, q] for p, q in sorted(book["bids"].items(), reverse=True)][:20] == expected_bids
        assert [[p, q] for p, q in sorted(book["asks"].items())][:20] == expected_asks
        assert book["bids"] and book["asks"] and max(book["bids"]) < min(book["asks"])
