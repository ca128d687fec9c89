"""Starts the wheel build as soon as the suite is collected, if a test that needs it was selected,
and runs those tests last, by which time the build is usually done."""

from collections.abc import Iterator

import pytest

from tests.packaging.installed import InstalledPerpx

_build: InstalledPerpx | None = None


def _needs_wheel(item: pytest.Item) -> bool:
    return "installed_perpx" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    global _build
    needing = [item for item in items if _needs_wheel(item)]
    if needing and _build is None:
        _build = InstalledPerpx().start()
        items[:] = [item for item in items if not _needs_wheel(item)] + needing


@pytest.fixture(scope="session")
def installed_perpx() -> Iterator[InstalledPerpx]:
    build = _build or InstalledPerpx().start()
    build.wait()
    yield build
    build.remove()
