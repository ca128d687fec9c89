"""After a kill: nothing acknowledged is lost, no fill is counted twice, money sums to zero.

Read from the exchange's own records on this machine (the --data-dir of the running perpx up):
- the history database, once the indexer has caught up with the event stream: every order the
  traders' acks named is there, under its account; an IOC order's fills add up to what its ack said
  (so a fill replayed twice after the restart would show), and for every order of the load test's
  accounts the fills recorded add up to the order's filled size;
- an independent replay of the command log (the engine service's own recovery, in this process,
  from the newest snapshot to the last event written): it must reach the event stream's last seq
  (the events were not written twice or skipped) and its ledger must sum to zero.
"""

import time
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import cast

from perpx.loadtest.traders import AckedOrder

CATCH_UP_S = 60.0


def verify_history_and_money(
    data_dir: Path, acked: list[AckedOrder], accounts: Iterable[int], steps: dict[str, Decimal]
) -> dict[str, object]:
    from perpx.exchange import exchange_redis
    from streams.connection import connect
    from streams.keys import ShardKeys
    from streams.stream_ids import parse_id

    with exchange_redis(data_dir) as (url, running):
        if not running:
            return {"verified": False, "why": f"no running perpx up for {data_dir}"}
        client = connect(url)
        try:
            written = cast(list[tuple[bytes, dict[bytes, bytes]]], client.xrevrange(ShardKeys().events, count=1))
        finally:
            client.close()
        last_seq = parse_id(written[0][0])[0] if written else 0
        history = check_history(data_dir, acked, sorted(set(accounts)), last_seq, steps)
        money = replay_and_sum(url)
    ok = history.get("ok") is True and money.get("ok") is True
    return {"verified": ok, "history": history, "money": money}


def agrees(acked: AckedOrder, filled_lots: int, steps: dict[str, Decimal]) -> bool:
    """What the history says filled against the ack: the same for an IOC order (it is over when
    answered), at least as much for one that rested (it may have filled since)."""
    filled = filled_lots * steps[acked.symbol]
    return filled == acked.executed_qty if acked.final else filled >= acked.executed_qty


def check_history(
    data_dir: Path, acked: list[AckedOrder], accounts: list[int], last_seq: int, steps: dict[str, Decimal]
) -> dict[str, object]:
    from views.history.queries import indexed_seq
    from views.history.sql import history_path, open_sqlite_reader

    path = history_path(data_dir)
    deadline = time.monotonic() + CATCH_UP_S
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    connection = open_sqlite_reader(path)
    try:
        while (seq := indexed_seq(connection)) < last_seq and time.monotonic() < deadline:
            time.sleep(0.2)
        if seq < last_seq:
            return {"ok": False, "why": f"the indexer is at seq {seq}, the events at {last_seq}"}
        marks = ",".join("?" * len(accounts))
        orders = {
            int(order_id): (int(account), int(filled_lots), str(market))
            for order_id, account, filled_lots, market in connection.execute(
                f"SELECT order_id, account_id, filled_lots, market FROM orders WHERE account_id IN ({marks})", accounts
            )
        }
        missing = [a.order_id for a in acked if orders.get(a.order_id, (None,))[0] != a.account]
        fills_by_order = {
            int(order_id): int(total)
            for order_id, total in connection.execute(
                f"SELECT order_id, SUM(size_lots) FROM fills WHERE account_id IN ({marks}) GROUP BY order_id",
                accounts,
            )
        }
        fills_off = [
            order_id for order_id, (_, filled, _) in orders.items() if fills_by_order.get(order_id, 0) != filled
        ]
        unlike_ack = [a.order_id for a in acked if a.order_id in orders and not agrees(a, orders[a.order_id][1], steps)]
    finally:
        connection.close()
    return {
        "ok": not missing and not fills_off and not unlike_ack,
        "acked_orders": len(acked),
        "acked_missing_from_history": len(missing),
        "orders_of_our_accounts": len(orders),
        "orders_whose_fills_do_not_add_up": len(fills_off),
        "fills_unlike_their_ack": len(unlike_ack),
        "examples": {"missing": missing[:5], "fills_off": fills_off[:5], "unlike_ack": unlike_ack[:5]},
    }


def replay_and_sum(url: str) -> dict[str, object]:
    from engine_service.kinds import load_margin_engine, new_margin_engine
    from engine_service.service import EngineService, EngineSettings, RecoveryError
    from margin.engine import MarginEngine

    service = EngineService(
        url, settings=EngineSettings(trim_commands=False), make_engine=new_margin_engine, load_engine=load_margin_engine
    )
    try:
        started = time.perf_counter()
        try:
            service.recover()
        except RecoveryError as error:
            return {"ok": False, "why": str(error)}
        engine = service.engine
        assert isinstance(engine, MarginEngine)
        total = engine.margin.ledger.total_micro()
        return {
            "ok": total == 0,
            "replayed_to_seq": engine.next_seq - 1,
            "ledger_total_micro": total,
            "replay_s": round(time.perf_counter() - started, 3),
        }
    finally:
        service.close()
