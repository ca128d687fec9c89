"""Engine snapshots: the whole state as canonical msgpack bytes, and the state hash over them.

Canonical means independent of how the state was reached: markets sorted by symbol, orders in
book priority, windows in their eviction order. Indexes that can be derived (open orders per
account, GTD expiry heap, reduce-only sets) are rebuilt on restore rather than stored, so a
restored engine hashes the same and behaves identically from there on.
"""

from __future__ import annotations

import hashlib
import heapq
from typing import TYPE_CHECKING, Any

import msgspec

from matching.market import Market
from matching.order import Order, OrderRow
from messages.enums import MarketStatus
from messages.market_spec import MarketSpec

if TYPE_CHECKING:
    from matching.engine import Engine, EngineConfig
    from matching.risk import Risk

SNAPSHOT_VERSION = 2  # 2: each market's book_update_id


class MarketState(msgspec.Struct, array_like=True):
    spec: MarketSpec
    status: MarketStatus
    last_trade_ticks: int
    mark_price_ticks: int
    index_price_ticks: int
    next_arrival: int
    book_update_id: int
    orders: list[OrderRow]  # bids then asks, each in priority order


class EngineState(msgspec.Struct, array_like=True):
    version: int
    config: Any
    clock_ms: int
    next_seq: int
    next_order_id: int
    next_trade_id: int
    markets: list[MarketState]
    client_ids: list[tuple[int, str, int]]  # (account, client order id, order id), oldest first
    recent_commands: list[tuple[str, int, int]]  # (command id, first seq, event count), oldest first
    risk: Any


_encoder = msgspec.msgpack.Encoder()


def encode_engine(engine: Engine) -> bytes:
    markets = []
    for symbol in sorted(engine.markets):
        market = engine.markets[symbol]
        book = market.book
        orders = [o.to_row() for side in (True, False) for o in book.side_in_priority(side)]
        markets.append(
            MarketState(
                market.spec,
                market.status,
                market.last_trade_ticks,
                market.mark_price_ticks,
                market.index_price_ticks,
                book.next_arrival,
                market.book_update_id,
                orders,
            )
        )
    state = EngineState(
        SNAPSHOT_VERSION,
        engine.config,
        engine.clock_ms,
        engine.next_seq,
        engine.next_order_id,
        engine.next_trade_id,
        markets,
        [(acc, cid, engine.client_ids[(acc, cid)]) for acc, cid in engine.client_id_fifo],
        engine.commands.items(),
        engine.risk.snapshot_state(),
    )
    return _encoder.encode(state)


def decode_engine(cls: type[Engine], data: bytes, risk: Risk | None, book_type: type) -> Engine:
    from matching.engine import EngineConfig

    state = msgspec.msgpack.decode(data, type=EngineState)
    if state.version != SNAPSHOT_VERSION:
        raise ValueError(f"snapshot version {state.version}, this engine reads {SNAPSHOT_VERSION}")
    config: EngineConfig = msgspec.convert(state.config, EngineConfig)
    engine = cls((), risk=risk, config=config, book_type=book_type)
    engine.risk.restore_state(state.risk)
    engine.clock_ms = state.clock_ms
    engine.next_seq = state.next_seq
    engine.next_order_id = state.next_order_id
    engine.next_trade_id = state.next_trade_id
    for ms in state.markets:
        market = Market(ms.spec, ms.status, book_type)
        market.last_trade_ticks = ms.last_trade_ticks
        market.mark_price_ticks = ms.mark_price_ticks
        market.index_price_ticks = ms.index_price_ticks
        market.book_update_id = ms.book_update_id
        engine.markets[market.symbol] = market
        for row in ms.orders:
            order = Order.from_row(row)
            arrival = order.arrival
            market.book.add(order)
            order.arrival = arrival
        market.book.next_arrival = ms.next_arrival
    resting = sorted(
        (order for market in engine.markets.values() for order in market.book.orders.values()),
        key=lambda o: o.order_id,
    )
    for order in resting:
        trader = order.trader = engine.trader(order.account_id)
        trader.add(order)
        if order.expire_at_ms:
            engine.expiries.append((order.expire_at_ms, order.order_id, order.market))
        if order.reduce_only:
            engine.reduce_only.setdefault((order.account_id, order.market), {})[order.order_id] = order
    heapq.heapify(engine.expiries)
    for account_id, client_order_id, order_id in state.client_ids:
        engine.client_ids[(account_id, client_order_id)] = order_id
        engine.client_id_fifo.append((account_id, client_order_id))
    for command_id, first_seq, count in state.recent_commands:
        engine.commands.remember(command_id, first_seq, count)
    return engine


def state_hash(engine: Engine) -> str:
    """sha256 of the canonical snapshot: equal hashes mean equal state."""
    return hashlib.sha256(encode_engine(engine)).hexdigest()
