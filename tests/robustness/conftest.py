"""Shared pieces of the robustness suite: a tree digest (nothing written or changed), the
synthetic microdata of 2024 (one module-wide copy), a fresh copy of the real metadata per test."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.synthetic import copy_metadata, write_records

ROOT = Path(__file__).resolve().parents[2]


def tree_digest(path: Path) -> str:
    """SHA-256 over every path (files, directories, symlinks) under ``path`` and each file's
    bytes: equal digests mean nothing was written, changed or removed."""
    h = hashlib.sha256()
    if not path.exists():
        return "absent"
    for p in sorted(path.rglob("*")):
        h.update(p.relative_to(path).as_posix().encode() + b"\0")
        if p.is_symlink():
            h.update(b"L" + str(p.readlink()).encode())
        elif p.is_file():
            h.update(b"F" + p.read_bytes())
        else:
            h.update(b"D")
    return h.hexdigest()


@pytest.fixture(scope="session")
def raw2024(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic record files of 2024 (CSV), read-only for the tests (copy before editing)."""
    return write_records(tmp_path_factory.mktemp("raw") / "2024", seed=1)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """``tmp_path`` with a copy of the real metadata in ``metadata/`` (the package goes to
    ``datapackage/``, absent until a build writes it)."""
    copy_metadata(tmp_path)
    return tmp_path
