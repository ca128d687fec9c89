"""What a Binance USD-M client puts on the wire: parameter text, signatures, decimal strings.

Prices and sizes travel as decimal strings and live in Python as Decimal (never float). REST signs
the query string exactly as sent; the WebSocket API signs the parameters sorted by name, `k=v`
joined by `&`, unencoded (Binance's two schemes, which perpx checks the same way).
"""

import hashlib
import hmac
import time
from collections.abc import Mapping
from decimal import Decimal
from urllib.parse import urlencode

Param = str | int | Decimal | bool
Params = Mapping[str, Param]


def wire_text(value: Param) -> str:
    """A parameter as Binance reads it: booleans lower case, decimals without an exponent."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def wire_params(params: Params) -> dict[str, str]:
    return {name: wire_text(value) for name, value in params.items()}


def sign(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def signed_query(secret: str, params: Params, recv_window_ms: int) -> str:
    """REST: the url-encoded parameters with timestamp and recvWindow, then `&signature=`."""
    fields = {**wire_params(params), "recvWindow": str(recv_window_ms), "timestamp": str(now_ms())}
    query = urlencode(fields)
    return f"{query}&signature={sign(secret, query)}"


def ws_signed(key: str, secret: str, params: Params) -> dict[str, str]:
    """WebSocket API: the parameters with apiKey and timestamp, signed over them sorted by name."""
    fields = {**wire_params(params), "apiKey": key, "timestamp": str(now_ms())}
    payload = "&".join(f"{name}={value}" for name, value in sorted(fields.items()))
    return {**fields, "signature": sign(secret, payload)}
