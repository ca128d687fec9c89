"""Collateral, positions, margin, fees, liquidation, funding and corporate actions (issue 3).

The modules on the hot path are compiled by mypyc at install time (see setup.py). A compiled
module older than its source would silently run stale code, so importing refuses that case.
"""

from pathlib import Path


def _refuse_stale_compiled_modules() -> None:
    here = Path(__file__).parent
    for compiled in here.glob("*.so"):
        source = here / (compiled.name.split(".")[0] + ".py")
        if source.exists() and source.stat().st_mtime > compiled.stat().st_mtime:
            raise ImportError(
                f"margin/{compiled.name} is older than {source.name}: rebuild with `make build` "
                "(or delete margin/*.so to run it as plain Python)"
            )


_refuse_stale_compiled_modules()
