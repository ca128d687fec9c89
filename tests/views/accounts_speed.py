"""How fast the accounts view folds events and answers queries (prints figures; not a test).

    .venv/bin/python -m tests.views.accounts_speed

Event streams of random margin command sequences (tests/views/account_commands.py), folded into
fresh views; then every account's summary and open orders asked of each view.
"""

import time

from tests.views.account_commands import SPECS, TRADERS, AccountCommands, new_engine
from views.accounts import AccountsView


def main(sequences: int = 20, commands: int = 1_000) -> None:
    streams = []
    for seed in range(sequences):
        engine, generator = new_engine(), AccountCommands(seed)
        streams.append([event for _ in range(commands) for event in engine.apply(generator.next(engine))])
    total = sum(map(len, streams))
    views = []
    start = time.perf_counter()
    for stream in streams:
        view = AccountsView(SPECS)
        for event in stream:
            view.apply(event)
        views.append(view)
    took = time.perf_counter() - start
    print(f"fold: {total:,} events in {took:.3f} s, {total / took:,.0f} events/s")
    asked = 0
    start = time.perf_counter()
    for view in views:
        for account_id in TRADERS:
            view.account_summary(account_id)
            view.open_orders(account_id)
            asked += 1
    took = time.perf_counter() - start
    print(f"account_summary + open_orders of one account: {took / asked * 1e6:.0f} us")


if __name__ == "__main__":
    main()
