"""kill: `kill -9` of the engine in the middle of the run, then proof that nothing was lost.

Needs the exchange's --data-dir on this machine: `perpx up` writes each service's pid under it
(<data-dir>/pids/engine.pid) and restarts a service that dies (after 1 s). Halfway through the run
the engine is killed; the traders see errors or delays (their orders wait in the command stream, or
time out at the api), then answers again once the restarted engine has recovered. The phases are
before and after the kill; the findings: the pid killed and the new one, how long no order was
accepted, and the checks of verify.py (every acknowledged order in the history, fills that add up,
a replay of the command log that matches the events and whose money sums to zero).
"""

import asyncio
import os
import signal
from decimal import Decimal
from pathlib import Path

from perpx.loadtest.run import Run
from perpx.loadtest.scenarios.base import Scenario
from perpx.supervisor import get_service_pid
from perpx.up import PID_DIR


def is_engine(pid: int) -> bool:
    """The pid is a running `perpx engine` (a stale pid file must not make us kill something else)."""
    try:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"perpx.cli" in arguments and b"engine" in arguments


class Kill(Scenario):
    name = "kill"

    def __init__(self, run: Run) -> None:
        super().__init__(run)
        self.pid_dir = run.options.data_dir / PID_DIR
        self.killed_pid: int | None = None
        self.killed_at_s: float | None = None
        self.new_pid: int | None = None

    def kill_at_s(self) -> float:
        options = self.run.options
        return options.duration_s / 2 if options.duration_s is not None else 3.0

    async def prepare(self) -> None:
        pid = get_service_pid(self.pid_dir, "engine")
        if pid is None or not is_engine(pid):
            raise SystemExit(
                f"perpx loadtest --scenario kill: no running engine's pid in {self.pid_dir} "
                "(give the --data-dir of the perpx up that runs the exchange, on this machine)"
            )

    def phase_at(self, at_s: float) -> str | None:
        return "before_kill" if self.killed_at_s is None or at_s < self.killed_at_s else "after_kill"

    async def during(self) -> None:
        run = self.run
        await asyncio.sleep(max(0.0, self.kill_at_s() - run.clock.now_s()))
        pid = get_service_pid(self.pid_dir, "engine")
        if pid is None or not is_engine(pid):
            run.mark_event("no engine to kill")
            return
        os.kill(pid, signal.SIGKILL)
        self.killed_pid, self.killed_at_s = pid, run.clock.now_s()
        run.mark_event(f"kill -9 engine (pid {pid})")
        while not run.stop.is_set():
            pid = get_service_pid(self.pid_dir, "engine")
            if pid is not None and pid != self.killed_pid and is_engine(pid):
                self.new_pid = pid
                run.mark_event(f"engine restarted (pid {pid})")
                return
            await asyncio.sleep(0.1)

    def outage_s(self) -> float | None:
        """From the kill to the first second in which orders were accepted again."""
        if self.killed_at_s is None:
            return None
        seconds = self.run.orders.seconds
        for index in range(int(self.killed_at_s) + 1, len(seconds)):
            if seconds[index].accepted:
                return round(index - self.killed_at_s, 1)
        return None

    async def finish(self) -> dict[str, object]:
        from perpx.loadtest.verify import verify_history_and_money

        run = self.run
        acked = [a for trader in run.traders for a in trader.acked]
        accounts = [t.credentials.account for t in run.traders]
        steps = {symbol: Decimal(rules.step) for symbol, rules in run.marks.rules.items()}
        checks = await asyncio.to_thread(verify_history_and_money, run.options.data_dir, acked, accounts, steps)
        return {
            "killed_pid": self.killed_pid,
            "restarted_pid": self.new_pid,
            "killed_at_s": None if self.killed_at_s is None else round(self.killed_at_s, 3),
            "no_order_accepted_for_s": self.outage_s(),
            **checks,
            "ok": self.killed_pid is not None and checks.get("verified") is True,
        }
