"""The exchange core: order books, order types and the engine state machine.

The hot modules are compiled by mypyc at install time (see setup.py); importing refuses a
compiled module older than its source.
"""

from matching.compiled import refuse_stale_compiled_modules

refuse_stale_compiled_modules(__file__)
