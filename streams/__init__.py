"""Redis, and only Redis: the wire and the journal.

connection (REDIS_URL or embedded), embedded (a redis-server that perpx starts), keys (per shard),
stream_ids, event_batch (one event-stream entry), raw_reader and pipelined (the engine's own
connections), snapshots, client (append a command and await its result), event_reader (tail and
fan-out). The messages themselves live in messages/; the engine service that joins them is
engine_service/.
"""
