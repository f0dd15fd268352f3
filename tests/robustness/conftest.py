"""Shared pieces of the robustness suite: a tree digest (nothing written or changed), the
synthetic microdata of 2024 (one module-wide copy), a fresh copy of the real metadata per test."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

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


def synthetic() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_synthetic_microdata", ROOT / "scripts" / "make_synthetic_microdata.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def raw2024(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic record files of 2024 (CSV), read-only for the tests (copy before editing)."""
    raw = tmp_path_factory.mktemp("raw") / "2024"
    gen = synthetic()
    gen.write(gen.make(2024, seed=1), raw, "csv")
    return raw


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """``tmp_path`` with a copy of the real metadata in ``metadata/`` (the package goes to
    ``datapackage/``, absent until a build writes it)."""
    shutil.copytree(ROOT / "metadata", tmp_path / "metadata")
    return tmp_path
