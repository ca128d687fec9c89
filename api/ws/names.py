"""Stream names as Binance spells them: `<symbol>@<kind>[@<speed>]` and the `!<kind>@arr` streams.

A name is checked against the listed markets and the known kinds before anything is subscribed;
the symbol part is lower case (as Binance's), the rest is case-sensitive. The depth intervals are
the diffs' batching periods: `@depth` is 250 ms, as Binance's.
"""

import re
from dataclasses import dataclass

from views.candles import INTERVALS_MS

DEPTH_PERIODS_MS = {"@100ms": 100, "@500ms": 500, "": 250}
_SYMBOL_STREAM = re.compile(
    r"^(?P<symbol>[a-z0-9]{1,30})@(?P<kind>depth(?:5|10|20)?(?:@100ms|@500ms)?|trade|aggTrade|markPrice(?:@1s)?"
    r"|bookTicker|miniTicker|ticker|forceOrder|session|kline_(?P<interval>[0-9]{1,2}[smhdwM]))$"
)
ALL_MARKET_STREAMS = frozenset(
    {"!markPrice@arr", "!markPrice@arr@1s", "!bookTicker", "!miniTicker@arr", "!ticker@arr", "!forceOrder@arr"}
)


@dataclass(frozen=True)
class StreamName:
    """A valid market stream: its name as subscribed, the market's symbol ("" for `!` streams),
    the kind (the part after the symbol, speed included)."""

    name: str
    symbol: str
    kind: str


def parse_stream(name: str, symbols: set[str]) -> StreamName | None:
    """The stream `name` names, or None if it is not one (unknown kind, interval or symbol)."""
    if name in ALL_MARKET_STREAMS:
        return StreamName(name, "", name)
    match = _SYMBOL_STREAM.match(name)
    if match is None:
        return None
    symbol = match.group("symbol").upper()
    interval = match.group("interval")
    if symbol not in symbols or (interval is not None and interval not in INTERVALS_MS):
        return None
    return StreamName(name, symbol, match.group("kind"))


def depth_stream(symbol: str, levels: int, period_ms: int) -> str:
    """The name of a market's diff (levels 0) or partial depth stream at `period_ms`."""
    speed = "" if period_ms == 250 else f"@{period_ms}ms"
    return f"{symbol.lower()}@depth{levels or ''}{speed}"
