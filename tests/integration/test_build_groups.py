"""Group (attribute) disclosure in built editions: a small group whose published breakdown
puts every member in one category (issue 10). Synthetic seeds 1, 5 and 8 produce such groups
(region 'Overig' or 'unknown' all in one form of exploitation; minors of 'other/unknown'
form); the build prints the group's total and its one category ``x`` so that a reader cannot
tell the group is small, and the audit (``audit.group-disclosure``) finds none left."""

from __future__ import annotations

import csv
import importlib.util
import shutil
from pathlib import Path

import pytest

import opendata_mh.build as build_mod
from opendata_mh.audit import audit_path
from opendata_mh.build import build
from opendata_mh.csvfile import with_long_columns

ROOT = Path(__file__).resolve().parents[2]


def _synthetic():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "make_synthetic_microdata", ROOT / "scripts" / "make_synthetic_microdata.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _one_category_rows(pkg: Path) -> list[tuple[str, str]]:
    """(region, the one form) of every 2024 region of ``victims_by_region`` whose total is
    printed ``<5`` and whose forms are all printed ``0`` but one: read from the CSV, without
    the audit."""
    with (pkg / "data" / "victims_by_region.csv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in map(with_long_columns, csv.DictReader(fh)) if r["period"] == "2024"]
    out = []
    for region in {r["region"] for r in rows}:
        mine = {r["form"]: r["value_printed"] for r in rows if r["region"] == region}
        forms = {f: p for f, p in mine.items() if f != "all"}
        rest = [f for f, p in forms.items() if p != "0"]
        if mine.get("all", "").startswith("<") and len(rest) == 1:
            out.append((region, rest[0]))
    return sorted(out)


def _build(tmp: Path, seed: int, *, check: bool = True) -> Path:
    gen = _synthetic()
    raw = tmp / "raw"
    gen.write(gen.make(2024, seed=seed), raw, "csv")
    meta = tmp / "metadata"
    shutil.copytree(ROOT / "metadata", meta)
    pkg = tmp / "datapackage"
    build(meta, [raw], year=2024, out_dir=pkg, date="2025-06-30", check=check)
    return pkg


@pytest.mark.parametrize("seed", [1, 5, 8])
def test_small_groups_are_protected_by_the_build(tmp_path: Path, seed: int) -> None:
    pkg = _build(tmp_path, seed)
    assert _one_category_rows(pkg) == []
    a = audit_path(pkg)
    assert a.groups == ()
    assert not [i for i in a.issues if i.code == "audit.group-disclosure"]


def test_the_audit_finds_a_small_group_the_build_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # without the build's protection (and without its refusing check), seed 1 prints region
    # 'Overig' 2024 as <5 with every form 0 but labour exploitation
    monkeypatch.setattr(build_mod, "_small_groups", lambda *a: [])
    pkg = _build(tmp_path, 1, check=False)
    assert _one_category_rows(pkg) == [("other", "labour")]
    a = audit_path(pkg)
    found = {(g.total, g.category, g.relation) for g in a.groups}
    assert (
        "victims_by_region/period=2024/region=other/form=all",
        "victims_by_region/period=2024/region=other/form=labour",
        "victims.region_row_forms_overlap.2024.other",
    ) in found
    issues = [i for i in a.issues if i.code == "audit.group-disclosure"]
    assert len(issues) == len(a.groups) and all(i.severity == "error" for i in issues)
    assert "puts every member in victims_by_region/period=2024/region=other/form=labour" in (
        issues[0].message + issues[-1].message
    )
