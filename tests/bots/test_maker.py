"""The maker against a real exchange: its ladder is the book, takers fill against it, positions and
balances agree, it carries on through errors, and stop cancels everything it placed."""

from decimal import ROUND_CEILING, Decimal

import pytest

from bots.ladder import LadderShape, ladder
from bots.maker import Maker, MakerConfig
from bots.markets import markets_of
from bots.rest import RestClient
from bots.ws_api import WsApiClient
from tests.api.conftest import Exchange
from tests.bots.conftest import eventually

MICRO = Decimal("0.000001")
SHAPE = LadderShape(levels=3, first_bps=10, spacing_bps=10, level_notional=Decimal(2000))


def book_of(depth: dict) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
    return (
        [(Decimal(p), Decimal(q)) for p, q in depth["bids"]],
        [(Decimal(p), Decimal(q)) for p, q in depth["asks"]],
    )


def expected_book(reference: Decimal, position: Decimal, rules, shape=SHAPE):
    quotes = ladder(reference, 0, position, rules, shape)
    return (
        [(q.price, q.qty) for q in quotes if q.side == "BUY"],
        [(q.price, q.qty) for q in quotes if q.side == "SELL"],
    )


@pytest.mark.parametrize("transport", ["rest", "ws"])
async def test_the_ladder_is_the_book_a_taker_fills_it_and_stop_cancels_all(
    exchange: Exchange, rest: RestClient, other_rest: RestClient, transport: str
) -> None:
    symbol = "NVDAUSDC" if transport == "rest" else "AAPLUSDC"
    maker_rest = other_rest
    ws = WsApiClient(exchange.url, maker_rest.key, maker_rest.secret) if transport == "ws" else None
    rules = markets_of(await rest.exchange_info())[symbol]
    maker = Maker(MakerConfig(symbol, SHAPE, refresh_s=0.2, transport=transport), rules, maker_rest, ws)
    taker_before = Decimal((await rest.account())["totalWalletBalance"])
    maker_before = Decimal((await maker_rest.account())["totalWalletBalance"])
    await maker.start()
    try:
        mark = Decimal((await rest.premium_index(symbol))["markPrice"])
        flat = expected_book(mark, Decimal(0), rules)

        async def shows(book):
            return book_of(await rest.depth(symbol)) == book

        await eventually(lambda: shows(flat))
        best_ask, ask_qty = flat[1][0]
        bought = await rest.place_order(
            {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": ask_qty, "newOrderRespType": "RESULT"}
        )
        assert (Decimal(bought["executedQty"]), Decimal(bought["avgPrice"])) == (ask_qty, best_ask)
        assert await rest.position(symbol) == ask_qty
        assert await maker_rest.position(symbol) == -ask_qty
        # the maker is short now: its ladder moves up (skew) and its filled level is quoted again
        await eventually(lambda: shows(expected_book(mark, -ask_qty, rules)))
        paid = taker_before - Decimal((await rest.account())["totalWalletBalance"])
        earned = Decimal((await maker_rest.account())["totalWalletBalance"]) - maker_before
        notional = ask_qty * best_ask
        # the fees, 4.5 bps for the taker and 1.5 for the maker, each rounded up to the micro-USDC
        assert paid == (notional * Decimal("0.00045")).quantize(MICRO, ROUND_CEILING)
        assert earned == -(notional * Decimal("0.00015")).quantize(MICRO, ROUND_CEILING)
        assert maker.running and maker.stats.orders_placed >= 7 and maker.stats.errors == {}
    finally:
        await maker.stop()
        if ws is not None:
            await ws.close()
    assert not maker.running
    assert await maker_rest.open_orders(symbol) == []
    assert book_of(await rest.depth(symbol)) == ([], [])
    # flat again for the next test
    await maker_rest.place_order(
        {"symbol": symbol, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": ask_qty, "price": best_ask}
    )
    await rest.place_order({"symbol": symbol, "side": "SELL", "type": "MARKET", "quantity": ask_qty})


async def test_a_maker_carries_on_through_refusals_and_a_dead_exchange(exchange: Exchange) -> None:
    poor = exchange.new_key()  # no collateral: every order is refused with -2019
    async with RestClient(exchange.url, poor.key, poor.secret) as refused_rest:
        rules = markets_of(await refused_rest.exchange_info())["MSTRUSDC"]
        maker = Maker(MakerConfig("MSTRUSDC", SHAPE, refresh_s=0.05), rules, refused_rest)
        await maker.start()
        await eventually(lambda: maker.stats.errors["-2019"] >= 6 * 3)
        assert maker.running and maker.stats.orders_placed == 0
        await maker.stop()
    async with RestClient("http://127.0.0.1:9", poor.key, poor.secret, timeout_s=1) as dead:
        maker = Maker(MakerConfig("MSTRUSDC", SHAPE, refresh_s=0.05), rules, dead)
        await maker.start()
        await eventually(lambda: maker.stats.errors["ConnectError"] >= 3)
        assert maker.running
        await maker.stop()  # its clean-up meets the same dead exchange: noted, not raised
        assert not maker.running


async def test_orders_the_maker_lost_track_of_are_canceled(rest: RestClient, other_rest: RestClient) -> None:
    maker_rest = other_rest
    rules = markets_of(await rest.exchange_info())["MSTRUSDC"]
    maker = Maker(MakerConfig("MSTRUSDC", SHAPE, refresh_s=0.1, resync_every=2), rules, maker_rest)
    mine = {"symbol": "MSTRUSDC", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": Decimal(1)}
    # an order of the account placed by someone else (not the maker's client ids): left alone
    other = await maker_rest.place_order({**mine, "price": Decimal("100.00"), "newClientOrderId": "by-hand"})
    lost = await maker_rest.place_order(
        {**mine, "price": Decimal("101.00"), "newClientOrderId": f"{maker.client_prefix}-999999"}
    )
    await maker.start()
    try:

        async def lost_is_gone():
            return lost["orderId"] not in {o["orderId"] for o in await maker_rest.open_orders("MSTRUSDC")}

        await eventually(lost_is_gone)
    finally:
        await maker.stop()
    assert [o["orderId"] for o in await maker_rest.open_orders("MSTRUSDC")] == [other["orderId"]]


async def test_a_maker_over_the_websocket_api_reconnects(
    exchange: Exchange, rest: RestClient, other_rest: RestClient
) -> None:
    rules = markets_of(await rest.exchange_info())["MSTRUSDC"]
    ws = WsApiClient(exchange.url, other_rest.key, other_rest.secret)
    maker = Maker(
        MakerConfig("MSTRUSDC", SHAPE, refresh_s=0.1, transport="ws", wander_bps=5, seed=3), rules, other_rest, ws
    )
    await maker.start()
    try:
        await eventually(lambda: len(maker.live) == 2 * SHAPE.levels)
        first_socket = ws.socket
        await ws.socket.close()  # the connection drops under the maker
        placed = maker.stats.orders_placed
        await eventually(lambda: maker.stats.orders_placed > placed + 6 and ws.socket is not first_socket)
        assert maker.running and ws.connected
    finally:
        await maker.stop()
        await ws.close()
    assert await other_rest.open_orders("MSTRUSDC") == []
