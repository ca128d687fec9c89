"""The trading page and its files come from the api itself, with a policy that lets nothing else in;
the demo keys answer only where the api runs in demo mode, and only to the loopback address."""

import httpx
import pytest

from api.routes.demo import is_loopback
from perpx.demo_keys import ensure_demo_keys
from tests.api.conftest import SERVER_KEY, start_api, stop


def test_the_page_and_its_modules_are_served(exchange):
    page = httpx.get(exchange.url + "/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert '<meta name="perpx-demo" content="0">' in page.text  # this api serves no demo keys
    for path in ("/web/style.css", "/web/js/app.js", "/web/js/rest.js", "/web/js/chart.js"):
        response = httpx.get(exchange.url + path)
        assert response.status_code == 200, path
        assert response.text.strip()
    assert httpx.get(exchange.url + "/web/js/app.js").headers["content-type"].startswith("text/javascript")
    assert httpx.get(exchange.url + "/web/nothing.js").status_code == 404
    # the page's scripts load nothing from elsewhere: every import is relative
    for path in ("app.js", "market.js", "account.js"):
        text = httpx.get(f"{exchange.url}/web/js/{path}").text
        assert "http://" not in text and "https://" not in text


def test_no_demo_keys_outside_demo_mode(exchange):
    assert httpx.get(exchange.url + "/perpx/v1/demo/keys").status_code == 404


def test_demo_mode_serves_the_demo_keys_to_loopback(exchange, redis_server):
    demo = ensure_demo_keys(exchange.client, SERVER_KEY)
    api, url = start_api(redis_server.url, exchange.keys, extra_env={"PERPX_API_DEMO": "1"})
    try:
        assert '<meta name="perpx-demo" content="1">' in httpx.get(url + "/").text
        rows = httpx.get(url + "/perpx/v1/demo/keys").json()
        assert rows == [{"account": k.account_id, "apiKey": k.key, "secretKey": k.secret} for k in demo]
    finally:
        stop(api)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.0.1", True), ("::1", True), ("10.0.0.5", False), ("192.168.1.2", False),
     ("::ffff:8.8.8.8", False), ("testclient", False), ("", False), (None, False)],
)  # fmt: skip
def test_only_loopback_clients_count_as_local(host, loopback):
    assert is_loopback(host) is loopback
