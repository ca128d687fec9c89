"""`perpx demo` (`perpx up --demo`): within seconds every market has a two-sided book, trades and
candles, and marks that move off the index (the premium funding samples); Ctrl-C cancels the bots'
orders before the exchange stops; and without --demo nothing trades."""

import json
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

from perpx.cli import build_parser
from tests.perpx.test_up import Up, perpx_up


def get(up: Up, path: str):
    with urllib.request.urlopen(f"http://127.0.0.1:{up.api_port}{path}", timeout=10) as answer:
        return json.loads(answer.read())


def symbols(up: Up) -> list[str]:
    return sorted(s["symbol"] for s in get(up, "/fapi/v1/exchangeInfo")["symbols"])


def until(up: Up, check, timeout_s: float):
    deadline = time.monotonic() + timeout_s
    while not (result := check()):
        assert up.process.poll() is None and time.monotonic() < deadline, up.text()[-5000:]
        time.sleep(0.5)
    return result


def trade_ids(up: Up, symbol: str) -> list[int]:
    return [t["id"] for t in get(up, f"/fapi/v1/trades?symbol={symbol}&limit=1000")]


def test_demo_options():
    assert build_parser().parse_args(["demo"]).demo is True
    assert build_parser().parse_args(["up", "--demo"]).demo is True
    assert build_parser().parse_args(["up"]).demo is False


def test_up_demo_trades_within_seconds_and_stops_clean(tmp_path: Path):
    with perpx_up(tmp_path, "--demo") as up:
        up.wait_for("perpx.demo: demo bots:")
        started = time.monotonic()
        markets = symbols(up)
        assert len(markets) >= 4

        def every_book_two_sided():
            books = [get(up, f"/fapi/v1/depth?symbol={s}&limit=5") for s in markets]
            return all(b["bids"] and b["asks"] and Decimal(b["bids"][0][0]) < Decimal(b["asks"][0][0]) for b in books)

        until(up, every_book_two_sided, 30)
        until(up, lambda: sum(bool(trade_ids(up, s)) for s in markets) >= len(markets) // 2, 30)
        traded = [s for s in markets if trade_ids(up, s)]
        candles = get(up, f"/fapi/v1/klines?symbol={traded[0]}&interval=1m&limit=5")
        assert candles and Decimal(candles[-1][5]) > 0  # the last minute's volume
        assert time.monotonic() - started < 45, "the demo took too long to move"
        # the books move: a maker requotes, a taker trades
        before = {s: get(up, f"/fapi/v1/depth?symbol={s}&limit=5")["lastUpdateId"] for s in markets}
        until(
            up,
            lambda: all(get(up, f"/fapi/v1/depth?symbol={s}&limit=5")["lastUpdateId"] > before[s] for s in markets),
            20,
        )
        # the makers lean away from the index: the marks move off it, a premium that funding samples
        marks = {r["symbol"]: r["markPrice"] for r in get(up, "/fapi/v1/premiumIndex")}

        def marks_move_off_the_index():
            rows = get(up, "/fapi/v1/premiumIndex")
            moved = sum(r["markPrice"] != marks[r["symbol"]] for r in rows)
            return (
                moved >= len(markets) // 2 and sum(r["markPrice"] != r["indexPrice"] for r in rows) >= len(markets) // 2
            )

        until(up, marks_move_off_the_index, 30)

        # the demo's funding counts the premium from the first sample: each predicted rate moves at once
        # (without the premium it stays the interest times the session's multiplier, for every market alike)
        rates = {r["symbol"]: Decimal(r["lastFundingRate"]) for r in get(up, "/fapi/v1/premiumIndex")}

        def predicted_rates_move():
            rows = get(up, "/fapi/v1/premiumIndex")
            return sum(Decimal(r["lastFundingRate"]) != rates[r["symbol"]] for r in rows) >= len(markets) // 2

        until(up, predicted_rates_move, 30)
        assert up.ctrl_c() == 0, up.text()
    up.reader.join(5)
    text = up.text()
    assert "errors none" in text.split("demo bots stopped:")[1].splitlines()[0], text[-3000:]
    assert text.index("bots stopped (exit 0)") < text.index("api stopped")
    # the same exchange again, without --demo: the bots' orders are gone and nothing trades
    with perpx_up(tmp_path) as up:
        until(up, lambda: b"DEMO account" in b"".join(up.lines), 75)  # past wait_for_api's 60 s: its warning shows
        last_trades = {s: trade_ids(up, s) for s in markets}
        books = [get(up, f"/fapi/v1/depth?symbol={s}&limit=5") for s in markets]
        assert all(b["bids"] == [] and b["asks"] == [] for b in books)
        time.sleep(3)
        assert {s: trade_ids(up, s) for s in markets} == last_trades
        assert "demo-bots" not in up.text()
        assert up.ctrl_c() == 0, up.text()
