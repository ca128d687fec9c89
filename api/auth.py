"""Signed requests, checked exactly as Binance checks them.

The signature is HMAC-SHA256, hex, keyed by the secret, over the query string and the body as
received (concatenated, Binance's `totalParams`) with the `signature` parameter taken out. The key
comes in `X-MBX-APIKEY`. `timestamp` is mandatory and must fall within `recvWindow` (default 5000
ms, at most 60000) before the server's time, and no more than 1000 ms after it.
The order of checks follows Binance: key format, timestamp, window, signature, key, permission.
"""

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request

from api.errors import ApiError, key_refused, mandatory
from api.keys import ApiKey, is_well_formed
from api.params import RawParams, read_params
from streams.snapshots import wall_clock_ms

DEFAULT_RECV_WINDOW_MS = 5000
MAX_RECV_WINDOW_MS = 60000
MAX_AHEAD_MS = 1000
API_KEY_HEADER = "X-MBX-APIKEY"


@dataclass(frozen=True)
class Signed:
    """A request whose signature checked out: its key and its parameters."""

    key: ApiKey
    params: RawParams

    @property
    def account_id(self) -> int:
        return self.key.account_id


def without_signature(raw: str) -> str:
    return "&".join(part for part in raw.split("&") if part and not part.startswith("signature="))


def signed_payload(params: RawParams) -> str:
    return without_signature(params.query) + without_signature(params.body)


def signature_of(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def api_key_header(request: Request) -> str:
    key = request.headers.get(API_KEY_HEADER)
    if key is None or not is_well_formed(key):
        raise ApiError(-2014, "API-key format invalid.", 401)
    return key


def check_timestamp(values: dict[str, str], now_ms: int) -> None:
    timestamp_text = values.get("timestamp", "")
    if not timestamp_text:
        raise mandatory("timestamp")
    if not timestamp_text.isdigit() or len(timestamp_text) > 19:
        raise ApiError(-1100, "Illegal characters found in parameter 'timestamp'; legal range is '^[0-9]{1,20}$'.")
    window_text = values.get("recvWindow", "") or str(DEFAULT_RECV_WINDOW_MS)
    if not window_text.isdigit() or len(window_text) > 19:
        raise ApiError(-1100, "Illegal characters found in parameter 'recvWindow'; legal range is '^[0-9]{1,20}$'.")
    window_ms = int(window_text)
    if window_ms > MAX_RECV_WINDOW_MS or window_ms <= 0:
        raise ApiError(-1131, "recvWindow must be less than 60000.")
    timestamp_ms = int(timestamp_text)
    if timestamp_ms > now_ms + MAX_AHEAD_MS:
        raise ApiError(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")
    if now_ms - timestamp_ms > window_ms:
        raise ApiError(-1021, "Timestamp for this request is outside of the recvWindow.")


async def verify_signed(request: Request, permission: str) -> Signed:
    """Check a signed request; its key must have `permission`."""
    key_text = api_key_header(request)
    params = await read_params(request)
    check_timestamp(params.values, wall_clock_ms())
    signature = params.values.get("signature", "")
    if not signature:
        raise mandatory("signature")
    store = request.app.state.keys
    api_key = await store.get(key_text)
    if api_key is None:
        raise key_refused()
    expected = signature_of(api_key.secret, signed_payload(params))
    if not hmac.compare_digest(expected, signature.lower()):
        raise ApiError(-1022, "Signature for this request is not valid.")
    if not api_key.can(permission):
        raise key_refused()
    request.state.api_key = api_key
    await request.app.state.limiter.charge_key(request, api_key)
    return Signed(api_key, params)


async def verify_key_only(request: Request) -> ApiKey:
    """For listenKey: the API key alone, no signature (as Binance's USER_STREAM endpoints)."""
    key_text = api_key_header(request)
    api_key: ApiKey | None = await request.app.state.keys.get(key_text)
    if api_key is None:
        raise key_refused()
    request.state.api_key = api_key
    await request.app.state.limiter.charge_key(request, api_key)
    return api_key


def signed_with(permission: str) -> Callable[[Request], Awaitable[Signed]]:
    """A FastAPI dependency: the request, signed by a key with `permission`."""

    async def dependency(request: Request) -> Signed:
        return await verify_signed(request, permission)

    return dependency
