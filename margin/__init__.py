"""Collateral, positions, margin, fees, liquidation, funding and corporate actions (issue 3).

The modules on the hot path are compiled by mypyc at install time (see setup.py). A compiled
module older than its source would silently run stale code, so importing refuses that case.
"""

from matching.compiled import refuse_stale_compiled_modules

refuse_stale_compiled_modules(__file__)
