"""The ASGI middleware that weighs every request against the IP's budget and reports the counts.

Plain ASGI rather than Starlette's BaseHTTPMiddleware (which runs each request in a task group of
its own): it charges the IP's minute before the app runs, answers 429/418 itself past the budget,
and adds X-MBX-USED-WEIGHT-1M (and the order counts an order endpoint left in the request's state)
to whatever response goes out, errors included.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ApiError, error_response
from api.limits import TooMuchWeight, weight_of


class WeightMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        weight = weight_of(scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1"))
        state["weight"] = weight
        client = scope.get("client")
        limiter = scope["app"].state.limiter
        try:
            used = await limiter.charge_ip(client[0] if client else "unknown", weight)
        except TooMuchWeight as exc:
            limit = limiter.settings.ip_weight_per_minute
            response = error_response(
                ApiError(
                    -1003, f"Too much request weight used; current limit is {limit} request weight per 1 MINUTE.", 429
                )
            )
            response.headers["X-MBX-USED-WEIGHT-1M"] = str(exc.used)
            await response(scope, receive, send)
            return
        except ApiError as exc:
            await error_response(exc)(scope, receive, send)
            return

        async def send_with_counts(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-MBX-USED-WEIGHT-1M"] = str(used)
                counts = state.get("order_counts")
                if counts is not None:
                    headers["X-MBX-ORDER-COUNT-10S"] = str(counts[0])
                    headers["X-MBX-ORDER-COUNT-1M"] = str(counts[1])
            await send(message)

        await self.app(scope, receive, send_with_counts)
