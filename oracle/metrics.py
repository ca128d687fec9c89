"""Counters of what the oracle saw and did, by name and labels; read by logs and tests."""

from collections import Counter


class Metrics:
    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str, str]] = Counter()

    def inc(self, name: str, source: str = "", reason: str = "") -> None:
        self.counts[(name, source, reason)] += 1

    def get(self, name: str, source: str = "", reason: str = "") -> int:
        return self.counts[(name, source, reason)]

    def total(self, name: str) -> int:
        return sum(n for (key, _, _), n in self.counts.items() if key == name)

    def lines(self) -> list[str]:
        return [f"{name}{{source={s},reason={r}}} {n}" for (name, s, r), n in sorted(self.counts.items())]
