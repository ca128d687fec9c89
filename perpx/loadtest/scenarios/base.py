"""Steady trading, and what every scenario may change of it (see the package's docstring)."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from perpx.loadtest.run import Run


class Scenario:
    """steady: the traders, makers and subscribers, and nothing else."""

    name = "steady"

    def __init__(self, run: "Run") -> None:
        self.run = run

    async def prepare(self) -> None:
        """Before the measured run: accounts, bots or connections of the scenario's own."""

    async def during(self) -> None:
        """A task for the length of the measured run (canceled when it ends)."""

    def rate_factor(self, at_s: float) -> float:
        """The open-loop rate at run second `at_s`, as a multiple of --rate."""
        return 1.0

    def phase_at(self, at_s: float) -> str | None:
        """The phase an order intended at `at_s` belongs to, for figures reported apart."""
        return None

    async def finish(self) -> dict[str, object]:
        """After the run and the clean-up: checks and figures of the scenario's own."""
        return {}

    async def close(self) -> None:
        """Release what prepare() made, whatever happened."""
