from tests.redis_fixtures import redis_client, redis_server, shard_keys

__all__ = ["redis_client", "redis_server", "shard_keys"]
