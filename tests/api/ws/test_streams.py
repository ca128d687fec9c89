"""Market streams over real WebSocket connections to the api process (tests/api/conftest.py)."""

import json
import random
import time
from decimal import Decimal

import httpx
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


def random_orders(rng: random.Random, clients: list[SignedClient], symbol: str, mid_ticks: int, count: int) -> None:
    """`count` random limit orders around the mid (some crossing: fills), and cancels of them."""
    open_orders: list[tuple[SignedClient, int]] = []
    for _ in range(count):
        if rng.random() < 0.2 and open_orders:
            owner, order_id = open_orders.pop(rng.randrange(len(open_orders)))
            owner.request("DELETE", "/fapi/v1/order", {"symbol": symbol, "orderId": order_id})
            continue
        client = rng.choice(clients)
        ticks = mid_ticks + rng.randint(-8, 8) * 10
        order = {"symbol": symbol, "side": rng.choice(("BUY", "SELL")), "type": "LIMIT", "timeInForce": "GTC"}
        order |= {"quantity": str(rng.randint(1, 5)), "price": str(Decimal(ticks) / 100)}
        open_orders.append((client, client.ok("POST", "/fapi/v1/order", order)["orderId"]))


def rest_depth(exchange: Exchange, symbol: str) -> dict:
    response = httpx.get(exchange.url + "/fapi/v1/depth", params={"symbol": symbol, "limit": 1000})
    assert response.status_code == 200, response.text
    return response.json()


def test_depth_diffs_keep_a_local_book_in_sync(
    exchange: Exchange, trader: SignedClient, other_trader: SignedClient
) -> None:
    """Binance's recipe: buffer @depth@100ms diffs, take one REST depth snapshot, drop diffs with
    u < lastUpdateId, start at the one with U <= lastUpdateId <= u (or pu == lastUpdateId), then
    check each pu against the previous u. Random orders, cancels and fills of two accounts run
    before and after the snapshot; at the end the local book equals REST depth level by level."""
    rng = random.Random(7)
    clients = [trader, other_trader]
    with connect(ws_url(exchange, "/ws/tslausdc@depth@100ms")) as ws:
        time.sleep(0.2)
        random_orders(rng, clients, "TSLAUSDC", 40_000, 100)
        snapshot = rest_depth(exchange, "TSLAUSDC")
        last_update_id = snapshot["lastUpdateId"]
        book = {
            "bids": {Decimal(p): Decimal(q) for p, q in snapshot["bids"]},
            "asks": {Decimal(p): Decimal(q) for p, q in snapshot["asks"]},
        }
        random_orders(rng, clients, "TSLAUSDC", 40_000, 300)
        time.sleep(0.5)
        final = rest_depth(exchange, "TSLAUSDC")
        previous = None
        applied = 0
        while previous is None or previous < final["lastUpdateId"]:
            diff = receive(ws, 5.0)
            assert set(diff) == {"e", "E", "T", "s", "U", "u", "pu", "b", "a"} and diff["e"] == "depthUpdate"
            if diff["u"] < last_update_id:
                continue
            if previous is None:
                assert diff["U"] <= last_update_id <= diff["u"] or diff["pu"] == last_update_id
            else:
                assert diff["pu"] == previous, "sequence break"
            previous = diff["u"]
            apply_diff(book, diff)
            applied += 1
        # several diffs chained by pu, over many book changes (how many diffs depends on the speed)
        assert previous == final["lastUpdateId"] and applied >= 2 and previous - last_update_id >= 100
        assert [[str(p), str(q)] for p, q in sorted(book["bids"].items(), reverse=True)] == final["bids"]
        assert [[str(p), str(q)] for p, q in sorted(book["asks"].items())] == final["asks"]
        assert final["bids"] and final["asks"]
