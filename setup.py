"""Compiles the matching core and margin/ with mypyc; everything else installs as plain Python.

The modules below are ordinary type-annotated Python. mypyc turns them into a C extension at
install time (`pip install .`, or `make build` in a checkout), which is what makes the engine's
hot path fast. PERPX_PURE_PYTHON=1 installs them uncompiled.

Beside the compiled modules the build writes each package's `compiled_sources.json`, the sha256 of
every source it compiled: in a checkout, importing the package refuses a compiled module whose
source has changed since (matching/compiled.py).
"""

import hashlib
import json
import os
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

COMPILED = [
    # the range checks every PlaceOrder and CancelOrder passes
    "messages/limits.py",
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
RECORD_NAME = "compiled_sources.json"  # read by matching/compiled.py


def compiled_sources() -> dict[str, dict[str, str]]:
    """package -> {module: sha256 of the source compiled}"""
    record: dict[str, dict[str, str]] = {}
    for path in COMPILED:
        package, module = path.removesuffix(".py").split("/")
        record.setdefault(package, {})[module] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return record


class BuildExtRecordingSources(build_ext):
    """build_ext that also writes each package's record of the sources it compiled, into the build
    (so the wheel carries it) and, for an editable install, beside the sources."""

    def run(self) -> None:
        super().run()
        for package, sources in compiled_sources().items():
            targets = {Path(self.build_lib) / package}
            if self.inplace:
                targets.add(Path(package))
            for target in targets:
                target.mkdir(parents=True, exist_ok=True)
                (target / RECORD_NAME).write_text(json.dumps(sources, indent=1, sort_keys=True) + "\n")


ext_modules = []
if os.environ.get("PERPX_PURE_PYTHON") != "1":
    from mypyc.build import mypycify

    ext_modules = mypycify(COMPILED, opt_level="3")

setup(ext_modules=ext_modules, cmdclass={"build_ext": BuildExtRecordingSources})
