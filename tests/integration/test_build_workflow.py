"""The maintainer's new-year workflow on synthetic microdata, in a copy of the metadata:
generate 2024 records -> build --year 2024 -> the package checks and audits clean -> diff against
the committed package shows 2024 added per table (and the Phoenix years revised)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from opendata_mh.build import RecordError, build
from opendata_mh.diff import diff_packages
from opendata_mh.model import load_metadata
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
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, object]:
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


def test_edition_written_and_package_versioned(built: tuple[Path, Path, object]) -> None:
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


def test_package_checks_and_audits_clean(built: tuple[Path, Path, object]) -> None:
    _, pkg, res = built
    try:
        from opendata_mh.audit import audit_check

        extra = [audit_check]
    except ImportError:  # pragma: no cover
        extra = []
    report = check(pkg, extra_checks=extra)
    errors = [i for i in report.issues if i.severity == "error"]
    # the historic 2019-2023 findings are acknowledged or lapse; nothing about a built cell
    built_errors = [i for i in errors if i.code.startswith(("audit.", "sdc.", "schema."))]
    new = [i for i in built_errors if "period=2024" in i.message or "2020-2024" in i.message]
    assert [i for i in new if i.code == "audit.exact-disclosure"] == []
    if res.audit["protection"] == "apriori":  # type: ignore[attr-defined]
        assert new == []
    assert not [i for i in errors if i.code.startswith(("sdc.", "schema."))]


def test_diff_shows_2024_added_per_table(built: tuple[Path, Path, object]) -> None:
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
