"""The trading page, end to end, in headless Chromium against a real exchange: what a trader does on
it (pick an account, place, amend and cancel an order, get filled by someone else, be refused) and
what it must show without being asked (another client's trades, a lost connection and its return).
Each step leaves a screenshot in tests/web/screenshots/<test>/."""

import re
import time

from playwright.sync_api import Page, expect

from messages.commands import PlaceOrder
from messages.enums import Side
from streams.client import append_command
from tests.web.conftest import Console, Shots, WebExchange

# Chromium logs every 4xx answer as "Failed to load resource": the refusals a test provokes on purpose
REFUSED = r"Failed to load resource: the server responded with a status of 400"
# and every failed connection while the api is down
OFFLINE = (r"ERR_CONNECTION_REFUSED", r"WebSocket connection to .* failed", r"Failed to load resource")


def open_page(page: Page, exchange: WebExchange, symbol: str) -> None:
    page.goto(f"{exchange.url}/#{symbol}")
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    expect(page.locator("#market-symbol")).to_have_text(symbol)
    expect(page.locator("#connection-text")).to_have_text("live")


def pick_demo_account(page: Page, exchange: WebExchange, index: int, shots: Shots | None = None) -> None:
    page.click("#keys-button")
    expect(page.locator("#demo-list button")).to_have_count(len(exchange.demo))
    if shots is not None:
        shots.take(page, "keys-dialog")
    account = exchange.demo[index].account_id
    page.click(f"#demo-list button[data-account='{account}']")
    expect(page.locator("#entry-account")).to_have_text(f"demo {account}")
    expect(page.locator("#keys-dialog")).not_to_be_visible()


def enter_keys(page: Page, key: str, secret: str) -> None:
    page.click("#keys-button")
    page.fill("#key-input", key)
    page.fill("#secret-input", secret)
    page.click("#use-keys")


def fill_order(page: Page, price: str | None, quantity: str) -> None:
    page.click(f"#order-type button[data-type='{'LIMIT' if price is not None else 'MARKET'}']")
    if price is not None:
        page.fill("#price", price)
    page.fill("#quantity", quantity)


def book_level(page: Page, side: str, price: str):
    return page.locator(f"#{side} .lvl[data-price='{price}']")


def open_order_rows(page: Page):
    return page.locator("#open-orders tbody tr")


def show_tab(page: Page, tab: str) -> None:
    page.click(f"#account-tabs button[data-tab='{tab}']")
    expect(page.locator(f"table#{tab}")).to_be_visible()


def money(text: str) -> float:
    return float(text.replace(",", ""))


def limit_order(client, symbol: str, side: str, quantity: str, price: str, time_in_force: str = "GTC") -> dict:
    """Another client's order, over REST; its answer (RESULT: the fills are in it)."""
    return client.ok("POST", "/fapi/v1/order", {
        "symbol": symbol, "side": side, "type": "LIMIT", "timeInForce": time_in_force, "quantity": quantity,
        "price": price, "newOrderRespType": "RESULT",
    })  # fmt: skip


def leave_no_orders(exchange: WebExchange, symbol: str) -> None:
    for client in exchange.clients:
        client.ok("DELETE", "/fapi/v1/allOpenOrders", {"symbol": symbol})


def test_place_amend_cancel_and_get_filled_from_the_page(
    page: Page, web_exchange: WebExchange, console: Console, shots: Shots
):
    open_page(page, web_exchange, "NVDAUSDC")
    expect(page.locator("#session-name")).to_have_text("REGULAR")
    expect(page.locator("#session-source")).to_have_text("EXTERNAL")
    expect(page.locator("#session-action")).to_have_text(re.compile(r"split 4:1 at 2099-06-10 13:30 UTC"))
    expect(page.locator("#stat-mark")).to_have_text("180.00")
    shots.take(page, "market")

    pick_demo_account(page, web_exchange, 0, shots)
    expect(page.locator("#acct-wallet")).to_have_text("100,000.00")
    shots.take(page, "demo-account-picked")

    # the estimate is there before anything is sent
    fill_order(page, "150.00", "2.000")
    expect(page.locator("#est-notional-buy")).to_have_text("300.00")
    expect(page.locator("#est-cost-buy")).to_have_text(re.compile(r"^\d+\.\d\d USDC$"))
    expect(page.locator("#est-liq-buy")).not_to_have_text("–")
    shots.take(page, "estimate")

    # placed: in open orders and in the book, marked as the trader's own
    page.click("#buy")
    expect(page.locator("#order-message")).to_have_text(re.compile(r"Order \d+ new: BUY 2.000 NVDAUSDC at 150.00"))
    expect(open_order_rows(page)).to_have_count(1)
    show_tab(page, "open-orders")
    expect(open_order_rows(page).first).to_contain_text("150.00")
    expect(book_level(page, "bids", "150.00")).to_contain_text("2.000")
    expect(book_level(page, "bids", "150.00")).to_have_class(re.compile("mine"))
    shots.take(page, "order-resting")

    # amended: a new price and size, in the table and in the book
    page.click("#open-orders button[data-action='edit']")
    page.fill("#open-orders input[name='price']", "151.00")
    page.fill("#open-orders input[name='quantity']", "3.000")
    shots.take(page, "order-amending")
    page.click("#open-orders button[data-action='save']")
    expect(page.locator("#order-message")).to_have_text(re.compile(r"amended: 3.000 at 151.00"))
    expect(open_order_rows(page).first).to_contain_text("151.00")
    expect(open_order_rows(page).first).to_contain_text("3.000")
    expect(book_level(page, "bids", "151.00")).to_contain_text("3.000")
    expect(book_level(page, "bids", "150.00")).to_have_count(0)
    shots.take(page, "order-amended")

    # canceled: gone from both
    page.click("#open-orders button[data-action='cancel']")
    expect(page.locator("#order-message")).to_have_text(re.compile(r"Order \d+ canceled"))
    expect(open_order_rows(page)).to_have_count(0)
    expect(book_level(page, "bids", "151.00")).to_have_count(0)
    shots.take(page, "order-canceled")

    # filled by another client: the fill, the position and the balance change
    expect(page.locator("#acct-available")).to_have_text("100,000.00")  # no order or position holds margin
    available_before = 100_000.0
    fill_order(page, "180.00", "1.000")
    page.click("#buy")
    expect(book_level(page, "bids", "180.00")).to_contain_text("1.000")
    seller = web_exchange.funded_client()
    sold = limit_order(seller, "NVDAUSDC", "SELL", "1.000", "180.00")
    assert sold["status"] == "FILLED"
    expect(page.locator("#toasts")).to_contain_text("Bought 1.000 NVDAUSDC at 180.00 (order filled)")
    expect(open_order_rows(page)).to_have_count(0)
    expect(page.locator("#count-positions")).to_have_text("1")
    show_tab(page, "positions")
    position = page.locator("#positions tbody tr[data-symbol='NVDAUSDC']")
    expect(position).to_contain_text("1.000")
    expect(position.locator("td").nth(2)).to_have_text("180.00")  # entry
    expect(position.locator("td").nth(4)).not_to_have_text("–")  # liquidation price
    expect(page.locator("#acct-available")).not_to_have_text(f"{available_before:,.2f}")
    assert money(page.locator("#acct-available").inner_text()) < available_before  # margin now held
    expect(page.locator("#trades .lvl").first).to_contain_text("180.00")
    shots.take(page, "filled-position")

    show_tab(page, "own-trades")
    expect(page.locator("#own-trades tbody tr").first).to_contain_text("180.00")
    expect(page.locator("#own-trades tbody tr").first).to_contain_text("maker")
    shots.take(page, "own-trades")
    show_tab(page, "order-history")
    expect(page.locator("#order-history tbody tr").first).to_contain_text("FILLED")
    expect(page.locator("#order-history tbody")).to_contain_text("CANCELED")
    shots.take(page, "order-history")
    show_tab(page, "balances")
    expect(page.locator("#balances tbody tr").first).to_contain_text("USDC")
    shots.take(page, "balance")

    # refused: the exchange's reason, in words, and nothing placed
    fill_order(page, "180.005", "1.000")
    page.click("#buy")
    expect(page.locator("#order-message")).to_have_text(
        "Order rejected: Precision is over the maximum defined for this asset (price). (code -1111)"
    )
    expect(page.locator("#order-message")).to_have_class(re.compile("error"))
    expect(open_order_rows(page)).to_have_count(0)
    shots.take(page, "rejected")

    # the position closed at market against a bid another client rests
    limit_order(seller, "NVDAUSDC", "BUY", "1.000", "179.00")
    expect(book_level(page, "bids", "179.00")).to_contain_text("1.000")
    show_tab(page, "positions")
    page.click("#positions button[data-close='NVDAUSDC']")
    expect(page.locator("#count-positions")).to_have_text("0")
    expect(page.locator("#toasts")).to_contain_text("Sold 1.000 NVDAUSDC at 179.00")
    shots.take(page, "position-closed")

    assert console.unexpected((REFUSED,)) == []
    assert sum(bool(re.search(REFUSED, e)) for e in console.errors) == 1  # the one refused order


def test_the_page_keeps_updating_while_another_client_trades(
    page: Page, web_exchange: WebExchange, console: Console, shots: Shots
):
    open_page(page, web_exchange, "AAPLUSDC")
    shots.take(page, "before")
    maker, taker = web_exchange.funded_client(), web_exchange.funded_client()
    try:
        for step, price in enumerate(("230.00", "231.50", "229.25")):
            limit_order(maker, "AAPLUSDC", "SELL", "0.500", price)
            expect(book_level(page, "asks", price)).to_contain_text("0.500")
            limit_order(taker, "AAPLUSDC", "BUY", "0.500", price)
            expect(page.locator("#trades .lvl").first).to_contain_text(price)
            expect(page.locator("#stat-last")).to_have_text(price)
            expect(book_level(page, "asks", price)).to_have_count(0)
            shots.take(page, f"trade-{step + 1}")
        expect(page.locator("#trades .lvl")).to_have_count(3)
        expect(page.locator("#stat-range")).to_have_text("231.50 / 229.25")
        # the market list follows too
        page.click("#market-button")
        expect(page.locator("#market-rows tr[data-symbol='AAPLUSDC'] td").nth(1)).to_have_text("229.25")
        shots.take(page, "market-list")
        page.click("#market-rows tr[data-symbol='NVDAUSDC']")
        expect(page.locator("#market-symbol")).to_have_text("NVDAUSDC")
        expect(page.locator("#stat-mark")).to_have_text("180.00")
    finally:
        leave_no_orders(web_exchange, "AAPLUSDC")
    assert console.unexpected() == []


def test_a_lost_connection_is_shown_and_resumed(page: Page, web_exchange: WebExchange, console: Console, shots: Shots):
    buyer, seller = web_exchange.funded_client(), web_exchange.funded_client()
    open_page(page, web_exchange, "TSLAUSDC")
    pick_demo_account(page, web_exchange, 1)
    expect(page.locator("#acct-wallet")).not_to_have_text("–")
    web_exchange.stop_api()
    try:
        expect(page.locator("#banner")).to_be_visible()
        expect(page.locator("#banner")).to_contain_text("Connection to the exchange lost")
        expect(page.locator("#connection-text")).to_have_text("reconnecting")
        shots.take(page, "connection-lost")
        # the exchange goes on without the api (orders straight into the command stream, as the
        # api would put them): a trade at 400.00 that the page must catch up with
        now_ms = int(time.time() * 1000)
        for client, side in ((seller, Side.SELL), (buyer, Side.BUY)):
            account = web_exchange.account_of(client)
            order = PlaceOrder(f"web-{side}-{now_ms}", now_ms, account, "TSLAUSDC", side, 250, 40_000)
            append_command(web_exchange.client, web_exchange.keys, order)
    finally:
        web_exchange.start_api()
    expect(page.locator("#connection-text")).to_have_text("live", timeout=40_000)
    expect(page.locator("#banner")).to_be_hidden()
    expect(page.locator("#toasts")).to_contain_text("Connection resumed")
    expect(page.locator("#trades .lvl").first).to_contain_text("400.00")
    expect(page.locator("#stat-last")).to_have_text("400.00")
    shots.take(page, "connection-resumed")
    # and the account side answers again
    fill_order(page, "100.00", "0.100")
    page.click("#buy")
    expect(open_order_rows(page)).to_have_count(1)
    show_tab(page, "open-orders")
    page.click("#open-orders button[data-action='cancel']")
    expect(open_order_rows(page)).to_have_count(0)
    assert console.unexpected(OFFLINE) == []


def test_keys_typed_in_by_hand_and_refused_ones(page: Page, web_exchange: WebExchange, console: Console, shots: Shots):
    open_page(page, web_exchange, "MSTRUSDC")
    demo = web_exchange.demo[0]
    enter_keys(page, demo.key, "not-the-secret")
    expect(page.locator("#keys-message")).to_have_text(
        "These keys were refused: Signature for this request is not valid. (code -1022)"
    )
    shots.take(page, "keys-refused")
    page.fill("#secret-input", demo.secret)
    page.click("#use-keys")
    expect(page.locator("#entry-account")).to_have_text(f"key {demo.key[:8]}…")
    expect(page.locator("#acct-wallet")).not_to_have_text("–")
    # kept for this tab only: a reload signs in again without asking
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    expect(page.locator("#entry-account")).to_have_text(f"key {demo.key[:8]}…")
    shots.take(page, "keys-kept-in-session")
    page.click("#keys-button")
    page.click("#forget-keys")
    expect(page.locator("#entry-account")).to_have_text("no keys")
    assert page.evaluate("sessionStorage.getItem('perpx.keys')") is None
    assert console.unexpected((REFUSED, r"status of 401")) == []


def test_leverage_margin_mode_and_the_estimate_against_the_exchange(
    page: Page, web_exchange: WebExchange, console: Console, shots: Shots
):
    """Isolated at 4x (MSTR allows 5x at most), set from the page; the page's estimate of the cost
    and the liquidation price before sending, against what the exchange then says of the position."""
    trader = web_exchange.funded_client("5000")
    open_page(page, web_exchange, "MSTRUSDC")
    enter_keys(page, trader.key, trader.secret)
    expect(page.locator("#acct-wallet")).to_have_text("5,000.00")
    before = trader.ok("GET", "/fapi/v2/positionRisk", {"symbol": "MSTRUSDC"})[0]
    expect(page.locator("#leverage")).to_have_value(before["leverage"])  # the form shows the exchange's setting
    page.select_option("#margin-mode", "ISOLATED")
    page.fill("#leverage", "4")
    page.click("#apply-settings")
    expect(page.locator("#order-message")).to_have_text("MSTRUSDC: isolated margin, 4x leverage")
    settings = trader.ok("GET", "/fapi/v2/positionRisk", {"symbol": "MSTRUSDC"})[0]
    assert (settings["marginType"], settings["leverage"]) == ("isolated", "4")

    # a refused setting says why, and the form shows the exchange's setting again
    page.fill("#leverage", "10")
    page.click("#apply-settings")
    expect(page.locator("#order-message")).to_have_text(re.compile(r"^Settings refused: .+ \(code -\d+\)$"))
    expect(page.locator("#leverage")).to_have_value("4")

    fill_order(page, "150.00", "2.000")
    expect(page.locator("#est-cost-buy")).to_have_text(re.compile(r"USDC$"))
    cost = money(page.locator("#est-cost-buy").inner_text().removesuffix(" USDC"))
    liquidation = money(page.locator("#est-liq-buy").inner_text())
    shots.take(page, "isolated-estimate")
    page.click("#buy")
    expect(open_order_rows(page)).to_have_count(1)
    other = web_exchange.funded_client()
    limit_order(other, "MSTRUSDC", "SELL", "2.000", "150.00", "IOC")
    expect(page.locator("#count-positions")).to_have_text("1")
    position = trader.ok("GET", "/fapi/v3/positionRisk", {"symbol": "MSTRUSDC"})[0]
    exchange_liquidation = float(position["liquidationPrice"])
    assert exchange_liquidation > 0
    assert abs(liquidation - exchange_liquidation) / exchange_liquidation < 0.01, (liquidation, position)
    assert abs(cost - float(position["isolatedWallet"])) / cost < 0.05, (cost, position)
    show_tab(page, "positions")
    row = page.locator("#positions tbody tr[data-symbol='MSTRUSDC']")
    expect(row).to_contain_text("isolated")
    expect(row.locator("td").nth(4)).to_have_text(f"{exchange_liquidation:,.2f}")
    shots.take(page, "isolated-position")
    page.click("#positions button[data-close='MSTRUSDC']")  # no bid to sell to: it expires, and says so
    expect(page.locator("#order-message")).to_have_text(re.compile(r"^Closing MSTRUSDC: order \d+ expired$"))
    expect(page.locator("#count-positions")).to_have_text("1")
    shots.take(page, "close-expired")
    assert console.unexpected((REFUSED,)) == []


def test_an_expired_listen_key_is_replaced(page: Page, web_exchange: WebExchange, console: Console, shots: Shots):
    """The user data stream's key is deleted under the page (as a lapsed one is): the exchange says
    listenKeyExpired, the page takes a new key, and fills still reach it."""
    trader = web_exchange.funded_client("2000")
    open_page(page, web_exchange, "AAPLUSDC")
    enter_keys(page, trader.key, trader.secret)
    expect(page.locator("#acct-wallet")).to_have_text("2,000.00")
    fill_order(page, "225.00", "0.100")
    page.click("#buy")
    expect(open_order_rows(page)).to_have_count(1)
    deleted = trader.http.delete("/fapi/v1/listenKey", headers={"X-MBX-APIKEY": trader.key})
    assert deleted.status_code == 200, deleted.text
    expect(page.locator("#toasts")).to_contain_text("User data stream renewed")
    seller = web_exchange.funded_client()
    limit_order(seller, "AAPLUSDC", "SELL", "0.100", "225.00", "IOC")
    expect(page.locator("#toasts")).to_contain_text("Bought 0.100 AAPLUSDC at 225.00 (order filled)")
    expect(open_order_rows(page)).to_have_count(0)
    expect(page.locator("#count-positions")).to_have_text("1")
    shots.take(page, "filled-after-new-listen-key")
    assert console.unexpected() == []
