"""The oracle's `/readyz`: steps keep coming, and each market's price is what its session calls for.

A market whose underlying trades now (an external session: pre-market, regular, post-market,
overnight by default) must have an external price with quorum, or the oracle is not ready. Off-hours
(closed, or any session the settings do not expect external prices in) the index follows the book:
stale external prices are then expected, and each such market says so with its session rather than
being counted as either a failure or a bare "ok".
"""

from ops.health import Finding, age_finding
from oracle.service import OracleService


def oracle_findings(service: OracleService, now_ms: int) -> list[Finding]:
    params = service.params
    age_s = None if service.last_step_ms is None else (now_ms - service.last_step_ms) / 1000
    findings = [age_finding("steps", age_s, (4 * params.poll_ms + params.fetch_timeout_ms) / 1000, "step")]
    if service.last_step_ms is None:
        return findings
    for symbol, market in sorted(list(service.markets.items())):
        view = market.view
        session = view.session.value
        if market.spec.underlying in service.halted:
            findings.append(Finding(symbol, True, f"halted by an operator: {session}, index from the book"))
        elif not view.stale:
            used = ", ".join(view.aggregate.sources_used) if view.aggregate is not None else ""
            findings.append(Finding(symbol, True, f"{session} session: external price from {used}"))
        elif view.session in params.external_sessions:
            findings.append(Finding(symbol, False, f"{session} session: no external price with quorum"))
        else:
            findings.append(
                Finding(symbol, True, f"{session} session: stale as expected off-hours, index from the book")
            )
    return findings
