"""The stale-module guard: in a checkout, a compiled module whose source changed since the build must
not load silently; an installed package (no setup.py beside it) is never checked."""

import json
import os
import re
from pathlib import Path

import pytest

from matching.compiled import RECORD_NAME, refuse_stale_compiled_modules, source_sha256

SO = "book.cpython-311-x86_64-linux-gnu.so"


def _package(tmp_path: Path, checkout: bool = True, record: bool = True) -> Path:
    """A package `pkg` with book.py, its compiled module, and the build's record of book.py."""
    if checkout:
        (tmp_path / "setup.py").write_text("")
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    source = package / "book.py"
    source.write_text("x = 1\n")
    (package / SO).write_bytes(b"")
    if record:
        (package / RECORD_NAME).write_text(json.dumps({"book": source_sha256(source)}))
    return package


def check(package: Path) -> None:
    refuse_stale_compiled_modules(str(package / "__init__.py"))


def test_a_module_compiled_from_its_source_as_it_is_passes(tmp_path):
    package = _package(tmp_path)
    os.utime(package / SO, (1_000_000, 1_000_000))  # older than its source: times do not matter
    check(package)


def test_a_source_changed_since_the_build_is_refused(tmp_path):
    package = _package(tmp_path)
    (package / "book.py").write_text("x = 2\n")
    with pytest.raises(ImportError, match=re.escape(f"pkg/book.py changed since {SO} was compiled from it: rebuild")):
        check(package)


def test_a_compiled_module_the_build_did_not_record_is_refused(tmp_path):
    package = _package(tmp_path)
    (package / "old.cpython-311-x86_64-linux-gnu.so").write_bytes(b"")
    with pytest.raises(
        ImportError, match=re.escape("pkg/old.cpython-311-x86_64-linux-gnu.so was not compiled by the last build")
    ):
        check(package)


def test_compiled_modules_without_a_record_are_refused(tmp_path):
    package = _package(tmp_path, record=False)
    with pytest.raises(ImportError, match=re.escape(f"pkg/{RECORD_NAME} is missing")):
        check(package)


def test_plain_python_needs_no_record(tmp_path):
    package = _package(tmp_path, record=False)
    (package / SO).unlink()
    check(package)


def test_an_installed_package_is_never_checked(tmp_path):
    package = _package(tmp_path, checkout=False, record=False)
    (package / "book.py").write_text("x = 2\n")
    check(package)
