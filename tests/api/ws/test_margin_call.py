"""MARGIN_CALL and the liquidation stream on a whole exchange: engine, oracle and api as processes.

Prices come the operator's way: POST /perpx/v1/admin/price to the oracle (its only source here, the
mark free to follow at once), which publishes them to the engine. Trader A deposits 1,000 USDC and
buys 50 NVDA at 180.00 at 10x as maker (fee 1.35): equity at mark P is 50 P - 8,001.35, maintenance
2.5% of 50 P. The margin ratio reaches 80% at 165.19 and below (165.00: 83%), liquidation (100%)
at 164.13 and below.
"""

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import redis
from websockets.sync.client import ClientConnection, connect

from streams.keys import ShardKeys
from tests.api.binance_client import SignedClient
from tests.api.conftest import Exchange, api_on, stop
from tests.api.ws.test_streams import receive, receive_until, ws_url
from tests.engine_service.engine_process import EngineProcess

ORACLE_SETTINGS = """
source = []                      # no feed: the admin's posted prices are the only source
cadence_ms = 200
[mark]
max_move_bps = 1000000.0         # the mark follows a posted price at once
[aggregation]
max_age_ms = 3600000             # and a posted price stays fresh for the whole test
"""
MARGIN_CALL_POSITION = {"s", "ps", "pa", "mt", "iw", "mp", "up", "mm"}


@pytest.fixture(scope="module")
def priced_exchange(redis_server, tmp_path_factory) -> Iterator[Exchange]:
    keys = ShardKeys(f"test{os.getpid()}-margincall")
    client = redis.Redis.from_url(redis_server.url)
    engine = EngineProcess(redis_server.url, keys, snapshot_every=100_000, batch_size=200, kind="margin")
    engine.wait_recovered()
    settings = Path(tmp_path_factory.mktemp("oracle")) / "oracle.toml"
    settings.write_text(ORACLE_SETTINGS)
    oracle = subprocess.Popen(
        [
            *(sys.executable, "-m", "perpx.cli", "oracle", "--shard", keys.shard, "--config", str(settings)),
            *("--always-open", "--health-port", "0"),
        ],
        env={**os.environ, "REDIS_URL": redis_server.url},
        stdin=subprocess.DEVNULL,
    )
    try:
        with api_on(redis_server.url, keys, client) as exchange:
            yield exchange
    finally:
        stop(oracle)
        engine.stop()
        client.close()


def post_price(exchange: Exchange, price: str, symbol: str = "NVDAUSDC") -> None:
    exchange.admin.ok("POST", "/perpx/v1/admin/price", {"underlying": symbol.removesuffix("USDC"), "price": price})


def wait_for_mark(exchange: Exchange, price: str, symbol: str = "NVDAUSDC", timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        mark = httpx.get(exchange.url + "/fapi/v1/premiumIndex", params={"symbol": symbol}).json()["markPrice"]
        if mark == price:
            return
        assert time.monotonic() < deadline, f"the mark of {symbol} is {mark}, not {price}"
        time.sleep(0.05)


def ten_x_long(exchange: Exchange, symbol: str, price: str) -> tuple[SignedClient, SignedClient]:
    """At mark `price`: a 10x long of 50 shares at `price` with 1,000 USDC (maker), and its short
    (taker, 100,000 USDC); their clients."""
    post_price(exchange, price, symbol)
    wait_for_mark(exchange, f"{Decimal(price):.2f}", symbol)
    longer = exchange.signed(exchange.funded_key("1000"))
    shorter = exchange.signed(exchange.funded_key("100000"))
    longer.ok("POST", "/fapi/v1/leverage", {"symbol": symbol, "leverage": 10})
    limit = {"symbol": symbol, "type": "LIMIT", "timeInForce": "GTC", "quantity": "50", "price": price}
    longer.ok("POST", "/fapi/v1/order", {**limit, "side": "BUY"})
    shorter.ok("POST", "/fapi/v1/order", {**limit, "side": "SELL"})
    return longer, shorter


def messages_until_mark(ws: ClientConnection, price: str, timeout_s: float = 20.0) -> list[dict]:
    """Every user data message before the first markPrice at `price` on this connection. The mark
    stream is pushed by the fan-out's clock after the batch that moved the price was handled, on
    the same queue, so whatever that batch caused comes before it."""
    seen: list[dict] = []
    deadline = time.monotonic() + timeout_s
    while True:
        message = receive(ws, max(0.05, deadline - time.monotonic()))
        if message.get("e") == "markPriceUpdate":
            if message["p"] == price:
                return seen
        elif "e" in message:
            seen.append(message)


def margin_calls(messages: list[dict]) -> list[dict]:
    return [m for m in messages if m["e"] == "MARGIN_CALL"]


def test_margin_call_once_per_crossing_then_the_liquidation_on_force_order(priced_exchange: Exchange) -> None:
    exchange = priced_exchange
    trader, maker = ten_x_long(exchange, "NVDAUSDC", "180")
    bidder = exchange.signed(exchange.funded_key("100000"))
    listen_key = trader.ok("POST", "/fapi/v1/listenKey")["listenKey"]
    with (
        connect(ws_url(exchange, "/ws")) as ws,
        connect(ws_url(exchange, f"/private/ws?listenKey={listen_key}")) as private,
    ):
        ws.send(json.dumps({"method": "SUBSCRIBE", "params": [listen_key, "nvdausdc@markPrice@1s"], "id": 1}))
        assert receive(ws) == {"result": None, "id": 1}
        with connect(ws_url(exchange, "/ws/!forceOrder@arr")) as liquidations:
            post_price(exchange, "166")  # 207.50 / 298.65: 69%
            assert margin_calls(messages_until_mark(ws, "166.00")) == []

            post_price(exchange, "165")  # 206.25 / 248.65: 83%
            before = messages_until_mark(ws, "165.00")
            (call,) = margin_calls(before)
            assert set(call) == {"e", "E", "cw", "p"} and call["cw"] == "998.650000"
            (position,) = call["p"]
            assert set(position) == MARGIN_CALL_POSITION
            assert position == {
                "s": "NVDAUSDC",
                "ps": "BOTH",
                "pa": "50.000",
                "mt": "CROSSED",
                "iw": "0.000000",
                "mp": "165.00",
                "up": "-750.000000",
                "mm": "206.250000",
            }
            rest = trader.ok("GET", "/fapi/v3/account")
            assert rest["totalMaintMargin"] == position["mm"]  # the REST figure, the same code
            ratio = float(rest["totalMaintMargin"]) / float(rest["totalMarginBalance"])
            assert 0.8 <= ratio < 1
            assert receive_until(private, lambda m: m.get("e") == "MARGIN_CALL") == call  # ccxt.pro's URL too

            post_price(exchange, "164.80")  # still in call (87%): not told again
            assert margin_calls(messages_until_mark(ws, "164.80")) == []
            post_price(exchange, "170")  # 212.50 / 498.65: 43%, re-armed
            assert margin_calls(messages_until_mark(ws, "170.00")) == []
            post_price(exchange, "165")  # crossed again: told again
            (again,) = margin_calls(messages_until_mark(ws, "165.00"))
            assert again["p"] == call["p"] and again["E"] > call["E"]

            bid = {"symbol": "NVDAUSDC", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "50"}
            bidder.ok("POST", "/fapi/v1/order", {**bid, "price": "163"})
            post_price(exchange, "164")  # below maintenance: liquidated into the bid at 163
            force = receive_until(liquidations, lambda m: m.get("e") == "forceOrder", 20)
            assert set(force) == {"e", "E", "o"}
            order = force["o"]
            assert set(order) == {"s", "S", "o", "f", "q", "p", "ap", "X", "l", "z", "T"}
            assert (order["s"], order["S"], order["o"], order["f"], order["X"]) == (
                "NVDAUSDC",
                "SELL",
                "LIMIT",
                "IOC",
                "FILLED",
            )
            assert (order["q"], order["l"], order["z"], order["ap"]) == ("50.000", "50.000", "50.000", "163.00")
            assert order["p"] == "160.03"  # the bankruptcy price: 180 - 998.65 / 50, rounded up for a long
            after = messages_until_mark(ws, "164.00")
            assert margin_calls(after) == []  # the call was told; liquidation is not a new crossing
            assert any(m["e"] == "ACCOUNT_UPDATE" and m["a"]["P"][0]["pa"] == "0.000" for m in after)
    for client in (trader, maker, bidder):
        client.close()


def account_update(ws: ClientConnection, reason: str) -> dict:
    return receive_until(ws, lambda m: m.get("e") == "ACCOUNT_UPDATE" and m["a"]["m"] == reason, 20)["a"]


def test_a_gap_past_bankruptcy_deleverages_the_other_side(priced_exchange: Exchange) -> None:
    """A 10x long of 50 AMZN at 200.00 with 1,000 USDC (bankruptcy near 180), and no bid: a gap to
    160 leaves more loss than the insurance fund covers, so the only short is reduced at the
    bankruptcy price: its ACCOUNT_UPDATE says AUTO_DELEVERAGE, the long's LIQUIDATION."""
    exchange = priced_exchange
    longer, shorter = ten_x_long(exchange, "AMZNUSDC", "200")
    short_before = float(shorter.ok("GET", "/fapi/v3/positionRisk", {"symbol": "AMZNUSDC"})[0]["positionAmt"])
    long_key = longer.ok("POST", "/fapi/v1/listenKey")["listenKey"]
    short_key = shorter.ok("POST", "/fapi/v1/listenKey")["listenKey"]
    with (
        connect(ws_url(exchange, f"/private/ws?listenKey={long_key}")) as long_ws,
        connect(ws_url(exchange, f"/private/ws?listenKey={short_key}")) as short_ws,
        connect(ws_url(exchange, "/ws/amznusdc@forceOrder")) as liquidations,
    ):
        time.sleep(0.2)
        post_price(exchange, "160", "AMZNUSDC")
        deleveraged = account_update(short_ws, "AUTO_DELEVERAGE")
        (position,) = deleveraged["P"]
        assert position["s"] == "AMZNUSDC" and float(position["pa"]) > short_before  # a short, reduced
        liquidated = account_update(long_ws, "LIQUIDATION")
        assert liquidated["P"][0]["pa"] == "0.000"
        steps = [receive_until(liquidations, lambda m: m.get("e") == "forceOrder", 20)["o"]]
        while sum(float(step["z"]) for step in steps) < 50:
            steps.append(receive_until(liquidations, lambda m: m.get("e") == "forceOrder", 20)["o"])
        assert all(step["S"] == "SELL" and step["p"] == steps[0]["p"] for step in steps)  # all at bankruptcy
    for client in (longer, shorter):
        client.close()


def test_dividend_and_split_reasons(priced_exchange: Exchange) -> None:
    """perpx's own ACCOUNT_UPDATE reasons: DIVIDEND (0.50 a share on 10 shares: +5) and SPLIT (2:1:
    20 shares at half the entry price, no money moved), both from the operator's schedule; an open
    order is told its rescaled price and size (a buy of 1 at 200.00 is now 2 at 100.000)."""
    exchange = priced_exchange
    post_price(exchange, "230", "AAPLUSDC")
    wait_for_mark(exchange, "230.00", "AAPLUSDC")
    holder = exchange.signed(exchange.funded_key("10000"))
    seller = exchange.signed(exchange.funded_key("100000"))
    limit = {"symbol": "AAPLUSDC", "type": "LIMIT", "timeInForce": "GTC", "quantity": "10", "price": "230"}
    holder.ok("POST", "/fapi/v1/order", {**limit, "side": "BUY"})
    seller.ok("POST", "/fapi/v1/order", {**limit, "side": "SELL"})
    resting = holder.ok("POST", "/fapi/v1/order", {**limit, "side": "BUY", "quantity": "1", "price": "200"})
    listen_key = holder.ok("POST", "/fapi/v1/listenKey")["listenKey"]
    with connect(ws_url(exchange, f"/private/ws?listenKey={listen_key}")) as ws:
        time.sleep(0.2)
        balance = holder.ok("GET", "/fapi/v3/balance")[0]["balance"]
        dividend = {"id": f"AAPL-div-{os.getpid()}", "symbol": "AAPLUSDC", "effective": "2020-01-02", "amount": "0.5"}
        exchange.admin.ok("POST", "/perpx/v1/admin/dividend", dividend)
        paid = account_update(ws, "DIVIDEND")
        (wallet,) = paid["B"]
        assert wallet["bc"] == "5.000000" and float(wallet["wb"]) == float(balance) + 5
        split = {"id": f"AAPL-split-{os.getpid()}", "symbol": "AAPLUSDC", "effective": "2020-01-02", "ratio": "2:1"}
        exchange.admin.ok("POST", "/perpx/v1/admin/split", split)
        amended = receive_until(ws, lambda m: m.get("e") == "ORDER_TRADE_UPDATE", 20)["o"]
        assert (amended["i"], amended["x"], amended["X"], amended["p"], amended["q"]) == (
            resting["orderId"],
            "AMENDMENT",
            "NEW",
            "100.000",
            "2.000",
        )
        rescaled = account_update(ws, "SPLIT")
        (position,) = rescaled["P"]
        assert (position["s"], position["pa"], Decimal(position["ep"]), position["mt"]) == (
            "AAPLUSDC",
            "20.000",
            Decimal("115"),  # the tick is now 0.005: one more decimal
            "cross",
        )
        assert rescaled["B"][0]["bc"] == "0.000000" and rescaled["B"][0]["wb"] == wallet["wb"]
        rest = holder.ok("GET", "/fapi/v3/positionRisk", {"symbol": "AAPLUSDC"})[0]
        assert (rest["positionAmt"], float(rest["entryPrice"])) == ("20.000", 115.0)
    for client in (holder, seller):
        client.close()
