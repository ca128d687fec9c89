"""Depth diffs with Binance's sync rules: a client that takes a depth snapshot at any point and then
applies the diffs (u > lastUpdateId, the first with U <= lastUpdateId + 1 <= u, each next with pu =
the previous u) holds the view's book, level by level, after every batch."""

import random

from matching.engine import Engine, EngineConfig
from tests.matching.random_commands import SPECS, CommandGenerator
from views.depth_diffs import take_depth_diffs
from views.exchange import ExchangeView


class DepthClient:
    """What a Binance client does with a REST snapshot and the diff stream of one market."""

    def __init__(self, last_update_id: int, bids: list, asks: list) -> None:
        self.last_update_id = last_update_id
        self.levels = {True: {p: q for p, q, _ in bids}, False: {p: q for p, q, _ in asks}}
        self.previous_u: int | None = None

    def apply(self, first: int, last: int, previous: int, bids: list, asks: list) -> None:
        if last <= self.last_update_id:
            return  # older than the snapshot: dropped
        if self.previous_u is None:
            assert first <= self.last_update_id + 1 <= last, "the first diff must straddle the snapshot"
        else:
            assert previous == self.previous_u, "a diff was lost"
        self.previous_u = last
        for is_buy, changes in ((True, bids), (False, asks)):
            for price, lots in changes:
                if lots:
                    self.levels[is_buy][price] = lots
                else:
                    self.levels[is_buy].pop(price, None)


def test_a_client_following_the_diffs_holds_the_book() -> None:
    rng = random.Random(5)
    engine = Engine(SPECS, config=EngineConfig(command_window=50, client_id_window=8))
    view = ExchangeView(track_depth_diffs=True)
    view.seed(engine, 0)
    generator = CommandGenerator(3)
    clients: dict[str, DepthClient] = {}
    for i in range(3_000):
        for _ in range(rng.randint(1, 4)):  # a batch of commands, then its diffs
            for event in engine.apply(generator.next(engine)):
                view.apply(event)
        diffs = take_depth_diffs(view.books)
        for diff in diffs:
            assert diff.first_update_id <= diff.last_update_id
            assert diff.previous_update_id < diff.first_update_id
            client = clients.get(diff.market)
            if client is not None:
                client.apply(diff.first_update_id, diff.last_update_id, diff.previous_update_id, diff.bids, diff.asks)
        if i % 500 == 100:  # clients join with a snapshot taken now, the diffs before it already out
            for symbol in view.books.books:
                depth = view.books.depth(symbol)
                clients[symbol] = DepthClient(depth.last_update_id, depth.bids, depth.asks)
        for symbol, client in clients.items():
            depth = view.books.depth(symbol)
            assert sorted(client.levels[True].items(), reverse=True) == [(p, q) for p, q, _ in depth.bids]
            assert sorted(client.levels[False].items()) == [(p, q) for p, q, _ in depth.asks]
    assert clients
