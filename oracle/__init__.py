"""The oracle: what a stock perp's underlying is worth at every moment, and how that is known.

Read in pipeline order:
  sources/       one adapter per price source behind one interface (sources/base.py): Pyth Hermes,
                 a generic HTTP JSON poller, CSV replay, posted prices, and the seeded simulator
  quote.py       the gate every quote passes (positive, finite, not from the future)
  freeze.py      sources whose price stands still while their timestamps move
  aggregation.py staleness, outliers, weighted median, quorum, confidence (naive_aggregation.py: its twin)
  sessions.py    US equity sessions from the NYSE calendar (exchange_calendars XNYS)
  index.py       external index, or internal from the book within 1/max-leverage of the last external
  mark.py        median(index + basis EMA, median(bid, ask, last), index), bounded per update
  ticks.py       floats to integer ticks, rounding stated
  corporate_actions.py  splits and dividends, scheduled, sent once
  admin.py       halts, posted prices and schedules from the admin stream
  service.py     the step that ties them together, and the loop (the one clock seam: clock.py)
  book_view.py   the perp's book as the oracle sees it (an engine in-process, or the shared views)
  publisher.py, status.py, prometheus.py, config.py, main.py  the `perpx oracle` process
"""
