"""Which history file `perpx api` reads: PERPX_HISTORY_DB, else the indexer's file under a data
directory given explicitly (--data-dir, or PERPX_DATA_DIR as `perpx up` sets it), else none."""

from pathlib import Path

from perpx.api_main import HISTORY_ENV, history_db_setting
from views.history.sql import history_path


def test_the_explicit_setting_wins(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(HISTORY_ENV, str(tmp_path / "elsewhere.sqlite3"))
    assert history_db_setting(tmp_path, "main") == str(tmp_path / "elsewhere.sqlite3")
    monkeypatch.setenv(HISTORY_ENV, "")
    assert history_db_setting(tmp_path, "main") == ""  # "": the live views only, even with a data dir


def test_a_data_dir_given_means_its_history(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv(HISTORY_ENV, raising=False)
    monkeypatch.delenv("PERPX_DATA_DIR", raising=False)
    assert history_db_setting(tmp_path, "main") == str(history_path(tmp_path, "main").resolve())
    assert history_db_setting(tmp_path, "s2") == str(history_path(tmp_path, "s2").resolve())
    assert history_db_setting(None, "main") == ""  # no directory named: never an unrelated default one's
