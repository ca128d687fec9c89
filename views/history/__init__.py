"""History in a real database: what the event stream said, kept after the streams are trimmed.

schema.sql     the tables (plain SQL: SQLite now, PostgreSQL later)
sql.py         the connection seam: open_sqlite (WAL, synchronous=FULL) and the DB-API protocols
records.py     the frozen rows the queries return, with exact integers
orders.py      an order's current state and every state it passed through
candles.py     1m..1d candles of the last-trade price, gathered per batch
projection.py  one batch of events -> the rows of every table
store.py       a batch and the indexer's position in one transaction; duplicates skipped, gaps refused
queries.py     what the API asks: allOrders, order, userTrades, income, klines, fundingRate, trades
indexer.py     the loop: tail the event stream, write, publish the position, trim the stream
metrics.py     its prometheus counters
main.py        `perpx indexer`
"""
