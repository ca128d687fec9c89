"""Limits as Binance sets them, shared by every api replica through Redis (one atomic script each).

- Request weight per IP and per API key per minute (fixed minute windows, as Binance's
  X-MBX-USED-WEIGHT-1M); past the budget 429 -1003, and an IP that goes on sending while refused
  is banned for a while with 418.
- New orders per account per 10 s and per minute (X-MBX-ORDER-COUNT-10S / -1M); past either 429
  -1015. Refused requests count, as at Binance.
"""

from dataclasses import dataclass

import redis.asyncio as aioredis
from fastapi import Request

from api.errors import ApiError
from api.keys import ApiKey
from streams.snapshots import wall_clock_ms

PREFIX = "perpx:api:limit:"

# weight of each endpoint on the IP budget (Binance's figures); a path not listed weighs 1
WEIGHTS: dict[tuple[str, str], int] = {
    ("GET", "/fapi/v1/exchangeInfo"): 1,
    ("POST", "/fapi/v1/order"): 0,  # orders weigh on the order counts instead
    ("PUT", "/fapi/v1/order"): 1,
    ("DELETE", "/fapi/v1/order"): 1,
    ("POST", "/fapi/v1/batchOrders"): 5,
    ("PUT", "/fapi/v1/batchOrders"): 5,
    ("DELETE", "/fapi/v1/batchOrders"): 1,
    ("DELETE", "/fapi/v1/allOpenOrders"): 1,
    ("POST", "/fapi/v1/leverage"): 1,
    ("POST", "/fapi/v1/marginType"): 1,
    ("POST", "/fapi/v1/positionMargin"): 1,
    ("GET", "/fapi/v1/trades"): 5,
    ("GET", "/fapi/v1/historicalTrades"): 20,
    ("GET", "/fapi/v1/aggTrades"): 20,
    ("GET", "/fapi/v1/allOrders"): 5,
    ("GET", "/fapi/v1/userTrades"): 5,
    ("GET", "/fapi/v1/income"): 30,
    ("GET", "/fapi/v2/account"): 5,
    ("GET", "/fapi/v3/account"): 5,
    ("GET", "/fapi/v2/balance"): 5,
    ("GET", "/fapi/v3/balance"): 5,
    ("GET", "/fapi/v2/positionRisk"): 5,
    ("GET", "/fapi/v3/positionRisk"): 5,
    ("GET", "/fapi/v1/commissionRate"): 20,
}
# without a symbol these weigh the whole exchange's worth (Binance's numbers)
WEIGHTS_WITHOUT_SYMBOL: dict[str, int] = {
    "/fapi/v1/openOrders": 40,
    "/fapi/v1/ticker/24hr": 40,
    "/fapi/v1/ticker/price": 2,
    "/fapi/v2/ticker/price": 2,
    "/fapi/v1/ticker/bookTicker": 5,
}
KLINES = ("/fapi/v1/klines", "/fapi/v1/continuousKlines", "/fapi/v1/markPriceKlines", "/fapi/v1/indexPriceKlines")

# The two checks as Lua functions, so that the standalone scripts below and the order desk's
# script (api/order_desk.py: the checks and the append of many orders in one call) share them.
WEIGH_FUNCTION = """
local function weigh(ban_key, weight_key, over_key, weight, limit, expire_s, ban_after, ban_s)
  local banned = redis.call('TTL', ban_key)
  if banned > 0 then return {2, banned, 0} end
  local used = redis.call('INCRBY', weight_key, weight)
  if used == weight then redis.call('EXPIRE', weight_key, expire_s) end
  if used > limit then
    local over = redis.call('INCR', over_key)
    if over == 1 then redis.call('EXPIRE', over_key, expire_s) end
    if over > ban_after then
      redis.call('SET', ban_key, '1', 'EX', ban_s)
      return {2, ban_s, used}
    end
    return {1, 0, used}
  end
  return {0, 0, used}
end
"""

COUNT_ORDERS_FUNCTION = """
local function count_orders(short_key, long_key, count)
  local short = redis.call('INCRBY', short_key, count)
  if short == count then redis.call('EXPIRE', short_key, 20) end
  local long = redis.call('INCRBY', long_key, count)
  if long == count then redis.call('EXPIRE', long_key, 120) end
  return short, long
end
"""

_WEIGH = (
    WEIGH_FUNCTION
    + "return weigh(KEYS[1], KEYS[2], KEYS[3], "
    + ", ".join(f"tonumber(ARGV[{i}])" for i in range(1, 6))
    + ")"
)
_COUNT_ORDERS = COUNT_ORDERS_FUNCTION + "return {count_orders(KEYS[1], KEYS[2], tonumber(ARGV[1]))}"
WEIGHT_EXPIRE_S = 120


@dataclass(frozen=True)
class LimitSettings:
    ip_weight_per_minute: int = 2400
    key_weight_per_minute: int = 2400
    orders_per_10s: int = 300
    orders_per_minute: int = 1200
    ban_after_refused: int = 50  # requests refused with 429 in one minute before the IP is banned
    ban_s: int = 120


def weight_of(method: str, path: str, query: str) -> int:
    if method == "GET":
        if path in WEIGHTS_WITHOUT_SYMBOL and "symbol=" not in query:
            return WEIGHTS_WITHOUT_SYMBOL[path]
        if path == "/fapi/v1/depth":
            limit = limit_in(query, 500)
            return 2 if limit <= 50 else 5 if limit <= 100 else 10 if limit <= 500 else 20
        if path in KLINES:
            limit = limit_in(query, 500)
            return 1 if limit < 100 else 2 if limit < 500 else 5 if limit <= 1000 else 10
    return WEIGHTS.get((method, path), 1)


def limit_in(query: str, default: int) -> int:
    """The `limit` parameter of a query string, for weighing only (the endpoint validates it)."""
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if name == "limit" and value.isdigit() and len(value) < 10:
            return int(value)
    return default


class Limiter:
    def __init__(self, client: aioredis.Redis, settings: LimitSettings, exchange: str) -> None:
        """`exchange` (the shard name) keeps the counts of two exchanges on one Redis apart."""
        self.settings = settings
        self.prefix = f"{PREFIX}{exchange}:"
        self.weigh = client.register_script(_WEIGH)
        self.count_orders = client.register_script(_COUNT_ORDERS)

    def ip_keys(self, ip: str, now_ms: int) -> list[str]:
        """The IP's ban, this minute's weight and this minute's refusals."""
        minute = now_ms // 60_000
        tag = f"{self.prefix}{{ip:{ip}}}"
        return [f"{tag}:ban", f"{tag}:w:{minute}", f"{tag}:over:{minute}"]

    def order_keys(self, account_id: int, now_ms: int) -> list[str]:
        """The account's order counts of this 10 s and of this minute."""
        tag = f"{self.prefix}{{account:{account_id}}}"
        return [f"{tag}:o10s:{now_ms // 10_000}", f"{tag}:o1m:{now_ms // 60_000}"]

    async def charge_ip(self, ip: str, weight: int) -> int:
        """Charge `weight` to the IP's minute; returns the minute's weight used, or raises."""
        settings = self.settings
        args = [weight, settings.ip_weight_per_minute, WEIGHT_EXPIRE_S, settings.ban_after_refused, settings.ban_s]
        status, ban_s, used = await self.weigh(self.ip_keys(ip, wall_clock_ms()), args)
        return ip_weight_used(int(status), int(ban_s), int(used))

    async def charge_key(self, request: Request, api_key: ApiKey) -> None:
        """The API key's own minute budget, charged with the request's weight once it is known."""
        minute = wall_clock_ms() // 60_000
        tag = f"{self.prefix}{{key:{api_key.key}}}"
        keys = [f"{tag}:ban", f"{tag}:w:{minute}", f"{tag}:over:{minute}"]
        weight = getattr(request.state, "weight", 1)
        args = [weight, self.settings.key_weight_per_minute, WEIGHT_EXPIRE_S, 1 << 60, 1]
        status, _, _ = await self.weigh(keys, args)
        if status != 0:
            raise ApiError(-1003, "Too much request weight used for this API key; please use the websocket.", 429)

    async def charge_orders(self, request: Request, account_id: int, count: int) -> None:
        """Count `count` new orders for the account; 429 -1015 past either window."""
        short, long = await self.count_orders(self.order_keys(account_id, wall_clock_ms()), [count])
        request.state.order_counts = (int(short), int(long))
        refused = self.too_many_orders(int(short), int(long))
        if refused is not None:
            raise refused

    def too_many_orders(self, short: int, long: int) -> ApiError | None:
        """-1015 if the account's counts (this order's included) are past either window's limit."""
        settings = self.settings
        if short > settings.orders_per_10s:
            return ApiError(
                -1015, f"Too many new orders; current limit is {settings.orders_per_10s} orders per TEN_SECONDS.", 429
            )
        if long > settings.orders_per_minute:
            return ApiError(
                -1015, f"Too many new orders; current limit is {settings.orders_per_minute} orders per MINUTE.", 429
            )
        return None


def ip_weight_used(status: int, ban_s: int, used: int) -> int:
    """The weigh function's answer for an IP: the weight used, or 418 (banned) or TooMuchWeight."""
    if status == 2:
        raise ApiError(-1003, f"Way too much request weight used; IP banned for {ban_s} s.", 418)
    if status == 1:
        raise TooMuchWeight(used)
    return used


class TooMuchWeight(Exception):
    def __init__(self, used: int) -> None:
        super().__init__(used)
        self.used = used


def rate_limits(settings: LimitSettings) -> list[dict[str, object]]:
    """exchangeInfo's rateLimits."""
    return [
        {
            "rateLimitType": "REQUEST_WEIGHT",
            "interval": "MINUTE",
            "intervalNum": 1,
            "limit": settings.ip_weight_per_minute,
        },
        {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": settings.orders_per_minute},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": settings.orders_per_10s},
    ]


def limits_from_text(text: str) -> LimitSettings:
    """LimitSettings from "name=value,..." (PERPX_API_LIMITS), e.g. "orders_per_10s=50"."""
    fields = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        if name not in LimitSettings.__dataclass_fields__:
            raise ValueError(f"unknown limit {name!r}")
        fields[name] = int(value)
    return LimitSettings(**fields)
