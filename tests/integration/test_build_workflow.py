"""The maintainer's new-year workflow on synthetic microdata, in a copy of the metadata:
generate 2024 records -> build --year 2024 -> the package checks and audits clean -> diff against
the committed package shows 2024 added per table (and the Phoenix years revised)."""

from __future__ import annotations

import csv
import importlib.util
import shutil
from pathlib import Path

import pytest

from opendata_mh.audit import audit_check
from opendata_mh.build import BuildResult, RecordError, build
from opendata_mh.diff import diff_packages
from opendata_mh.model import load_metadata
from opendata_mh.report import Issue
from opendata_mh.validate import check

ROOT = Path(__file__).resolve().parents[2]


def _synthetic():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "make_synthetic_microdata", ROOT / "scripts" / "make_synthetic_microdata.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, BuildResult]:
    tmp = tmp_path_factory.mktemp("build")
    raw = tmp / "raw"
    gen = _synthetic()
    gen.write(gen.make(2024, seed=7), raw, "both")
    meta = tmp / "metadata"
    shutil.copytree(ROOT / "metadata", meta)
    pkg = tmp / "datapackage"
    res = build(
        meta,
        [f"{t}={raw / (t + '.parquet')}" for t in ("victim", "om_case")]
        + [str(raw / f"{t}.csv") for t in ("investigation", "suspect", "court_case")]
        + [str(raw / f"{t}.csv") for t in ("ind_reflection", "ind_permit")],
        year=2024,
        out_dir=pkg,
        date="2025-06-30",
        reference_dates={"phoenix": "2025-04-25"},
    )
    return meta, pkg, res


def test_edition_written_and_package_versioned(built: tuple[Path, Path, BuildResult]) -> None:
    meta_dir, _, _ = built
    assert (meta_dir / "editions" / "2024" / "edition.toml").is_file()
    meta = load_metadata(meta_dir)
    assert meta.package.version == "2024.1.0"
    assert meta.package.edition == "2024"
    assert meta.package.source("phoenix").reference_date == "2025-04-25"
    vic = meta.table("victims_by_form")
    eds = {dict(c.key)["period"]: c.edition for c in vic.cells}
    assert eds["2023"] == "2023" and eds["2024"] == "2024"
    court = meta.table("court_cases_by_form")
    assert {c.edition for c in court.cells if c.key[0][1] in ("2020", "2024")} == {"2024"}
    assert {c.edition for c in court.cells if c.key[0][1] == "2019"} == {"2023"}
    # only protected forms are in the committed edition files
    for f in (meta_dir / "editions" / "2024").glob("*.csv"):
        for line in f.read_text(encoding="utf-8").splitlines()[1:]:
            printed = line.rsplit(",", 1)[1]
            assert printed in ("x", "<5") or not 1 <= int(printed) <= 4, (f.name, line)


def _audit_of_built(pkg: Path) -> tuple[list[Issue], list[Issue]]:
    """(errors of check + audit, those about a built 2024 / 2020-2024 cell)."""
    report = check(pkg, extra_checks=[audit_check])
    errors = [i for i in report.issues if i.severity == "error"]
    new = [i for i in errors if "period=2024" in i.message or "2020-2024" in i.message]
    return errors, new


def _x_cells(pkg: Path) -> list[dict[str, str]]:
    out = []
    for f in sorted((pkg / "data").glob("*.csv")):
        with f.open(encoding="utf-8", newline="") as fh:
            out += [r for r in csv.DictReader(fh) if r.get("value_printed") == "x"]
    return out


def test_package_checks_and_audits_clean(built: tuple[Path, Path, BuildResult]) -> None:
    _, pkg, res = built
    assert res.audit["protection"] == "apriori"
    assert res.audit["unprotected"] == 0
    errors, new = _audit_of_built(pkg)
    # nothing about a built cell: no exact disclosure, no <5 narrowed below [1, 4]
    assert [i for i in new if i.code in ("audit.exact-disclosure", "audit.narrowed")] == []
    assert new == []
    assert not [i for i in errors if i.code.startswith(("sdc.", "schema."))]
    # every x reads "not published; at least 1", whatever it was (secondary or upgraded)
    xs = _x_cells(pkg)
    assert len(xs) == res.audit["secondary"] + res.audit["upgraded"]
    assert {(r["value_lower"], r["value_upper"], r["cell_type"], r["conf_status"]) for r in xs} == {
        ("1", "", "secondary", "D")
    }


@pytest.mark.parametrize("seed", [3, 5])
def test_other_seeds_audit_clean_with_upgrades(tmp_path: Path, seed: int) -> None:
    # seeds where a <5 cell is the sum of <5 cells: before the x convention these builds fell
    # back to "not exact" and the audit found narrowed 2024 cells
    gen = _synthetic()
    raw = tmp_path / "raw"
    gen.write(gen.make(2024, seed=seed), raw, "csv")
    meta = tmp_path / "metadata"
    shutil.copytree(ROOT / "metadata", meta)
    pkg = tmp_path / "datapackage"
    res = build(meta, [raw], year=2024, out_dir=pkg, date="2025-06-30")
    assert res.audit["protection"] == "apriori"
    assert res.audit["upgraded"] >= 1
    _, new = _audit_of_built(pkg)
    assert new == []
    assert len(_x_cells(pkg)) == res.audit["secondary"] + res.audit["upgraded"]
    assert len(_x_cells(pkg)) == sum(t.secondary for t in res.tables)


def test_diff_shows_2024_added_per_table(built: tuple[Path, Path, BuildResult]) -> None:
    meta_dir, pkg, _ = built
    d = diff_packages(ROOT / "datapackage", pkg)
    s = d.summary()
    assert s["new_version"] == "2024.1.0"
    meta = load_metadata(meta_dir)
    for t in meta.tables:
        if t.aggregation is None:
            continue
        td = next(x for x in d.tables if x.resource == t.id)
        assert any(c.key["period"] == "2024" for c in td.added), t.id
        assert td.removed == ()
    court = next(x for x in d.tables if x.resource == "court_outcomes")
    assert {c.key["period"] for c in court.added} == {"2024", "2020-2024"}
    assert {c.key["period"] for c in court.revised} <= {"2020", "2021", "2022", "2023"}


def test_bad_record_names_file_line_field_and_writes_nothing(tmp_path: Path) -> None:
    gen = _synthetic()
    raw = tmp_path / "raw"
    gen.write(gen.make(2024, seed=3), raw, "csv")
    lines = (raw / "victim.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[5].split(",")
    cells[7] = "toddler"  # age_group
    lines[5] = ",".join(cells)
    (raw / "victim.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    meta = tmp_path / "metadata"
    shutil.copytree(ROOT / "metadata", meta)
    with pytest.raises(RecordError) as exc:
        build(meta, [raw], year=2024, out_dir=tmp_path / "pkg")
    assert (exc.value.line, exc.value.field) == (6, "age_group")
    assert "toddler" in str(exc.value)
    assert not (meta / "editions").exists()
    assert not (tmp_path / "pkg").exists()
