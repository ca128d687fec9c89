"""ccxt's binanceusdm, unchanged, with every URL pointed at perpx (the client is the truth)."""

from collections.abc import Iterator

import ccxt
import pytest

from tests.api.conftest import Exchange, leave_no_orders

SYMBOL = "NVDA/USDC:USDC"


def binanceusdm(exchange: Exchange, key: str, secret: str) -> ccxt.binanceusdm:
    client = ccxt.binanceusdm(
        {"apiKey": key, "secret": secret, "options": {"fetchCurrencies": False, "fetchMargins": False}}
    )
    for name in list(client.urls["api"]):
        if name.startswith("fapi"):
            version = name.removeprefix("fapiPublic").removeprefix("fapiPrivate").lower() or "v1"
            client.urls["api"][name] = (
                f"{exchange.url}/fapi/{version}" if name != "fapiData" else f"{exchange.url}/futures/data"
            )
    return client


@pytest.fixture
def ccxt_pair(exchange: Exchange) -> Iterator[tuple[ccxt.binanceusdm, ccxt.binanceusdm]]:
    keys = [exchange.funded_key(), exchange.funded_key()]
    clients = [binanceusdm(exchange, k.key, k.secret) for k in keys]
    for client in clients:
        client.load_markets()
    yield clients[0], clients[1]
    for k in keys:
        leave_no_orders(exchange.signed(k))


def test_load_markets_and_time(exchange):
    client = binanceusdm(exchange, "", "")
    markets = client.load_markets()
    market = markets[SYMBOL]
    assert market["id"] == "NVDAUSDC"
    assert (market["base"], market["quote"], market["settle"]) == ("NVDA", "USDC", "USDC")
    assert market["swap"] and market["linear"] and market["contract"] and market["active"]
    assert market["precision"]["price"] == 0.01 and market["precision"]["amount"] == 0.001
    assert market["limits"]["cost"]["min"] == 10.0
    assert market["limits"]["amount"]["max"] == 100000.0
    assert abs(client.fetch_time() - client.milliseconds()) < 5000


def test_orders_of_every_kind(ccxt_pair):
    maker, taker = ccxt_pair
    resting = maker.create_order(SYMBOL, "limit", "sell", 0.5, 184.0)
    assert resting["id"] and resting["status"] == "open" and resting["clientOrderId"].startswith("x-")
    assert (resting["price"], resting["amount"], resting["filled"]) == (184.0, 0.5, 0.0)

    market = taker.create_order(SYMBOL, "market", "buy", 0.1)
    assert market["status"] == "closed" and market["filled"] == 0.1 and market["average"] == 184.0

    ioc = taker.create_order(SYMBOL, "limit", "buy", 1.0, 184.0, {"timeInForce": "IOC"})
    assert ioc["status"] == "expired" and ioc["filled"] == 0.4

    with pytest.raises(ccxt.InvalidOrder):  # -5021 is InvalidOrder in binanceusdm's own table
        taker.create_order(SYMBOL, "limit", "buy", 5.0, 100.0, {"timeInForce": "FOK"})

    maker.create_order(SYMBOL, "limit", "sell", 0.2, 186.0)
    with pytest.raises(ccxt.InvalidOrder):  # -5022
        taker.create_order(SYMBOL, "limit", "buy", 0.1, 186.0, {"postOnly": True})
    post_only = taker.create_order(SYMBOL, "limit", "buy", 0.1, 175.0, {"postOnly": True})
    assert post_only["timeInForce"] == "PO" or post_only["info"]["timeInForce"] == "GTX"

    reduce_only = taker.create_order(SYMBOL, "limit", "sell", 0.5, 188.0, {"reduceOnly": True})
    assert reduce_only["reduceOnly"] is True and reduce_only["amount"] == 0.5  # the 0.5 long it reduces

    named = taker.create_order(SYMBOL, "limit", "buy", 0.1, 170.0, {"clientOrderId": "my-ccxt-order-1"})
    assert named["clientOrderId"] == "my-ccxt-order-1"

    edited = taker.edit_order(named["id"], SYMBOL, "limit", "buy", 0.2, 171.0)
    assert edited["id"] == named["id"] and (edited["price"], edited["amount"]) == (171.0, 0.2)

    canceled = taker.cancel_order(named["id"], SYMBOL)
    assert canceled["id"] == named["id"] and canceled["status"] == "canceled"
    with pytest.raises(ccxt.ExchangeError):
        taker.cancel_order(named["id"], SYMBOL)

    answer = taker.cancel_all_orders(SYMBOL)
    assert answer  # {"code": 200, ...} read as a successful answer, not an error


def test_leverage_and_margin_mode(ccxt_pair):
    client, _ = ccxt_pair
    answer = client.set_leverage(5, SYMBOL)
    assert int(answer["leverage"]) == 5 and answer["symbol"] == "NVDAUSDC"  # ccxt keeps JSON numbers as text
    with pytest.raises(ccxt.ExchangeError):
        client.set_leverage(50, SYMBOL)
    assert int(client.set_margin_mode("isolated", SYMBOL)["code"]) == 200
    # ccxt answers -4046 "No need to change margin type." with this, unless asked to raise
    assert client.set_margin_mode("isolated", SYMBOL) == {"code": -4046, "msg": "No need to change margin type."}
    client.options["throwMarginModeAlreadySet"] = True
    with pytest.raises(ccxt.MarginModeAlreadySet):
        client.set_margin_mode("isolated", SYMBOL)
    assert int(client.set_margin_mode("cross", SYMBOL)["code"]) == 200


def test_bad_credentials_are_authentication_errors(exchange):
    client = binanceusdm(exchange, "A" * 64, "B" * 64)
    client.load_markets()
    with pytest.raises(ccxt.ExchangeError) as raised:
        client.create_order(SYMBOL, "limit", "buy", 0.1, 100.0)
    assert "-2015" in str(raised.value)


class PerpxAsBinance(ccxt.binanceusdm):
    """binanceusdm reading perpx's errors with its USD-M exception table (which ccxt applies only to
    Binance's own hosts), to check that each code becomes the exception a Binance user expects."""

    def get_exceptions_by_url(self, url, exactOrBroad):
        return self.safe_dict(self.safe_dict(self.exceptions, "linear", {}), exactOrBroad, {})


def test_error_codes_become_the_exceptions_binance_users_expect(exchange):
    funded, unfunded = exchange.funded_key(), exchange.new_key()

    def client(api_key) -> PerpxAsBinance:
        made = PerpxAsBinance(
            {"apiKey": api_key.key, "secret": api_key.secret, "options": binanceusdm(exchange, "", "").options}
        )
        made.urls = binanceusdm(exchange, "", "").urls
        made.load_markets()
        return made

    trader, broke = client(funded), client(unfunded)
    with pytest.raises(ccxt.InsufficientFunds):  # -2019
        broke.create_order(SYMBOL, "limit", "buy", 0.1, 170.0)
    with pytest.raises(ccxt.InvalidOrder):  # -2022
        trader.create_order(SYMBOL, "limit", "sell", 0.1, 170.0, {"reduceOnly": True})
    trader.create_order(SYMBOL, "limit", "buy", 0.1, 150.0, {"clientOrderId": "twice"})
    with pytest.raises(ccxt.InvalidOrder):  # -4116
        trader.create_order(SYMBOL, "limit", "buy", 0.1, 150.0, {"clientOrderId": "twice"})
    with pytest.raises(ccxt.OrderNotFound):  # -2011
        trader.cancel_order("123456789", SYMBOL)
    with pytest.raises(ccxt.OrderNotFillable):  # -5021
        trader.create_order(SYMBOL, "limit", "buy", 500.0, 100.0, {"timeInForce": "FOK"})
    with pytest.raises(ccxt.BadRequest):  # -4028
        trader.set_leverage(99, SYMBOL)
    with pytest.raises(ccxt.BadSymbol):  # -1121, past ccxt's own market check
        trader.fapiPrivatePostOrder({"symbol": "NOPEUSDC", "side": "BUY", "type": "MARKET", "quantity": "1"})
    with pytest.raises(ccxt.InvalidNonce):  # -1021
        trader.options["timeDifference"] = 30_000
        trader.create_order(SYMBOL, "limit", "buy", 0.1, 150.0)
    wrong = PerpxAsBinance({"apiKey": funded.key, "secret": "x" * 64})
    wrong.urls = trader.urls
    with pytest.raises(ccxt.AuthenticationError):  # -1022
        wrong.fapiPrivatePostOrder({"symbol": "NVDAUSDC", "side": "BUY", "type": "MARKET", "quantity": "1"})
    exchange.admin.ok("POST", "/perpx/v1/admin/marketStatus", {"symbol": "NVDAUSDC", "status": "HALTED"})
    try:
        trader.options["timeDifference"] = 0
        with pytest.raises(ccxt.MarketClosed):  # "Market is closed."
            trader.create_order(SYMBOL, "limit", "buy", 0.1, 150.0)
    finally:
        exchange.admin.ok("POST", "/perpx/v1/admin/marketStatus", {"symbol": "NVDAUSDC", "status": "ACTIVE"})
    leave_no_orders(exchange.signed(funded))
