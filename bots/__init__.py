"""Programs that trade on perpx as an outside trader's would: through the public API only.

REST (bots.rest), the WebSocket API (bots.ws_api) and market streams (bots.market_stream), and the
bots built on them (maker, taker, leveraged trader) that `perpx demo` and `perpx loadtest` run.
Nothing here imports perpx's other packages: what these see is what any client sees.
"""
