"""The Redis bench drains the shared workload through the service and reproduces its totals."""

from pathlib import Path

import pytest

from perpx.bench.redis_runner import RECOVERY_COMMANDS, bench_redis
from perpx.bench.runner import CHECKED_TOTALS
from perpx.bench.workload import load_expected, load_workload

SMALL = Path(__file__).resolve().parents[3].parent / "shared" / "bench" / "workload_n20000_seed42.csv"


@pytest.mark.skipif(not SMALL.exists(), reason="shared/bench is not beside this checkout")
def test_shared_workload_through_redis(redis_server):
    expected = load_expected(SMALL)
    summary = bench_redis(load_workload(SMALL), expected, redis_server.url, batch_size=700)
    assert summary["mismatches"] == [] and summary["valid"]
    assert {key: summary[key] for key in CHECKED_TOTALS} == {key: expected[key] for key in CHECKED_TOTALS}
    assert summary["commands"] == 20_000 - RECOVERY_COMMANDS
    assert summary["recovery_s"] > 0 and summary["commands_per_s"] > 0


def test_too_short_a_workload_is_refused():
    with pytest.raises(ValueError, match="more than"):
        bench_redis([], None)
