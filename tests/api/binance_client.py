"""A minimal Binance-style client for the tests: signs exactly as the documented scheme says,
with the parameters in the query string (as UMFutures does) or in a form body (as ccxt does)."""

import hashlib
import hmac
import time
from urllib.parse import urlencode

import httpx

# a small resting buy on NVDA, far below the fixture's mark of 180
ORDER = {
    "symbol": "NVDAUSDC",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.100",
    "price": "150.00",
}


class SignedClient:
    def __init__(self, base_url: str, key: str, secret: str, in_body: bool = False) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=15)
        self.key = key
        self.secret = secret
        self.in_body = in_body

    def close(self) -> None:
        self.http.close()

    def sign(self, payload: str) -> str:
        return hmac.new(self.secret.encode(), payload.encode(), hashlib.sha256).hexdigest()

    def request(
        self, method: str, path: str, params: dict | None = None, timestamp_ms: int | None = None
    ) -> httpx.Response:
        fields = {**(params or {}), "timestamp": timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)}
        query = urlencode(fields)
        query += "&signature=" + self.sign(query)
        headers = {"X-MBX-APIKEY": self.key}
        if self.in_body and method in ("POST", "PUT"):
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return self.http.request(method, path, content=query, headers=headers)
        return self.http.request(method, f"{path}?{query}", headers=headers)

    def post(self, path: str, params: dict | None = None) -> httpx.Response:
        return self.request("POST", path, params)

    def put(self, path: str, params: dict | None = None) -> httpx.Response:
        return self.request("PUT", path, params)

    def delete(self, path: str, params: dict | None = None) -> httpx.Response:
        return self.request("DELETE", path, params)

    def ok(self, method: str, path: str, params: dict | None = None) -> dict | list:
        response = self.request(method, path, params)
        assert response.status_code == 200, response.text
        return response.json()


def assert_error(response: httpx.Response, status: int, code: int, msg: str | None = None) -> None:
    """A Binance error: the status, and a JSON body of exactly `code` and `msg`."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"code", "msg"}, body
    assert body["code"] == code, body
    if msg is not None:
        assert body["msg"] == msg, body
