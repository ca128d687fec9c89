"""The read side through the clients themselves: ccxt's binanceusdm and Binance's UMFutures, unchanged,
after a fill between two accounts (the clients parse every field they read, so a wrong shape fails)."""

import pytest
from binance.error import ClientError
from binance.um_futures import UMFutures

from tests.api.conftest import Exchange, leave_no_orders
from tests.api.test_ccxt import binanceusdm

SYMBOL = "AAPL/USDC:USDC"
MARKET = "AAPLUSDC"


def test_ccxt_reads_after_a_fill(exchange: Exchange) -> None:
    keys = [exchange.funded_key(), exchange.funded_key()]
    maker, taker = (binanceusdm(exchange, k.key, k.secret) for k in keys)
    try:
        maker.load_markets()
        taker.load_markets()
        sell = maker.create_order(SYMBOL, "limit", "sell", 0.3, 232.0)
        bought = taker.create_order(SYMBOL, "limit", "buy", 0.3, 232.0)
        assert bought["status"] == "closed"
        resting = maker.create_order(SYMBOL, "limit", "buy", 0.2, 210.0)

        book = taker.fetch_order_book(SYMBOL, 20)
        assert [210.0, 0.2] in book["bids"] and isinstance(book["nonce"], int) and book["timestamp"]
        trades = taker.fetch_trades(SYMBOL, limit=5)
        assert trades[-1]["price"] == 232.0 and trades[-1]["amount"] == 0.3 and trades[-1]["side"] == "buy"
        candles = taker.fetch_ohlcv(SYMBOL, "1m", limit=3)
        assert candles[-1][4] == 232.0 and candles[-1][5] >= 0.3
        ticker = taker.fetch_ticker(SYMBOL)
        assert ticker["last"] == 232.0 and ticker["symbol"] == SYMBOL
        tickers = taker.fetch_tickers()
        assert SYMBOL in tickers and "NVDA/USDC:USDC" in tickers
        funding = taker.fetch_funding_rate(SYMBOL)
        assert funding["markPrice"] == 230.0 and funding["indexPrice"] == 230.0 and funding["fundingTimestamp"]
        assert SYMBOL in taker.fetch_funding_rates()
        assert taker.fetch_funding_rate_history(SYMBOL) == []  # nothing settled in this run
        tiers = taker.fetch_leverage_tiers()
        assert tiers[SYMBOL][0]["maxLeverage"] > 0 and tiers[SYMBOL][0]["minNotional"] == 0

        order = maker.fetch_order(sell["id"], SYMBOL)
        assert (order["status"], order["filled"], order["average"], order["side"]) == ("closed", 0.3, 232.0, "sell")
        assert [o["id"] for o in maker.fetch_open_orders(SYMBOL)] == [resting["id"]]
        assert [o["id"] for o in maker.fetch_orders(SYMBOL)] == [sell["id"], resting["id"]]
        assert [o["id"] for o in maker.fetch_closed_orders(SYMBOL)] == [sell["id"]]

        balance = taker.fetch_balance()
        assert balance["USDC"]["total"] > 0 and balance["USDC"]["used"] > 0
        assert (
            balance["USDC"]["free"] == balance["USDC"]["total"] - balance["USDC"]["used"] or balance["USDC"]["free"] > 0
        )
        (position,) = [p for p in taker.fetch_positions() if p["symbol"] == SYMBOL]
        assert (position["side"], position["contracts"], position["entryPrice"]) == ("long", 0.3, 232.0)
        assert position["marginMode"] == "cross" and position["markPrice"] == 230.0
        (short,) = [p for p in maker.fetch_positions([SYMBOL])]
        assert (short["side"], short["contracts"]) == ("short", 0.3)

        (mine,) = taker.fetch_my_trades(SYMBOL)
        assert (mine["side"], mine["price"], mine["amount"], mine["takerOrMaker"]) == ("buy", 232.0, 0.3, "taker")
        assert mine["order"] == bought["id"] and mine["fee"]["currency"] == "USDC"
        (theirs,) = maker.fetch_my_trades(SYMBOL)
        assert theirs["id"] == mine["id"] and theirs["takerOrMaker"] == "maker"
    finally:
        for k in keys:
            leave_no_orders(exchange.signed(k))


def test_umfutures_reads_after_a_fill(exchange: Exchange) -> None:
    keys = [exchange.funded_key(), exchange.funded_key()]
    maker, taker = (UMFutures(key=k.key, secret=k.secret, base_url=exchange.url) for k in keys)
    try:
        sell = maker.new_order(
            symbol=MARKET, side="SELL", type="LIMIT", quantity="0.200", price="233.00", timeInForce="GTC"
        )
        taker.new_order(symbol=MARKET, side="BUY", type="LIMIT", quantity="0.200", price="233.00", timeInForce="GTC")
        resting = maker.new_order(
            symbol=MARKET, side="BUY", type="LIMIT", quantity="0.100", price="205.00", timeInForce="GTC"
        )

        public = UMFutures(base_url=exchange.url)
        assert ["205.00", "0.100"] in public.depth(MARKET, limit=50)["bids"]
        assert public.trades(MARKET, limit=1)[0]["price"] == "233.00"
        assert public.agg_trades(MARKET, limit=1)[0]["p"] == "233.00"
        assert public.klines(MARKET, "1m", limit=1)[0][4] == "233.00"
        assert public.mark_price_klines(MARKET, "1m", limit=1)
        assert public.index_price_klines(MARKET, "1m", limit=1)
        assert public.ticker_24hr_price_change(MARKET)["lastPrice"] == "233.00"
        assert public.ticker_price(MARKET)["price"] == "233.00"
        assert public.book_ticker(MARKET)["bidPrice"] >= "205.00"
        assert public.mark_price(MARKET)["markPrice"] == "230.00"
        assert public.funding_rate(MARKET) == []
        assert float(public.open_interest(MARKET)["openInterest"]) >= 0.2

        assert maker.query_order(symbol=MARKET, orderId=sell["orderId"])["status"] == "FILLED"
        assert maker.get_open_orders(symbol=MARKET, orderId=resting["orderId"])["status"] == "NEW"
        assert [o["orderId"] for o in maker.get_orders(symbol=MARKET)] == [resting["orderId"]]
        assert [o["orderId"] for o in maker.get_all_orders(symbol=MARKET)] == [sell["orderId"], resting["orderId"]]
        assert [t["side"] for t in taker.get_account_trades(symbol=MARKET)] == ["BUY"]
        assert {r["incomeType"] for r in taker.get_income_history()} >= {"TRANSFER"}
        assert taker.account()["positions"][0]["positionAmt"] == "0.200"
        assert taker.balance()[0]["asset"] == "USDC"
        assert taker.get_position_risk(symbol=MARKET)[0]["positionAmt"] == "0.200"
        assert taker.leverage_brackets(symbol=MARKET)["symbol"] == MARKET
        assert taker.commission_rate(symbol=MARKET)["symbol"] == MARKET

        with pytest.raises(ClientError) as raised:  # another account's order is unknown to this one
            taker.query_order(symbol=MARKET, orderId=sell["orderId"])
        assert (raised.value.status_code, raised.value.error_code) == (400, -2013)
    finally:
        for k in keys:
            leave_no_orders(exchange.signed(k))
