"""The benchmark's replay must reproduce the shared workload's expected totals exactly."""

from pathlib import Path

import pytest

from perpx.bench.runner import bench_matching
from perpx.bench.workload import load_expected, load_workload

SHARED_BENCH = Path(__file__).resolve().parents[3].parent / "shared" / "bench"
SMALL = SHARED_BENCH / "workload_n20000_seed42.csv"


@pytest.mark.skipif(not SMALL.exists(), reason="shared/bench is not beside this checkout")
def test_shared_workload_totals_match_expected():
    result = bench_matching(load_workload(SMALL), load_expected(SMALL))
    assert result.mismatches == []
    assert result.traded_qty == 41622
    assert result.final_live == 2128
