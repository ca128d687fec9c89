"""The full-mode benchmark (margin on) must still reproduce the shared workload's totals."""

from pathlib import Path

import pytest

from perpx.bench.full import bench_full, bench_mark_update
from perpx.bench.workload import load_expected, load_workload

SHARED_BENCH = Path(__file__).resolve().parents[3].parent / "shared" / "bench"
SMALL = SHARED_BENCH / "workload_n20000_seed42.csv"


@pytest.mark.skipif(not SMALL.exists(), reason="shared/bench is not beside this checkout")
def test_full_mode_totals_match_expected_over_many_accounts():
    result = bench_full(load_workload(SMALL), load_expected(SMALL), accounts=1000)
    assert result.mismatches == []
    assert result.traded_qty == 41622


@pytest.mark.skipif(not SMALL.exists(), reason="shared/bench is not beside this checkout")
@pytest.mark.parametrize("window", [0, 500])
def test_the_command_window_changes_the_cost_not_the_outcome(window: int):
    result = bench_full(load_workload(SMALL), load_expected(SMALL), accounts=1000, command_window=window)
    assert result.mismatches == []


def test_mark_update_figure_runs_on_a_small_market():
    figure = bench_mark_update(200, updates=20)
    assert figure["positions"] == 200
    assert figure["below_maintenance"] == 0
    assert figure["numpy_pass_accounts"] == 100  # the pass at price 1 finds every long
