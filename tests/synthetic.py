"""The working copy a build test needs: synthetic records of one year
(``scripts/make_synthetic_microdata.py``, not a package module) and a writable copy of the real
metadata. Shared by ``tests/integration/test_build_*.py`` and the robustness suite."""

from __future__ import annotations

import functools
import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def generator() -> ModuleType:
    """``scripts/make_synthetic_microdata.py`` as a module (loaded once)."""
    spec = importlib.util.spec_from_file_location(
        "make_synthetic_microdata", ROOT / "scripts" / "make_synthetic_microdata.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write_records(raw: Path, seed: int, fmt: str = "csv", year: int = 2024) -> Path:
    """Synthetic records of ``year`` (seed ``seed``) written to ``raw`` as ``fmt`` (``csv``,
    ``parquet`` or ``both``); returns ``raw``."""
    gen = generator()
    gen.write(gen.make(year, seed=seed), raw, fmt)
    return raw


def copy_metadata(work: Path) -> Path:
    """A writable copy of the real ``metadata/`` at ``work / "metadata"``; returns it."""
    meta = work / "metadata"
    shutil.copytree(ROOT / "metadata", meta)
    return meta
