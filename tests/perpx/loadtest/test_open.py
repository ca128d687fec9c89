"""The open scenario on an exchange of its own, whose oracle's clock reaches the next 09:30 ET open
60 s after `perpx up` starts (`--oracle-open-in 60`: room for a slow start on a busy machine),
whatever the day: the load test sees the session turn REGULAR and sends its burst then."""

import re
from pathlib import Path

from tests.perpx.loadtest.conftest import LIMITS, loadtest
from tests.perpx.test_up import perpx_up


def test_a_burst_at_the_open(tmp_path):
    with perpx_up(tmp_path, "--oracle-open-in", "60", PERPX_API_LIMITS=LIMITS) as exchange:
        exchange.wait_for("DEMO keys")
        data_dir = Path(re.search(r"data in (\S+)/redis\)", exchange.text()).group(1))
        result, _ = loadtest(
            exchange,
            data_dir,
            *("--scenario", "open", "--rate", "5", "--duration", "75", "--traders", "2", "--makers", "1"),
            *("--subscribers", "1", "--symbols", "NVDAUSDC", "--quiet"),
        )
    findings = result["scenario_findings"]
    assert findings["open_seen"] and findings["sessions_seen"][-1] == "REGULAR", findings
    phases = result["phases"]
    assert phases["before_open"]["accepted"] > 0 and phases["burst"]["accepted"] > 0, phases
    burst_rate = phases["burst"]["sent"] / 5.0  # the pacer's sends in the 5 s burst, at ten times --rate
    before_rate = phases["before_open"]["sent"] / findings["open_at_s"]
    assert burst_rate > 3 * before_rate, phases
    assert result["events"][0]["what"] == "09:30 ET open" and result["ok"]
