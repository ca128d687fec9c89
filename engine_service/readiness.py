"""The engine's `/readyz`: Redis reachable, recovered, caught up with its command stream, a recent
enough snapshot, and which markets are not trading normally.

Read from the health thread while the service's loop runs: it only reads the service's fields (a
tuple, ints) and asks Redis on a connection of its own.
"""

import time
from typing import cast

from engine_service.service import EngineService
from messages.enums import MarketStatus
from ops.health import Finding, RedisProbe
from streams.replies import Entry
from streams.stream_ids import ZERO, format_id, parse_id

MARKET_STATUS_MEANING = {
    MarketStatus.POST_ONLY: "POST_ONLY: resting orders only (an operator's setting)",
    MarketStatus.REDUCE_ONLY: "REDUCE_ONLY: only orders that shrink a position (an operator's setting)",
    MarketStatus.HALTED: "HALTED: cancels only (an operator's setting)",
}


class EngineReadiness:
    """Not ready while Redis is unreachable, before recovery ends, when the oldest command not yet
    applied waited longer than `max_lag_s`, or when commands applied since the newest snapshot
    have gone unsnapshotted for longer than `max_snapshot_age_s` (a restart would replay them all).
    Markets an operator halted or restricted are named; they do not make the engine unready."""

    def __init__(self, service: EngineService, max_lag_s: float = 5.0, max_snapshot_age_s: float | None = None) -> None:
        self.service = service
        self.probe = RedisProbe(service.url)
        self.max_lag_s = max_lag_s
        self.max_snapshot_age_s = max_snapshot_age_s or 2 * service.settings.snapshot_interval_s + 60
        self.started_s = time.time()

    def __call__(self) -> list[Finding]:
        reachable = self.probe.finding()
        findings = [reachable]
        service = self.service
        if not service.recovered:
            return [*findings, Finding("recovery", False, "loading the snapshot and replaying the stream")]
        findings.append(Finding("recovery", True, "done"))
        if reachable.ok:
            findings += [self.lag(), self.snapshot()]
        findings += [
            Finding(symbol, True, MARKET_STATUS_MEANING[market.status])
            for symbol, market in sorted(list(service.engine.markets.items()))
            if market.status is not MarketStatus.ACTIVE
        ]
        return findings

    def lag(self) -> Finding:
        position = self.service.position
        waiting = cast(
            list[Entry], self.probe.client.xrange(self.service.keys.commands, f"({format_id(position)}", "+", count=1)
        )
        if not waiting:
            return Finding("lag", True, f"caught up (last command entry applied {format_id(position)})")
        lag_s = max(0.0, time.time() - parse_id(waiting[0][0])[0] / 1000)
        return Finding(
            "lag", lag_s <= self.max_lag_s, f"oldest command waiting {lag_s:.1f} s (limit {self.max_lag_s:g} s)"
        )

    def snapshot(self) -> Finding:
        position = self.service.position
        raw = cast(list[bytes | None], self.probe.client.hmget(self.service.keys.snapshot, ["covers", "taken_ms"]))
        covers = ZERO if raw[0] is None else parse_id(raw[0])
        taken_s = self.started_s if raw[1] is None else int(raw[1]) / 1000
        age_s = max(0.0, time.time() - taken_s)
        taken = "none yet" if raw[1] is None else f"taken {age_s:.0f} s ago"
        if covers >= position:
            return Finding("snapshot", True, f"covers every command applied ({taken})")
        return Finding(
            "snapshot",
            age_s <= self.max_snapshot_age_s,
            f"commands applied since the newest snapshot ({taken}; limit {self.max_snapshot_age_s:g} s)",
        )

    def close(self) -> None:
        self.probe.close()
