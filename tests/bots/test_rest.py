"""bots.rest against a real exchange: signed calls, decimal strings both ways, errors as values."""

from decimal import Decimal

import pytest

from bots.errors import ApiError
from bots.markets import markets_of
from bots.rest import RestClient
from tests.api.conftest import Exchange

BID = {"symbol": "NVDAUSDC", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}


async def test_exchange_info_gives_each_market_its_rules(rest: RestClient) -> None:
    markets = markets_of(await rest.exchange_info())
    nvda = markets["NVDAUSDC"]
    assert (nvda.tick, nvda.step, nvda.underlying, nvda.trading) == (Decimal("0.01"), Decimal("0.001"), "NVDA", True)
    assert nvda.max_leverage >= 1
    assert nvda.price_down(Decimal("150.019")) == Decimal("150.01")
    assert nvda.price_up(Decimal("150.011")) == Decimal("150.02")
    assert nvda.qty_down(Decimal("0.1239")) == Decimal("0.123")
    assert nvda.min_qty_at(Decimal("150")) * Decimal("150") >= nvda.min_notional


async def test_place_read_and_cancel_an_order(rest: RestClient) -> None:
    placed = await rest.place_order({**BID, "quantity": Decimal("0.250"), "price": Decimal("151.37")})
    assert (placed["status"], placed["price"], placed["origQty"]) == ("NEW", "151.37", "0.250")
    depth = await rest.depth("NVDAUSDC")
    assert ["151.37", "0.250"] in depth["bids"]
    assert [o["orderId"] for o in await rest.open_orders("NVDAUSDC")] == [placed["orderId"]]
    canceled = await rest.cancel_order("NVDAUSDC", placed["orderId"])
    assert canceled["status"] == "CANCELED"
    with pytest.raises(ApiError) as again:
        await rest.cancel_order("NVDAUSDC", placed["orderId"])
    assert (again.value.status, again.value.code) == (400, -2011)
    assert await rest.open_orders("NVDAUSDC") == []


async def test_a_batch_answers_each_order_or_its_error(rest: RestClient) -> None:
    answers = await rest.batch_orders(
        [
            {**BID, "quantity": Decimal("0.100"), "price": Decimal("140.00")},
            {**BID, "quantity": Decimal("0"), "price": Decimal("140.00")},
            {**BID, "quantity": Decimal("0.100"), "price": Decimal("141.00"), "newClientOrderId": "mine-1"},
        ]
    )
    assert isinstance(answers[0], dict) and answers[0]["status"] == "NEW"
    assert isinstance(answers[1], ApiError) and answers[1].code < 0
    assert isinstance(answers[2], dict) and answers[2]["clientOrderId"] == "mine-1"
    order_ids = [answers[0]["orderId"], answers[2]["orderId"], 999_999_999]
    canceled = await rest.cancel_orders("NVDAUSDC", order_ids)
    assert [c["status"] for c in canceled[:2] if isinstance(c, dict)] == ["CANCELED", "CANCELED"]
    assert isinstance(canceled[2], ApiError) and canceled[2].code == -2011


async def test_a_fill_shows_in_positions_and_balances(rest: RestClient, other_rest: RestClient) -> None:
    before = await rest.account()
    ask = {"symbol": "AAPLUSDC", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC"}
    await other_rest.place_order({**ask, "quantity": Decimal("2"), "price": Decimal("230.00")})
    bought = await rest.place_order(
        {"symbol": "AAPLUSDC", "side": "BUY", "type": "MARKET", "quantity": Decimal("2"), "newOrderRespType": "RESULT"}
    )
    assert (bought["status"], bought["executedQty"], bought["avgPrice"]) == ("FILLED", "2.000", "230.000000")
    assert await rest.position("AAPLUSDC") == Decimal(2)
    assert await other_rest.position("AAPLUSDC") == Decimal(-2)
    after = await rest.account()
    paid_fees = Decimal(before["totalWalletBalance"]) - Decimal(after["totalWalletBalance"])
    assert Decimal(0) <= paid_fees < Decimal("1")  # a taker fee on 460 USDC, nothing else moved
    # both close: flat again
    await rest.place_order({**ask, "quantity": Decimal("2"), "price": Decimal("229.00")})
    await other_rest.place_order({"symbol": "AAPLUSDC", "side": "BUY", "type": "MARKET", "quantity": Decimal("2")})
    assert await rest.position("AAPLUSDC") == await other_rest.position("AAPLUSDC") == Decimal(0)


async def test_premium_index_and_errors_of_auth(exchange: Exchange, rest: RestClient) -> None:
    index = await rest.premium_index("NVDAUSDC")
    assert index["markPrice"] == "180.00"
    assert {i["symbol"] for i in await rest.premium_indexes()} >= {"NVDAUSDC", "AAPLUSDC"}
    async with RestClient(exchange.url, rest.key, "not the secret") as forged:
        with pytest.raises(ApiError) as refused:
            await forged.open_orders()
        assert (refused.value.status, refused.value.code) == (400, -1022)
    async with RestClient(exchange.url) as anonymous:
        with pytest.raises(ValueError, match="needs an API key"):
            await anonymous.open_orders()
        with pytest.raises(ApiError) as unknown:
            await anonymous.depth("NOSUCHUSDC")
        assert unknown.value.code == -1121


async def test_an_admin_key_funds_an_account(exchange: Exchange) -> None:
    """How a load test makes its own traders: a new key's account, funded through the admin API."""
    key = exchange.new_key()
    async with (
        RestClient(exchange.url, exchange.admin.key, exchange.admin.secret) as admin,
        RestClient(exchange.url, key.key, key.secret) as trader,
    ):
        deposited = await admin.deposit(key.account_id, Decimal("2500.5"))
        assert deposited["account"] == key.account_id
        assert Decimal((await trader.account())["totalWalletBalance"]) == Decimal("2500.5")
        with pytest.raises(ApiError) as refused:  # a trader's key is no admin's
            await trader.deposit(key.account_id, Decimal(1))
        assert refused.value.code == -2015
