"""The read side: one follower of a shard's event stream and the projections every reader shares.

The engine's events (messages/events.py) say everything a reader needs; the projections here fold
them, exactly and deterministically, into books, trades and candles, 24h statistics, prices and
funding, and the market list (accounts: views/accounts*.py). `ExchangeView` holds them all and
dispatches each event once; `Follower` (blocking) and `AsyncFollower` (asyncio) keep one up to date
from Redis, starting from the engine's newest snapshot or from the genesis listing.

  projection.py     the interface every projection implements (seed from an engine, handle events)
  engine_state.py   the one way a reader gets an engine's state: a snapshot restored by the engine's code
  entries.py        event stream entries decoded so that an unknown event is stepped over, not fatal
  sequence.py       events applied once each, in seq order; a gap is an error (SeqGap)
  follower.py       Follower / AsyncFollower: snapshot or genesis, tail, reconnect, resync on a gap
  metrics.py        prometheus counters of the follower and the projections
  markets.py        listed markets, status, tick and lot after splits
  books.py          L2 depth with book update ids, queues, impact prices (naive_books.py: its twin)
  depth_diffs.py    depth diffs with Binance's U / u / pu, from the levels the book view saw change
  trades.py         recent trades per market, Binance aggTrade grouping
  candles.py        1m..1d candles of trades, mark and index (naive_candles.py: its twin)
  ticker.py         rolling 24h statistics per market (naive_ticker.py: its twin)
  prices.py         index, mark, last, session, bounds, funding settled and published
  funding_schedule.py  funding interval boundaries (pure; the funding service settles by them too)
  exchange.py       ExchangeView: every projection, each event dispatched once
"""
