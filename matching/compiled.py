"""A guard for packages whose hot modules mypyc compiles in place (see setup.py).

Python imports a module's compiled `.so` in preference to its source, so after an edit the old
code would keep running silently. Each such package calls this from its `__init__`.
"""

from pathlib import Path


def refuse_stale_compiled_modules(package_init: str) -> None:
    """Raise ImportError if a compiled module of the package is older than its source."""
    here = Path(package_init).parent
    for compiled in here.glob("*.so"):
        source = here / (compiled.name.split(".")[0] + ".py")
        if source.exists() and source.stat().st_mtime > compiled.stat().st_mtime:
            raise ImportError(
                f"{here.name}/{compiled.name} is older than {source.name}: rebuild with `make build` "
                f"(or delete {here.name}/*.so to run it as plain Python)"
            )
