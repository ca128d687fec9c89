"""The api joined to the indexer's SQL history, through real HTTP: an engine that snapshots often,
the indexer run in-process into a tmp SQLite file, and api processes started after the fills (so
that their live views begin at a snapshot past them). What an api saw live before a restart is
answered the same after it, once, and next to what happened since; without the history it is gone."""

import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from api.key_store import create_key
from api.keys import ApiKey, permissions_for
from messages.commands import FundingSettle, PriceUpdate
from streams.client import append_command
from streams.keys import ShardKeys
from streams.snapshots import SnapshotStore
from streams.stream_ids import parse_id
from tests.api.binance_client import SignedClient
from tests.api.conftest import MARKS, SERVER_KEY, start_api, stop
from tests.api.test_reads import SYMBOL, fill
from tests.engine_service.engine_process import EngineProcess
from views.history.indexer import Indexer, IndexerSettings
from views.history.sql import open_sqlite
from views.history.store import HistoryStore

HOUR_MS = 3_600_000


def index_everything(client: redis.Redis, keys: ShardKeys, path: Path) -> None:
    store = HistoryStore(open_sqlite(path))
    indexer = Indexer(client, keys, store, IndexerSettings(trim_every_s=0))
    while indexer.step() or not indexer.caught_up:
        pass
    store.close()


class Shard:
    """An engine of its own (snapshots every few commands) and the api processes started on it."""

    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url
        self.keys = ShardKeys(f"test{os.getpid()}-history")
        self.client = redis.Redis.from_url(redis_url)
        self.engine = EngineProcess(redis_url, self.keys, snapshot_every=5, batch_size=50, kind="margin")
        self.engine.wait_recovered()
        for symbol, ticks in MARKS.items():
            append_command(
                self.client, self.keys, PriceUpdate(f"mark-{symbol}", int(time.time() * 1000), symbol, ticks, ticks)
            )
        self.admin_key = create_key(self.client, SERVER_KEY, 0, permissions_for(admin=True))
        self.api: tuple = (None, "")
        self.clients: list[SignedClient] = []  # closed with the shard
        self.start_api("")

    def start_api(self, history_db: str) -> str:
        if self.api[0] is not None:
            stop(self.api[0])
        self.api = start_api(self.redis_url, self.keys, history_db=history_db)
        return self.api[1]

    def funded_key(self) -> ApiKey:
        api_key = create_key(self.client, SERVER_KEY, None, permissions_for(False))
        admin = self.admin()
        admin.ok("POST", "/perpx/v1/admin/deposit", {"account": api_key.account_id, "amount": "100000"})
        admin.close()
        return api_key

    def signed(self, api_key: ApiKey) -> SignedClient:
        """A client of the api running now (each start listens on another port)."""
        client = SignedClient(self.api[1], api_key.key, api_key.secret)
        self.clients.append(client)
        return client

    def admin(self) -> SignedClient:
        return SignedClient(self.api[1], self.admin_key.key, self.admin_key.secret)

    def snapshot_past_now(self, timeout_s: float = 30) -> None:
        """More commands until the engine's newest snapshot covers every event written so far."""
        last = self.client.xrevrange(self.keys.events, count=1)
        last_seq = parse_id(last[0][0].decode())[0]
        store, admin = SnapshotStore(self.client, self.keys), self.admin()
        deadline = time.monotonic() + timeout_s
        while (snapshot := store.load()) is None or snapshot.next_seq - 1 < last_seq:
            assert time.monotonic() < deadline, "no snapshot past the fills"
            admin.ok("POST", "/perpx/v1/admin/deposit", {"account": 999_999, "amount": "1"})
            time.sleep(0.05)
        admin.close()

    def settle_funding(self, number: int) -> None:
        """SYMBOL's `number`th funding settlement (of the hour `3 - number` hours ago, at `number`
        ppm), and wait until the api shows it."""
        now_ms = int(time.time() * 1000)
        funding_time_ms = (now_ms // HOUR_MS - 3 + number) * HOUR_MS
        command = FundingSettle(f"fund-{number}", now_ms, SYMBOL, funding_time_ms, 1000 * number)
        append_command(self.client, self.keys, command)
        deadline = time.monotonic() + 10
        while not any(r["fundingTime"] == funding_time_ms for r in self.rates({})):
            assert time.monotonic() < deadline, "the funding was not settled"
            time.sleep(0.05)

    def rates(self, params: dict[str, object]) -> list[dict[str, object]]:
        """GET /fapi/v1/fundingRate (public: no signature)."""
        answer = httpx.get(self.api[1] + "/fapi/v1/fundingRate", params=params, timeout=10)  # type: ignore[arg-type]
        assert answer.status_code == 200, answer.text
        rows: list[dict[str, object]] = answer.json()
        return rows

    def close(self) -> None:
        for client in self.clients:
            client.close()
        if self.api[0] is not None:
            stop(self.api[0])
        self.engine.stop()
        self.client.close()


@pytest.fixture
def shard(redis_server) -> Iterator[Shard]:
    shard = Shard(redis_server.url)
    try:
        yield shard
    finally:
        shard.close()


def private_reads(client: SignedClient, order_id: int) -> dict[str, object]:
    """Everything the history answers for one account, as its wire shows it."""
    return {
        "userTrades": client.ok("GET", "/fapi/v1/userTrades", {"symbol": SYMBOL}),
        "allOrders": client.ok("GET", "/fapi/v1/allOrders", {"symbol": SYMBOL}),
        "order": client.ok("GET", "/fapi/v1/order", {"symbol": SYMBOL, "orderId": order_id}),
        "income": client.ok("GET", "/fapi/v1/income", {"limit": 1000}),
    }


def test_fills_before_a_restart_come_from_the_history(shard: Shard, tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite3"
    maker_key, taker_key = shard.funded_key(), shard.funded_key()
    maker, taker = shard.signed(maker_key), shard.signed(taker_key)
    sold, bought = fill(maker, taker, "0.100", "229.00")
    common = {"symbol": SYMBOL, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.100"}
    canceled = maker.ok("POST", "/fapi/v1/order", {**common, "price": "200.00"})
    maker.ok("DELETE", "/fapi/v1/order", {"symbol": SYMBOL, "orderId": canceled["orderId"]})
    shard.settle_funding(1)
    seen = {"maker": private_reads(maker, sold["orderId"]), "taker": private_reads(taker, bought["orderId"])}
    rates = shard.rates({"symbol": SYMBOL})
    assert [r["fundingRate"] for r in rates] == ["0.000001000"]  # type: ignore[index]
    assert len(seen["maker"]["userTrades"]) == 1 and len(seen["maker"]["allOrders"]) == 2  # type: ignore[arg-type]
    assert {r["incomeType"] for r in seen["maker"]["income"]} >= {"TRANSFER", "COMMISSION"}  # type: ignore[attr-defined]
    shard.snapshot_past_now()
    index_everything(shard.client, shard.keys, database)

    # without the history, an api started after the fills does not know them (it began at a snapshot)
    shard.start_api("")
    assert shard.signed(maker_key).ok("GET", "/fapi/v1/userTrades", {"symbol": SYMBOL}) == []
    assert shard.rates({"symbol": SYMBOL}) == []
    shard.start_api(str(database))
    maker, taker = shard.signed(maker_key), shard.signed(taker_key)
    assert private_reads(maker, sold["orderId"]) == seen["maker"]  # field by field, nothing twice
    assert private_reads(taker, bought["orderId"]) == seen["taker"]
    by_client = maker.ok("GET", "/fapi/v1/order", {"symbol": SYMBOL, "origClientOrderId": canceled["clientOrderId"]})
    assert by_client == seen["maker"]["allOrders"][1]  # type: ignore[index]
    assert by_client["status"] == "CANCELED"
    assert shard.rates({"symbol": SYMBOL}) == rates
    assert shard.rates({}) == rates  # every market: this one settled only

    # a fill after the restart: live only (not indexed yet), answered next to the indexed one
    sold_again, _ = fill(maker, taker, "0.200", "228.00")
    now = private_reads(maker, sold_again["orderId"])
    trades, orders = now["userTrades"], now["allOrders"]
    assert trades[0] == seen["maker"]["userTrades"][0] and len(trades) == 2  # type: ignore[index]
    assert trades[1]["orderId"] == sold_again["orderId"] and trades[1]["qty"] == "0.200"  # type: ignore[index]
    assert [o["orderId"] for o in orders] == [sold["orderId"], canceled["orderId"], sold_again["orderId"]]  # type: ignore[union-attr]
    assert orders[:2] == seen["maker"]["allOrders"]  # type: ignore[index]
    assert now["order"]["status"] == "FILLED"  # type: ignore[index]
    income = now["income"]
    assert [r for r in income if r in seen["maker"]["income"]] == seen["maker"]["income"]  # type: ignore[union-attr,operator]
    assert len({r["tranId"] for r in income}) == len(income)  # type: ignore[union-attr,arg-type]
    # Binance's picks over both: the newest row, from an id up, a window
    newest = maker.ok("GET", "/fapi/v1/userTrades", {"symbol": SYMBOL, "limit": 1})
    assert newest == trades[1:]  # type: ignore[index]
    first = maker.ok("GET", "/fapi/v1/userTrades", {"symbol": SYMBOL, "fromId": trades[0]["id"], "limit": 1})  # type: ignore[index]
    assert first == trades[:1]  # type: ignore[index]
    assert maker.ok("GET", "/fapi/v1/allOrders", {"symbol": SYMBOL, "limit": 2}) == orders[1:]  # type: ignore[index]
    assert maker.ok("GET", "/fapi/v1/income", {"limit": 2}) == income[-2:]  # type: ignore[index]

    shard.settle_funding(2)  # and a funding settled since the restart
    both_rates = shard.rates({"symbol": SYMBOL})
    assert both_rates[:1] == rates and [r["fundingRate"] for r in both_rates[1:]] == ["0.000002000"]  # type: ignore[index]
    assert shard.rates({"symbol": SYMBOL, "limit": 1}) == both_rates[1:]  # type: ignore[index]
    now = private_reads(maker, sold_again["orderId"])

    # once the indexer has the new fill too, the answers are the same (each row once)
    index_everything(shard.client, shard.keys, database)
    assert private_reads(maker, sold_again["orderId"]) == now
    assert shard.rates({"symbol": SYMBOL}) == both_rates

    # every query stays the key's account's own
    stranger = shard.signed(shard.funded_key())
    assert stranger.ok("GET", "/fapi/v1/userTrades", {"symbol": SYMBOL}) == []
    assert stranger.ok("GET", "/fapi/v1/allOrders", {"symbol": SYMBOL}) == []
    assert stranger.request("GET", "/fapi/v1/order", {"symbol": SYMBOL, "orderId": sold["orderId"]}).status_code == 400
    assert {r["incomeType"] for r in stranger.ok("GET", "/fapi/v1/income")} == {"TRANSFER"}  # type: ignore[union-attr]
