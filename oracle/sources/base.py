"""The one interface every price source implements.

`fetch(now_ms)` returns what the source says now. Parsing problems of single entries come back as
`FetchResult.problems`; a fetch that fails as a whole raises SourceError (or anything else: the
service counts and logs every failure and carries on). Value checks (positive, finite, not from the
future) are not the adapters' job: quote.quote_problem applies them to every source alike.
"""

from typing import Protocol

from oracle.quote import FetchResult


class PriceFeed(Protocol):
    name: str

    async def fetch(self, now_ms: int) -> FetchResult: ...

    async def aclose(self) -> None: ...
