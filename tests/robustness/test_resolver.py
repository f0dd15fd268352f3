"""The resolver itself (opendata_mh.paths): each reason a path is refused, and what it accepts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from opendata_mh.paths import ResourcePathError, resolve_resource_path


@pytest.mark.parametrize(
    ("rel", "reason"),
    [
        ("../x.csv", "leads out of the package"),
        ("/etc/passwd", "must be relative"),
        ("C:/x.csv", "must be relative"),
        ("data\\x.csv", "must be relative"),
        ("https://example.org/x.csv", "is a URL"),
        ("", "is not a file path"),
        ("data/none.csv", "names no file"),
    ],
)
def test_resolver_reasons(tmp_path: Path, rel: str, reason: str) -> None:
    with pytest.raises(ResourcePathError) as exc:
        resolve_resource_path(tmp_path, rel, "r")
    assert str(exc.value).startswith(f"resource r: path {rel!r} {reason}")


def test_resolver_accepts_a_file_inside(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.csv").write_text("a\n", encoding="utf-8")
    os.symlink(tmp_path / "data" / "x.csv", tmp_path / "inside.csv")  # a symlink inside: fine
    assert resolve_resource_path(tmp_path, "data/x.csv", "r") == tmp_path / "data" / "x.csv"
    assert resolve_resource_path(tmp_path, "inside.csv", "r") == tmp_path / "inside.csv"
