"""The oracle's settings file (TOML), turned into OracleParams and source adapters.

Without a file the oracle runs the seeded simulator for every listed market. Example:

    cadence_ms = 1000
    large_move_bps = 50
    corporate_actions = "corporate_actions.toml"   # see corporate_actions.py
    [aggregation]
    max_age_ms = 10000
    min_sources = 2
    [weights]
    pyth = 2.0

    [[source]]
    kind = "pyth"                                  # pyth | http_json | csv | simulator
    base_url = "https://hermes.pyth.network"
    feeds = { NVDA = "0xb1073854ed24cbc755dc527418f52b7d271f6cc967bbf8d8129112b18860a593" }

    [[source]]
    kind = "http_json"
    name = "vendor"
    url = "https://example.invalid/quote/{underlying}"
    price_path = "data.last"
    time_path = "data.ts"
    time_unit_ms = 1000
    interval_ms = 5000                             # any source: asked at most this often
"""

import tomllib
from pathlib import Path
from typing import Any

import msgspec

from messages.enums import MarketSession
from oracle.service import OracleParams
from oracle.sessions import UsEquityCalendar
from oracle.sources.base import PriceFeed
from oracle.sources.csv_replay import CsvReplaySource
from oracle.sources.http_json import HttpJsonSource
from oracle.sources.pyth_hermes import PythHermesSource
from oracle.sources.simulator import SimulatedSource
from oracle.sources.throttle import ThrottledSource


class OracleConfigError(ValueError):
    """A settings file the oracle cannot run with; raised at start-up, never mid-run."""


class OracleConfig(msgspec.Struct, frozen=True):
    params: OracleParams
    sources: list[dict[str, Any]]
    corporate_actions: Path | None = None


DEFAULT_SOURCES: list[dict[str, Any]] = [{"kind": "simulator", "seed": 42}]


def load_config(path: Path | None) -> OracleConfig:
    if path is None:
        return OracleConfig(OracleParams(), DEFAULT_SOURCES)
    try:
        data = tomllib.loads(path.read_text())
        sources = data.pop("source", DEFAULT_SOURCES)
        actions = data.pop("corporate_actions", None)
        params = msgspec.convert(data, OracleParams)
    except (OSError, tomllib.TOMLDecodeError, msgspec.ValidationError) as exc:
        raise OracleConfigError(f"{path}: {exc}") from exc
    if any(weight <= 0 for weight in params.weights.values()):
        raise OracleConfigError(f"{path}: source weights must be positive")
    return OracleConfig(params, sources, path.parent / actions if actions else None)


def always_open(params: OracleParams) -> OracleParams:
    """A demo on a weekend: external prices count in every session, the closed one included."""
    return msgspec.structs.replace(params, external_sessions=(*params.external_sessions, MarketSession.CLOSED))


def build_sources(
    entries: list[dict[str, Any]],
    underlyings: list[str],
    start_ms: int,
    calendar: UsEquityCalendar | None,
    base_dir: Path = Path(),
) -> list[PriceFeed]:
    """Adapters from the settings' [[source]] tables; `calendar` None lets the simulator trade 24/7."""
    sources: list[PriceFeed] = []
    for entry in entries:
        options = dict(entry)
        kind = options.pop("kind", "")
        interval_ms = int(options.pop("interval_ms", 0))  # any source: ask it at most this often
        count = len(sources)
        try:
            if kind == "simulator":
                seed = int(options.pop("seed", 42))
                sources.append(SimulatedSource(underlyings, seed, start_ms, calendar, **options))
            elif kind == "pyth":
                sources.append(PythHermesSource(**options))
            elif kind == "http_json":
                url = options.pop("url")
                sources.append(HttpJsonSource(url, options.pop("underlyings", underlyings), **options))
            elif kind == "csv":
                sources.append(CsvReplaySource(base_dir / options.pop("path"), **options))
            else:
                raise OracleConfigError(f"unknown source kind {kind!r}")
        except (TypeError, KeyError, OSError) as exc:
            raise OracleConfigError(f"source {kind!r}: {exc!r}") from exc
        if interval_ms > 0 and len(sources) > count:
            sources[-1] = ThrottledSource(sources[-1], interval_ms)
    names = [source.name for source in sources]
    if len(names) != len(set(names)):
        raise OracleConfigError(f"source names must differ: {names}")
    return sources
