"""When the engine does not answer: Binance's -1007, execution status unknown (a 503, not a hang)."""

from api.key_store import create_key
from api.keys import permissions_for
from streams.keys import ShardKeys
from tests.api.binance_client import SignedClient, assert_error
from tests.api.conftest import SERVER_KEY, start_api, stop


def test_no_engine_is_1007(redis_server, redis_client):
    keys = ShardKeys("no-engine-here")
    process, url = start_api(redis_server.url, keys, timeout_s=0.5)
    try:
        api_key = create_key(redis_client, SERVER_KEY, None, permissions_for())
        client = SignedClient(url, api_key.key, api_key.secret)
        order = {
            "symbol": "NVDAUSDC",
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": "1",
            "price": "1",
        }
        assert_error(client.post("/fapi/v1/order", order), 503, -1007)
        client.close()
    finally:
        stop(process)
