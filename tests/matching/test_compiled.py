"""The stale-module guard: a compiled module older than its source must not load silently."""

import os
import re
from pathlib import Path

import pytest

from matching.compiled import refuse_stale_compiled_modules


def _package(tmp_path: Path, source_newer: bool) -> Path:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    source, compiled = package / "book.py", package / "book.cpython-311-x86_64-linux-gnu.so"
    source.write_text("x = 1\n")
    compiled.write_bytes(b"")
    older, newer = (compiled, source) if source_newer else (source, compiled)
    os.utime(older, (1_000_000, 1_000_000))
    os.utime(newer, (2_000_000, 2_000_000))
    return package


def test_a_compiled_module_older_than_its_source_is_refused(tmp_path):
    package = _package(tmp_path, source_newer=True)
    with pytest.raises(ImportError, match=re.escape("pkg/book.cpython-311-x86_64-linux-gnu.so is older than book.py")):
        refuse_stale_compiled_modules(str(package / "__init__.py"))


def test_a_fresh_compiled_module_passes(tmp_path):
    package = _package(tmp_path, source_newer=False)
    refuse_stale_compiled_modules(str(package / "__init__.py"))
