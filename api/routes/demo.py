"""/perpx/v1/demo/keys: the local demo's key pairs, for the trading page's account picker. DEMO ONLY.

Mounted only when the api runs with `--demo` (what `perpx up` passes in its local default setup,
with an embedded Redis and without --no-demo), and answered only to a client on the loopback
address: it hands out secrets, which is acceptable for the two funded demo accounts that `perpx up`
prints on the terminal anyway, and for nothing else. The list of demo keys is the one
perpx/demo_keys.py keeps in Redis; the secrets are opened with the server key like every key's.
"""

from ipaddress import ip_address
from typing import cast

from cryptography.fernet import Fernet
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.errors import ApiError
from api.keys import KEY_PREFIX, TRADE, parse_record

router = APIRouter(prefix="/perpx/v1/demo", tags=["demo"])
DEMO_KEYS = "perpx:api:demo_keys"  # Redis list of the demo API keys (perpx/demo_keys.py creates them)


def is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ip_address(host).is_loopback
    except ValueError:
        return False


@router.get("/keys", summary="The local demo's key pairs (demo only, loopback only)")
async def demo_keys(request: Request) -> JSONResponse:
    if not is_loopback(request.client.host if request.client else None):
        raise ApiError(-2015, "Demo keys are served to the loopback address only.", 403)
    client = request.app.state.redis
    fernet = Fernet(request.app.state.settings.server_key)
    rows = []
    for raw in cast(list[bytes], await client.lrange(DEMO_KEYS, 0, -1)):
        key = raw.decode()
        api_key = parse_record(key, cast(dict[bytes, bytes], await client.hgetall(KEY_PREFIX + key)), fernet)
        if api_key is not None and api_key.can(TRADE):
            rows.append({"account": api_key.account_id, "apiKey": api_key.key, "secretKey": api_key.secret})
    return JSONResponse(rows)
