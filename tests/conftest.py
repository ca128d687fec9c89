"""Shared by the whole suite: hypothesis profiles, and one real Redis server for every test that needs one.

Hypothesis: `ci` (default) keeps the suite quick; HYPOTHESIS_PROFILE=deep runs far more examples.
Redis: `redis_server` is started once per test session (tests/redis_fixtures.py); each test gets
its own shard keys, so tests never share keys.
"""

import os

from hypothesis import HealthCheck, settings

from tests.redis_fixtures import redis_client, redis_server, shard_keys

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

__all__ = ["redis_client", "redis_server", "shard_keys"]
