"""generate: tidy CSVs, descriptor, determinism, --check and atomic writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opendata_mh import generate as gen
from opendata_mh.errors import GenerateError
from opendata_mh.generate import generate


def _snapshot(d: Path) -> dict[str, bytes]:
    return {
        p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()
    }


def test_same_input_same_bytes(metadata_dir: Path, tmp_path: Path) -> None:
    generate(metadata_dir, tmp_path / "a")
    generate(metadata_dir, tmp_path / "b")
    a, b = _snapshot(tmp_path / "a"), _snapshot(tmp_path / "b")
    assert a == b
    assert sorted(a) == [
        "CITATION.cff",
        "README.md",
        "codelists/form.csv",
        "codelists/measure.csv",
        "data/absent.csv",
        "data/observations.csv",
        "data/rounded.csv",
        "data/small.csv",
        "data/superseded.csv",
        "data/text_figures.csv",
        "datapackage.json",
        "parquet/absent.parquet",
        "parquet/all_tables.parquet",
        "parquet/observations.parquet",
        "parquet/rounded.parquet",
        "parquet/small.parquet",
        "parquet/superseded.parquet",
        "parquet/text_figures.parquet",
        "sdmx/observations_sdmx.csv",
    ]


def test_csv_format_and_values(package_dir: Path) -> None:
    raw = (package_dir / "data" / "small.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and raw.endswith(b"\n")
    lines = raw.decode("utf-8").splitlines()
    # no period, value_printed, obs_status, conf_status: one type per column under default
    # readers (they are in the long files: observations.csv, all_tables.parquet, SDMX-CSV)
    assert lines[0] == (
        "year_from,year_to,form,form_label,form_label_en,value,value_lower,value_upper,"
        "cell_type,edition"
    )
    assert lines[1] == "2022,2022,a,A (gedrukt),Form A,10,10,10,exact,edition-2023"
    assert lines[2] == "2023,2023,a,A (gedrukt),Form A,,1,4,masked,edition-2023"
    assert lines[4] == "2023,2023,b,Vorm B,Form B,,12,13,unresolved,edition-2023"
    rounded = (package_dir / "data" / "rounded.csv").read_text(encoding="utf-8").splitlines()
    assert rounded[1].endswith(",170,165,174,rounded,edition-2023")
    assert rounded[2].endswith(",,170,180,range,edition-2023")
    obs = (package_dir / "data" / "observations.csv").read_text(encoding="utf-8")
    assert "small,small,1,2023,2023,2023,a,,victims,,1,4,<5,masked,Q,A,edition-2023" in obs
    absent = (package_dir / "data" / "absent.csv").read_text(encoding="utf-8")
    assert absent.count("\n") == 1  # header only


def test_descriptor(package_dir: Path) -> None:
    d = json.loads((package_dir / "datapackage.json").read_text(encoding="utf-8"))
    assert d["name"] == "fixture-package" and d["version"] == "2023.0.1"
    assert d["licenses"][0]["name"] == "CC0-1.0"
    assert d["temporalCoverage"] == {"start": "2022-01-01", "end": "2023-12-31"}
    assert {s["id"]: s.get("reference_date") for s in d["sources"]}["registry"] == "2024-04-26"
    res = {r["name"]: r for r in d["resources"]}
    assert list(res) == [
        "small",
        "rounded",
        "absent",
        "text_figures",
        "superseded",
        "observations",
        "small_parquet",
        "rounded_parquet",
        "absent_parquet",
        "text_figures_parquet",
        "superseded_parquet",
        "observations_parquet",
        "all_tables",
        "observations_sdmx",
        "codelist_form",
        "codelist_measure",
    ]
    assert res["small_parquet"]["isFormatOf"] == "small"
    assert res["small_parquet"]["schema"] == res["small"]["schema"]
    assert res["all_tables"]["isFormatOf"] == ["small", "rounded", "absent"]
    small = res["small"]
    assert small["path"] == "data/small.csv" and small["type"] == "table"
    assert small["schema"]["primaryKey"] == ["year_from", "year_to", "form"]
    assert small["schema"]["missingValues"] == [""]
    fields = {f["name"]: f for f in small["schema"]["fields"]}
    assert fields["form"]["constraints"]["enum"] == ["all", "a", "b"]
    assert fields["value"]["type"] == "integer" and fields["value"]["constraints"]["minimum"] == 0
    assert fields["cell_type"]["constraints"]["enum"][0] == "exact"
    assert small["unresolved"] == [
        {
            "key": {"period": "2023", "form": "b"},
            "row": 4,
            "candidates": ["12", "13"],
            "reason": "Two digits merged in the extraction.",
        }
    ]
    # a victims table that does not state its group protection: 'breakdown' (the default)
    assert small["sdc"] == {"rule": "threshold", "threshold": 5, "groupProtection": "breakdown"}
    assert res["rounded"]["sdc"] == {"rule": "rounding", "base": 10, "tie": "half_up"}
    assert res["absent"]["available"] is False
    rels = {r["id"]: r for r in d["relations"]}
    assert rels["small.sums.2023"]["parts"] == [
        "small/period=2023/form=a",
        "small/period=2023/form=b",
    ]
    assert rels["text.total_2023"]["cells"] == ["text:total_2023", "@total/period=2023"]
    assert d["latentQuantities"][0]["id"] == "@total/period=2022"
    assert d["knownDiscrepancies"][0]["id"] == "prose_2022"


def test_check_mode_reports_changes_and_writes_nothing(
    metadata_dir: Path, package_dir: Path
) -> None:
    assert generate(metadata_dir, package_dir, check=True).changes == ()
    t1 = metadata_dir / "tables" / "01_small.toml"
    t1.write_text(
        t1.read_text(encoding="utf-8").replace('"10", "<5"]', '"11", "<5"]'), encoding="utf-8"
    )
    before = _snapshot(package_dir)
    res = generate(metadata_dir, package_dir, check=True)
    assert [(c.path, c.status) for c in res.changes] == [
        ("data/observations.csv", "modified"),
        ("data/small.csv", "modified"),
        ("datapackage.json", "modified"),  # bytes and hash of the CSVs
        ("parquet/all_tables.parquet", "modified"),
        ("parquet/observations.parquet", "modified"),
        ("parquet/small.parquet", "modified"),
        ("sdmx/observations_sdmx.csv", "modified"),
    ]
    assert not res.written and _snapshot(package_dir) == before
    (package_dir / "data" / "stray.csv").write_text("x\n", encoding="utf-8")
    res = generate(metadata_dir, package_dir, check=True)
    assert ("data/stray.csv", "removed") in [(c.path, c.status) for c in res.changes]


def test_failure_mid_write_leaves_old_package_intact(
    metadata_dir: Path, package_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _snapshot(package_dir)
    t1 = metadata_dir / "tables" / "01_small.toml"
    t1.write_text(
        t1.read_text(encoding="utf-8").replace('"10", "<5"]', '"11", "<5"]'), encoding="utf-8"
    )
    real = gen._write_file
    calls = {"n": 0}

    def flaky(path: Path, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(gen, "_write_file", flaky)
    with pytest.raises(GenerateError, match="previous package is unchanged"):
        generate(metadata_dir, package_dir)
    assert _snapshot(package_dir) == before
    leftovers = [p.name for p in package_dir.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_invalid_metadata_writes_nothing(metadata_dir: Path, package_dir: Path) -> None:
    from opendata_mh.errors import MetadataError

    before = _snapshot(package_dir)
    (metadata_dir / "tables" / "01_small.toml").write_text("id = 'small'\n", encoding="utf-8")
    with pytest.raises(MetadataError):
        generate(metadata_dir, package_dir)
    assert _snapshot(package_dir) == before
