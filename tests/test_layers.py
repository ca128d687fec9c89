"""The packages stand in layers and an import only ever points down (../shared/DESIGN.md, Layout).

Each package may import the packages listed for it and nothing else of perpx; a new upward or
sideways import fails here, naming the file and the line.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# package -> the perpx packages it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "messages": set(),
    "ops": set(),
    "matching": {"messages"},
    "margin": {"messages", "matching"},
    "streams": {"messages"},
    "views": {"messages", "matching", "margin", "streams", "ops"},
    "oracle": {"messages", "matching", "margin", "streams", "ops", "views"},
    "funding": {"messages", "matching", "margin", "streams", "ops", "views"},
    "engine_service": {"messages", "matching", "margin", "streams", "ops"},
    "api": {"messages", "matching", "margin", "streams", "ops", "views", "oracle", "funding"},  # funding: the rate cap
    "bots": set(),  # clients of the public API only, as an outside trader's program
    "perpx": {
        "messages",
        "matching",
        "margin",
        "streams",
        "ops",
        "views",
        "oracle",
        "funding",
        "engine_service",
        "api",
        "bots",
    },
}

# imports that break the layers today, each with the work that removes it; the list only shrinks
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(ALLOWED)


def test_imports_point_down() -> None:
    wrong = [
        f"{path.relative_to(ROOT).as_posix()} imports {imported}"
        for package, allowed in ALLOWED.items()
        for path in sorted((ROOT / package).rglob("*.py"))
        for imported in sorted(imported_packages(path) - allowed - {package})
        if (path.relative_to(ROOT).as_posix(), imported) not in KNOWN_EXCEPTIONS
    ]
    assert wrong == []


def test_known_exceptions_still_exist() -> None:
    """An exception that no longer occurs is struck off, so that it cannot come back unnoticed."""
    stale = [
        (relative, imported)
        for relative, imported in sorted(KNOWN_EXCEPTIONS)
        if not (ROOT / relative).exists() or imported not in imported_packages(ROOT / relative)
    ]
    assert stale == []


def test_nothing_imports_perpx() -> None:
    importers = [
        path.relative_to(ROOT).as_posix()
        for package in ALLOWED
        if package != "perpx"
        for path in sorted((ROOT / package).rglob("*.py"))
        if "perpx" in imported_packages(path)
    ]
    assert importers == []
