"""The settings file: defaults, every source kind, and mistakes refused at start-up."""

from pathlib import Path

import pytest

from messages.enums import MarketSession
from oracle.config import OracleConfigError, always_open, build_sources, load_config
from oracle.service import OracleParams
from oracle.sources.csv_replay import CsvReplaySource
from oracle.sources.http_json import HttpJsonSource
from oracle.sources.pyth_hermes import PythHermesSource
from oracle.sources.simulator import SimulatedSource
from oracle.sources.throttle import ThrottledSource

SETTINGS = """
cadence_ms = 2000
large_move_bps = 25.0
external_sessions = ["REGULAR"]
corporate_actions = "actions.toml"

[aggregation]
max_age_ms = 5000
min_sources = 2

[weights]
pyth = 2.0

[[source]]
kind = "pyth"
base_url = "http://127.0.0.1:1"
feeds = { NVDA = "0xb1073854ed24cbc755dc527418f52b7d271f6cc967bbf8d8129112b18860a593" }

[[source]]
kind = "http_json"
name = "vendor"
url = "http://127.0.0.1:1/q/{underlying}"
price_path = "last"
interval_ms = 5000

[[source]]
kind = "csv"
path = "day.csv"

[[source]]
kind = "simulator"
seed = 9
vol_annual = 0.2
"""


async def test_a_full_settings_file(tmp_path: Path) -> None:
    (tmp_path / "oracle.toml").write_text(SETTINGS)
    (tmp_path / "day.csv").write_text("ts_ms,underlying,price\n1,NVDA,180\n")
    config = load_config(tmp_path / "oracle.toml")
    assert config.params.cadence_ms == 2_000 and config.params.aggregation.min_sources == 2
    assert config.params.external_sessions == (MarketSession.REGULAR,)
    assert config.params.weights == {"pyth": 2.0}
    assert config.corporate_actions == tmp_path / "actions.toml"
    sources = build_sources(config.sources, ["NVDA", "AAPL"], 0, None, tmp_path)
    assert [type(s) for s in sources] == [PythHermesSource, ThrottledSource, CsvReplaySource, SimulatedSource]
    assert isinstance(sources[1], ThrottledSource) and isinstance(sources[1].inner, HttpJsonSource)
    assert [s.name for s in sources] == ["pyth", "vendor", "replay", "sim"]
    for source in sources:
        await source.aclose()


def test_no_file_runs_the_simulator() -> None:
    config = load_config(None)
    assert config.params == OracleParams()
    assert [type(s) for s in build_sources(config.sources, ["NVDA"], 0, None)] == [SimulatedSource]


def test_always_open_counts_external_prices_when_closed() -> None:
    assert MarketSession.CLOSED in always_open(OracleParams()).external_sessions
    assert MarketSession.CLOSED not in OracleParams().external_sessions


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("cadence_ms = 'often'", "a wrong type"),
        ("[weights]\npyth = 0", "a zero weight"),
        ("external_sessions = ['LUNCH']", "an unknown session"),
        ("this is not toml", "not TOML"),
    ],
)
def test_bad_settings_are_refused(tmp_path: Path, text: str, why: str) -> None:
    (tmp_path / "oracle.toml").write_text(text)
    with pytest.raises(OracleConfigError):
        load_config(tmp_path / "oracle.toml")


@pytest.mark.parametrize(
    "entries",
    [
        [{"kind": "carrier pigeon"}],
        [{"kind": "http_json", "price_path": "x"}],  # no url
        [{"kind": "simulator", "volatility": 1}],  # a misspelt option
        [{"kind": "simulator"}, {"kind": "simulator"}],  # two sources with one name
        [{"kind": "csv", "path": "missing.csv"}],
    ],
)
def test_bad_sources_are_refused(tmp_path: Path, entries: list) -> None:
    with pytest.raises(OracleConfigError):
        build_sources(entries, ["NVDA"], 0, None, tmp_path)
