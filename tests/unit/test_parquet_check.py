"""parquet_issues / parquet_check: every Parquet twin equals its CSV cell by cell (H3: a tampered
Parquet must fail ``check`` and therefore ``publish``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from opendata_mh.parquet import MAX_MISMATCHES, parquet_check, parquet_issues
from opendata_mh.publish import preflight
from opendata_mh.validate import check, read_package

PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"
# victims_by_form, period 2020, form organ_removal: printed <5 (masked, value empty)
ROW = 22


@pytest.fixture
def real_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "datapackage"
    shutil.copytree(PACKAGE, dst)
    return dst


def _set(path: Path, column: str, index: int, value: int | None) -> None:
    """Rewrite one cell of a Parquet file (keeping its schema and key-value metadata)."""
    t = pq.read_table(path)
    vals = t.column(column).to_pylist()
    vals[index] = value
    j = t.schema.get_field_index(column)
    t = t.set_column(j, t.schema.field(j), pa.array(vals, type=t.schema.field(j).type))
    pq.write_table(t, path)


def _where(issues: list) -> list[tuple[str, str, str | None, int | None, str | None]]:
    return [(i.code, i.severity, i.resource, i.row, i.field) for i in issues]


def test_the_committed_package_is_clean() -> None:
    assert parquet_issues(read_package(PACKAGE)) == []


def test_masked_cell_with_a_value_in_the_parquet_only(real_copy: Path) -> None:
    csv_row = read_package(real_copy).rows["victims_by_form"][ROW - 1]
    assert (csv_row["period"], csv_row["form"], csv_row["value_printed"], csv_row["value"]) == (
        "2020",
        "organ_removal",
        "<5",
        "",
    )
    _set(real_copy / "parquet" / "victims_by_form.parquet", "value", ROW - 1, 3)
    issues = parquet_issues(read_package(real_copy))
    assert _where(issues) == [
        ("package.parquet-mismatch", "error", "victims_by_form_parquet", ROW, "value")
    ]
    msg = issues[0].message
    assert "victims_by_form row 22" in msg and "expected null" in msg
    assert "3" not in msg.replace("victims_by_form", "")  # never the value
    # the CSVs are untouched: frictionless, the disclosure rules and the audit see nothing ...
    assert check(real_copy).ok
    # ... the plugged-in comparison fails the check, and publish refuses
    report = check(real_copy, extra_checks=[parquet_check])
    assert not report.ok and _where(report.by_code("package.parquet-mismatch")) == _where(issues)
    _record, refusals = preflight(real_copy)
    assert ("package.parquet-mismatch", "victims_by_form_parquet", ROW, "value") in [
        (i.code, i.resource, i.row, i.field) for i in refusals
    ]


def test_combined_file_is_checked_too(real_copy: Path) -> None:
    path = real_copy / "parquet" / "all_tables.parquet"
    t = pq.read_table(path).to_pylist()
    idx = next(
        i
        for i, r in enumerate(t)
        if (r["resource"], r["period"], r["form"]) == ("victims_by_form", "2020", "organ_removal")
    )
    assert t[idx]["value"] is None and t[idx]["value_printed"] == "<5"
    _set(path, "value", idx, 3)
    issues = parquet_issues(read_package(real_copy))
    assert _where(issues) == [("package.parquet-mismatch", "error", "all_tables", idx + 1, "value")]
    assert "victims_by_form row 22" in issues[0].message


def test_null_where_the_csv_has_a_value_and_changed_label(real_copy: Path) -> None:
    path = real_copy / "parquet" / "victims_by_form.parquet"
    _set(path, "value", 20, None)  # 2019 organ_removal, printed 6
    t = pq.read_table(path)
    labels = t.column("form_label_en").to_pylist()
    labels[0] = "something else"
    j = t.schema.get_field_index("form_label_en")
    t = t.set_column(j, t.schema.field(j), pa.array(labels).dictionary_encode())
    pq.write_table(t, path)
    issues = parquet_issues(read_package(real_copy))
    assert _where(issues) == [
        ("package.parquet-mismatch", "error", "victims_by_form_parquet", 1, "form_label_en"),
        ("package.parquet-mismatch", "error", "victims_by_form_parquet", 21, "value"),
    ]
    assert "Parquet cell is null" in issues[1].message


def test_rows_and_columns(real_copy: Path) -> None:
    path = real_copy / "parquet" / "victims_by_form.parquet"
    t = pq.read_table(path)
    pq.write_table(t.slice(0, t.num_rows - 1), path)
    age = real_copy / "parquet" / "victims_by_age.parquet"
    pq.write_table(pq.read_table(age).drop_columns(["cell_type"]), age)
    issues = parquet_issues(read_package(real_copy))
    assert _where(issues) == [
        ("package.parquet-mismatch", "error", "victims_by_form_parquet", None, None),
        ("package.parquet-mismatch", "error", "victims_by_age_parquet", None, None),
    ]
    assert f"{t.num_rows - 1} rows, the CSV {t.num_rows}" in issues[0].message
    assert "missing cell_type" in issues[1].message


def test_many_differences_are_capped(real_copy: Path) -> None:
    path = real_copy / "parquet" / "victims_by_form.parquet"
    t = pq.read_table(path)
    j = t.schema.get_field_index("edition")
    t = t.set_column(j, t.schema.field(j), pa.array(["x"] * t.num_rows).dictionary_encode())
    pq.write_table(t, path)
    issues = parquet_issues(read_package(real_copy))
    assert len(issues) == MAX_MISMATCHES + 1
    assert issues[-1].row is None
    assert issues[-1].message == f"{t.num_rows - MAX_MISMATCHES} more differing cell(s) not listed"


def test_unreadable_parquet(real_copy: Path) -> None:
    (real_copy / "parquet" / "victims_by_sex.parquet").write_bytes(b"not parquet")
    issues = parquet_issues(read_package(real_copy))
    assert _where(issues) == [
        ("package.parquet-mismatch", "error", "victims_by_sex_parquet", None, None)
    ]
