"""Compiles the matching core and margin/ with mypyc; everything else installs as plain Python.

The modules below are ordinary type-annotated Python. mypyc turns them into a C extension at
install time (`pip install .`, or `make build` in a checkout), which is what makes the engine's
hot path fast. PERPX_PURE_PYTHON=1 installs them uncompiled.
"""

import os

from setuptools import setup

COMPILED = [
    "matching/order.py",
    "matching/command_window.py",
    "matching/trader.py",
    "matching/book.py",
    "matching/market.py",
    "matching/risk.py",
    "matching/engine.py",
    "matching/place_order.py",
    "matching/cancel_order.py",
    "matching/amend_order.py",
    "matching/market_admin.py",
    "matching/price_update.py",
    # margin/: every module on the path of an order, a fill or a price (not queries.py, naive.py)
    "margin/accounts.py",
    "margin/arithmetic.py",
    "margin/ledger.py",
    "margin/positions.py",
    "margin/fees.py",
    "margin/tiers.py",
    "margin/requirements.py",
    "margin/watch.py",
    "margin/risk.py",
    "margin/adl.py",
    "margin/liquidation.py",
    "margin/collateral.py",
    "margin/funding.py",
    "margin/corporate_actions.py",
    "margin/invariants.py",
    "margin/snapshot.py",
    "margin/account_updates.py",
    "margin/engine.py",
]

ext_modules = []
if os.environ.get("PERPX_PURE_PYTHON") != "1":
    from mypyc.build import mypycify

    ext_modules = mypycify(COMPILED, opt_level="3")

setup(ext_modules=ext_modules)
