"""The wire and the journal: what crosses Redis, and how.

Messages: commands, events, enums, market_spec. Their bytes: codec. Where they go: keys (per
shard), stream_ids, event_batch (one event stream entry). Redis itself: connection (REDIS_URL or
embedded), embedded (a redis-server that perpx starts). Reading and writing: raw_reader, pipelined
(the engine's own connections), snapshots, client (append and await a result), event_reader (tail
and fan-out). The engine service that joins them is perpx.services.engine.
"""
