"""What the oracle knows beyond the PriceUpdate command, for other processes: per market the
confidence, the sources used and dropped, whether it is stale or halted, written after each step
to one Redis hash (msgpack per market), so the api can show how a price was made; and the corporate
actions still to come (they live only in the oracle until due), so the api can announce them.
"""

import msgspec
import redis.asyncio as aioredis

from messages.enums import MarketSession, PriceSource
from oracle.corporate_actions import CorporateAction
from oracle.service import OracleService
from streams.keys import ShardKeys


class OracleStatus(msgspec.Struct, frozen=True):
    market: str
    ts_ms: int  # the step that wrote it
    session: MarketSession
    index_source: PriceSource
    stale: bool  # no external price with quorum
    halted: bool
    index_price_ticks: int  # as last published
    mark_price_ticks: int
    external_price: float | None  # the aggregate in USD before rounding; None without quorum
    conf: float  # +/- USD
    sources_used: tuple[str, ...]
    dropped: tuple[tuple[str, str], ...]  # (source, why)


_decoder = msgspec.msgpack.Decoder(OracleStatus)
_actions_decoder = msgspec.msgpack.Decoder(list[CorporateAction])


def status_key(keys: ShardKeys) -> str:
    return f"{keys.prefix}:oracle:status"


def pending_actions_key(keys: ShardKeys) -> str:
    return f"{keys.prefix}:oracle:pending_actions"


def statuses(service: OracleService, now_ms: int) -> list[OracleStatus]:
    out = []
    for symbol, market in service.markets.items():
        view = market.view
        result = view.aggregate
        out.append(
            OracleStatus(
                market=symbol,
                ts_ms=now_ms,
                session=view.session,
                index_source=view.source,
                stale=view.stale,
                halted=market.spec.underlying in service.halted,
                index_price_ticks=view.published_index_ticks,
                mark_price_ticks=view.published_mark_ticks,
                external_price=None if result is None else result.price,
                conf=0.0 if result is None else result.conf,
                sources_used=() if result is None else result.sources_used,
                dropped=() if result is None else result.dropped,
            )
        )
    return out


async def write_status(client: aioredis.Redis, keys: ShardKeys, service: OracleService, now_ms: int) -> None:
    mapping = {s.market: msgspec.msgpack.encode(s) for s in statuses(service, now_ms)}
    if mapping:
        await client.hset(status_key(keys), mapping=mapping)  # type: ignore[arg-type]
    await write_pending_actions(client, keys, service.corporate_actions.pending())


async def write_pending_actions(client: aioredis.Redis, keys: ShardKeys, pending: list[CorporateAction]) -> None:
    """The whole calendar still to come, oldest first (one small list: rewritten each step)."""
    await client.set(pending_actions_key(keys), encode_pending_actions(pending))


def encode_pending_actions(pending: list[CorporateAction]) -> bytes:
    return msgspec.msgpack.encode(pending)


def decode_pending_actions(raw: bytes | None) -> list[CorporateAction]:
    return [] if raw is None else _actions_decoder.decode(raw)


def decode_status(raw: bytes) -> OracleStatus:
    return _decoder.decode(raw)
