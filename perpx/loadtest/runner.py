"""One load-test run from start to end: accounts, bots, the measured run, the clean-up, the figures.

In order: make and fund the accounts (accounts.py); read the markets and marks; start the makers
and give them a moment to quote; connect the subscribers and the traders; let the scenario prepare;
then the measured run (the pacer, the scenario's task, the progress bar) until the duration or the
count is reached; wait for the answers still out; stop everything; cancel every order the load
test's accounts left open and check that none is left; the scenario's checks; the figures.
"""

import asyncio
import contextlib
import json
import logging
import sys

from bots.rest import RestClient
from perpx.loadtest.accounts import Accounts, Credentials, local_admin
from perpx.loadtest.cleanup import cancel_everything
from perpx.loadtest.flows import Flow
from perpx.loadtest.makers import Makers
from perpx.loadtest.market_data import Subscribers
from perpx.loadtest.marks import Marks
from perpx.loadtest.options import LoadtestOptions
from perpx.loadtest.pacing import Budget, closed_loop, open_loop
from perpx.loadtest.progress import Progress
from perpx.loadtest.run import Run
from perpx.loadtest.scenarios import SCENARIOS, Scenario
from perpx.loadtest.summary import print_table, summarize
from perpx.loadtest.traders import Trader

log = logging.getLogger("perpx.loadtest")
MAKERS_WARM_UP_S = 2.0  # the makers' first quotes are in the books before the traders start


async def run(options: LoadtestOptions) -> int:
    admin = (
        Credentials(0, options.admin_key, options.admin_secret or "")
        if options.admin_key is not None
        else local_admin(options.data_dir)
    )
    accounts = Accounts(options.url, admin, options.usdc, None if options.admin_key else options.data_dir)
    public = RestClient(options.url, max_connections=4)
    try:
        marks = Marks(public)
        symbols = await marks.load(options.symbols)
        the_run = Run(options, accounts, public, marks, symbols)
        result = await measure(the_run)
    finally:
        await public.close()
        await accounts.close()
    if not options.quiet:
        print_table(result, sys.stderr)
    if options.report is not None:
        from perpx.loadtest.report_png import write_report

        write_report(the_run, result, options.report)
    if options.json:
        print(json.dumps(result))
    return 0 if result["ok"] else 1


async def measure(run: Run) -> dict[str, object]:
    options = run.options
    scenario = SCENARIOS[options.scenario](run)
    fresh = asyncio.create_task(run.marks.keep_fresh(run.stop))
    try:
        traders = await run.accounts.funded(options.traders)
        run.traders = [
            Trader(i, c, options.url, run.marks, run.symbols, run.clock, run.cancels, options.seed, options.timeout_s)
            for i, c in enumerate(traders)
        ]
        if options.makers:
            run.makers = Makers(options.url, await run.accounts.funded(options.makers), run.symbols, run.marks)
            await run.makers.start()
            await asyncio.sleep(MAKERS_WARM_UP_S)
        run.subscribers = Subscribers(options.url, run.symbols, options.subscribers)
        await run.subscribers.connect()
        run.subscribers.start()
        await asyncio.gather(*(t.connect() for t in run.traders))
        await scenario.prepare()
        run.subscribers.reset()
        elapsed_s = await measured_run(run, scenario)
        await asyncio.gather(*(t.drain(options.timeout_s) for t in run.traders))
        if run.makers is not None:
            await run.makers.stop()
        md = run.subscribers.summary()
    finally:
        run.stop.set()
        fresh.cancel()
        for trader in run.traders:
            await trader.close()
        if run.subscribers is not None:
            await run.subscribers.close()
        if run.makers is not None:
            await run.makers.stop()
        await scenario.close()
    credentials = [t.credentials for t in run.traders] + (run.makers.credentials if run.makers else [])
    left = await cancel_everything(options.url, credentials + scenario_accounts(scenario), run.symbols)
    findings = await scenario.finish()
    result = summarize(run, elapsed_s, md, left, findings)
    result["accounts"] = sorted(c.account for c in credentials + scenario_accounts(scenario))
    return result


def scenario_accounts(scenario: Scenario) -> list[Credentials]:
    """Accounts a scenario made for itself (the crash's leveraged traders): cleaned up as well."""
    return list(getattr(scenario, "credentials", []))


async def measured_run(run: Run, scenario: Scenario) -> float:
    options = run.options
    budget = Budget(options.count)

    def flows_at(at_s: float) -> list[Flow]:
        phase = scenario.phase_at(at_s)
        return [run.orders] if phase is None else [run.orders, run.phase(phase)]

    run.clock.restart()
    progress = Progress(run, enabled=not options.quiet)
    if options.rate is not None:
        rate = options.rate
        sender = open_loop(run.traders, run.clock, lambda t: rate * scenario.rate_factor(t), flows_at, budget, run.stop)
    else:
        sender = closed_loop(run.traders, run.clock, options.in_flight, flows_at, budget, run.stop)
    sending = asyncio.create_task(sender)
    during = asyncio.create_task(scenario.during())
    with progress:
        while not sending.done():
            if options.duration_s is not None and run.clock.now_s() >= options.duration_s:
                break
            progress.update()
            await asyncio.sleep(0.25)
        run.stop.set()
        elapsed_s = run.clock.now_s()
        progress.update()
    with contextlib.suppress(asyncio.CancelledError):
        await sending
    during.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await during
    if during.done() and not during.cancelled() and during.exception() is not None:
        log.error("the scenario failed during the run: %s", during.exception())
    return elapsed_s
