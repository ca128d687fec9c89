"""A guard for packages whose hot modules mypyc compiles in place (see setup.py).

Python imports a module's compiled `.so` in preference to its source, so in a checkout the old code
would keep running silently after an edit. The build records the sha256 of every source it compiled
in each package's `compiled_sources.json` (setup.py); each such package calls this from its
`__init__`, and in a source checkout (setup.py beside the packages) a compiled module whose source
no longer hashes to what was compiled is refused. File times are not compared: an install writes
them in any order, and git sets them at checkout. An installed wheel is never checked: its sources
and its compiled modules come from one build and nobody edits them.
"""

import hashlib
import json
from pathlib import Path

RECORD_NAME = "compiled_sources.json"


def source_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def is_source_checkout(package_dir: Path) -> bool:
    """True when the package is imported from the project's checkout (an editable install, or the
    working directory), where its sources can change after the build."""
    return (package_dir.parent / "setup.py").is_file()


def refuse_stale_compiled_modules(package_init: str) -> None:
    """In a source checkout, raise ImportError if a compiled module of the package was not built
    from its source as it is now."""
    here = Path(package_init).parent
    if not is_source_checkout(here):
        return
    compiled = sorted(here.glob("*.so"))
    if not compiled:
        return  # plain Python (PERPX_PURE_PYTHON=1, or the .so files deleted)
    rebuild = f"rebuild with `make build` (or delete {here.name}/*.so to run it as plain Python)"
    record_path = here / RECORD_NAME
    if not record_path.is_file():
        raise ImportError(f"{here.name}/{RECORD_NAME} is missing, so {here.name}/*.so cannot be trusted: {rebuild}")
    recorded: dict[str, str] = json.loads(record_path.read_text())
    for module in compiled:
        name = module.name.split(".")[0]
        source = here / f"{name}.py"
        if name not in recorded:
            raise ImportError(f"{here.name}/{module.name} was not compiled by the last build: {rebuild}")
        if source.exists() and source_sha256(source) != recorded[name]:
            raise ImportError(f"{here.name}/{source.name} changed since {module.name} was compiled from it: {rebuild}")
