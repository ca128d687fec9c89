"""Replays recorded prices from a CSV file, as of the time it is asked for.

Columns: ts_ms,underlying,price[,conf][,source] with a header line. With a `source` column one file
replays several sources at once (a recorded day of Pyth and a second feed, say). Rows the parser
cannot read are reported once, as problems of the first fetch, and skipped.
"""

import bisect
import csv
from pathlib import Path

from oracle.quote import FetchResult, Quote


class CsvReplaySource:
    def __init__(self, path: Path, name: str = "replay") -> None:
        self.name = name
        self.problems: list[str] = []
        rows: list[Quote] = []
        with path.open(newline="") as handle:
            for line_no, row in enumerate(csv.DictReader(handle), start=2):
                try:
                    rows.append(
                        Quote(
                            source=row.get("source") or name,
                            underlying=row["underlying"].strip(),
                            price=float(row["price"]),
                            publish_ms=int(row["ts_ms"]),
                            conf=float(row.get("conf") or 0.0),
                        )
                    )
                except (KeyError, ValueError, TypeError, AttributeError):
                    self.problems.append(f"line {line_no}: unreadable row")
        rows.sort(key=lambda q: q.publish_ms)
        self.rows = rows
        self._times_ms = [q.publish_ms for q in rows]
        self._latest: dict[tuple[str, str], Quote] = {}
        self._next = 0

    @property
    def last_ms(self) -> int:
        return self._times_ms[-1] if self._times_ms else 0

    async def fetch(self, now_ms: int) -> FetchResult:
        """The newest row per (source, underlying) at or before `now_ms`; time only moves forward."""
        end = bisect.bisect_right(self._times_ms, now_ms)
        for quote in self.rows[self._next : end]:
            self._latest[(quote.source, quote.underlying)] = quote
        self._next = max(self._next, end)
        problems, self.problems = self.problems, []
        return FetchResult([self._latest[k] for k in sorted(self._latest)], problems)

    async def aclose(self) -> None:
        return None
