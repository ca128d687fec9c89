"""`perpx loadtest`: the exchange end to end under load, through its public API only.

Traders send orders over the WebSocket API, makers quote over REST, subscribers read market data,
all with the bots' own client code (bots/), on accounts the load test creates and funds itself
(accounts.py). The runner (runner.py) paces the traders open loop at a rate, latency counted from
each order's intended send time so that a stall is not hidden (coordinated omission), or closed
loop for the maximum; it stops by itself and cancels what its accounts left open (cleanup.py).
Figures: latency.py (HdrHistogram), flows.py (one flow's counts and series), summary.py (the JSON
object and the table), report_png.py (the PNG), progress.py (the live bar). Scenarios, one module
each under scenarios/, add what steady trading lacks: a crash, the open, a flood of malformed
messages, slow consumers, the engine killed.
"""
