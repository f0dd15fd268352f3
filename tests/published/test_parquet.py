"""The committed Parquet files equal the committed CSVs, cell by cell, read with pyarrow and with
DuckDB; types are right (masked -> null, never 0); the Table Schema is in the file."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from opendata_mh.csvfile import with_long_columns

PKG = Path(__file__).resolve().parents[2] / "datapackage"
DESC = json.loads((PKG / "datapackage.json").read_text(encoding="utf-8"))
RES = {r["name"]: r for r in DESC["resources"]}
CSV_RES = [r for r in DESC["resources"] if r["format"] == "csv" and r["path"].startswith("data/")]
TABLES = [r for r in CSV_RES if "sdc" in r]


def _csv(res: dict[str, Any]) -> list[dict[str, Any]]:
    """CSV rows typed by the Table Schema: integer -> int, number -> float, "" -> None."""
    types = {f["name"]: f["type"] for f in res["schema"]["fields"]}
    conv = {"integer": int, "number": float, "string": str}
    with (PKG / res["path"]).open(encoding="utf-8", newline="") as fh:
        return [
            {
                k: (None if v == "" and types[k] != "string" else conv[types[k]](v))
                for k, v in r.items()
            }
            for r in csv.DictReader(fh)
        ]


def _norm(v: Any) -> Any:
    return None if v is None else v


@pytest.mark.parametrize("res", CSV_RES, ids=lambda r: r["name"])
def test_parquet_equals_csv_pyarrow(res: dict[str, Any]) -> None:
    pres = RES[f"{res['name']}_parquet"]
    assert pres["isFormatOf"] == res["name"]
    assert pres["mediatype"] == "application/vnd.apache.parquet"
    table = pq.read_table(PKG / pres["path"])
    assert table.column_names == [f["name"] for f in res["schema"]["fields"]]
    assert table.to_pylist() == _csv(res)
    meta = table.schema.metadata
    assert json.loads(meta[b"frictionless:schema"]) == res["schema"]
    assert json.loads(meta[b"frictionless:resource"])["title_en"] == res["title_en"]
    for f in res["schema"]["fields"]:
        t = table.schema.field(f["name"]).type
        if f["type"] == "integer":
            assert t == pa.int64()
        dim = "sdc" in res and f["name"] in res["schema"]["primaryKey"][2:]  # not the years
        if dim or f["name"].endswith(("_label", "_label_en")) or f["name"] == "cell_type":
            assert pa.types.is_dictionary(t), f["name"]


@pytest.mark.parametrize("res", CSV_RES, ids=lambda r: r["name"])
def test_parquet_equals_csv_duckdb(res: dict[str, Any]) -> None:
    path = PKG / RES[f"{res['name']}_parquet"]["path"]
    rel = duckdb.sql(f"SELECT * FROM read_parquet('{path}')")
    rows = [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]
    assert rows == _csv(res)
    types = dict(zip(rel.columns, [str(t) for t in rel.types], strict=True))
    if "value" in types and res["name"] != "text_figures":
        assert types["value"] == "BIGINT"


def test_masked_is_null_not_zero() -> None:
    t = pq.read_table(PKG / "parquet" / "victims_by_form.parquet").to_pylist()
    organ = {r["year_from"]: r for r in t if r["form"] == "organ_removal"}
    assert organ[2020]["value"] is None and organ[2020]["cell_type"] == "masked"
    assert (organ[2020]["value_lower"], organ[2020]["value_upper"]) == (1, 4)
    assert organ[2021]["value"] == 0 and organ[2019]["value"] == 6
    dom = {r["year_from"]: r["value"] for r in t if r["form"] == "sexual_domestic"}
    assert dom[2019] == 181


def test_combined_long_file() -> None:
    res = RES["all_tables"]
    assert res["isFormatOf"] == [r["name"] for r in TABLES]
    path = PKG / res["path"]
    table = pq.read_table(path)
    assert table.column_names == [f["name"] for f in res["schema"]["fields"]]
    assert table.num_rows == sum(len(_csv(r)) for r in TABLES) == 673
    rows = table.to_pylist()
    seen = 0
    for r in TABLES:
        dims = r["schema"]["primaryKey"][2:]  # after year_from, year_to
        mine = [x for x in rows if x["resource"] == r["name"]]
        for a, b in zip(mine, _csv(r), strict=True):
            # period, value_printed and the statuses are in the long file only (the table CSV
            # has the years and cell_type they follow from)
            long = with_long_columns({k: "" if v is None else str(v) for k, v in b.items()})
            assert a["period"] == long["period"]
            assert (a["value_printed"], a["conf_status"]) == (
                long["value_printed"],
                long["conf_status"],
            )
            assert json.loads(a["dimensions"]) == {d: b[d] for d in dims}
            assert json.loads(a["labels_en"]) == {d: b[f"{d}_label_en"] for d in dims}
            for d in dims:
                assert a[d] == b[d]
            for k in ("value", "value_lower", "value_upper", "cell_type"):
                assert a[k] == b[k]
            assert a["report_table"] == r["reportTable"] and a["unit"] == r["unit"]["id"]
            seen += 1
    assert seen == table.num_rows
    # the same through DuckDB: a figure of the report by its key column and by the JSON
    con = duckdb.connect()
    q = (
        f"SELECT value, value_lower, value_upper FROM read_parquet('{path}') "
        "WHERE resource = 'victims_by_form' AND period = '2023' AND form = ?"
    )
    assert con.execute(q, ["organ_removal"]).fetchall() == [(None, 1, 4)]
    assert con.execute(q, ["labour"]).fetchall() == [(299, 299, 299)]
    q2 = (
        f"SELECT count(*) FROM read_parquet('{path}') "
        "WHERE json_extract_string(dimensions, '$.form') = 'labour'"
    )
    assert con.execute(q2).fetchone()[0] == sum(1 for x in rows if x["form"] == "labour")
