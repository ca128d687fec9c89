"""The API's own refusals, as values a bot can log and carry on from."""


class ApiError(Exception):
    """A Binance-style error answer: HTTP status (or the WebSocket answer's status), code and msg."""

    def __init__(self, status: int, code: int, msg: str) -> None:
        super().__init__(f"{status} {code}: {msg}")
        self.status = status
        self.code = code
        self.msg = msg

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiError) and (self.status, self.code, self.msg) == (
            other.status,
            other.code,
            other.msg,
        )

    def __hash__(self) -> int:
        return hash((self.status, self.code, self.msg))


# codes a bot meets in normal flow (an order that filled before its cancel arrived, a post-only
# order that would have crossed), worth telling apart from real trouble
UNKNOWN_ORDER = -2011
NO_SUCH_ORDER = -2013
POST_ONLY_REJECTED = -5022
