"""Every CSV of the package loads with default readers (no options, no schema) and gives the
same type for the same column in every table, so tables join and stack.

Readers: ``pandas.read_csv(path)``, ``polars.read_csv(path)``, DuckDB ``read_csv_auto`` and,
when ``Rscript`` is installed, R's ``read.csv``. See the package README ("Column types").

What a default reader cannot give one type everywhere, and how the test treats it:

* numbers are compared by kind (integer or float): pandas reads a count column with an empty
  cell as float64 with NaN (NumPy has no integer with a missing value; never 0), and
  ``text_figures.value`` holds percentages such as 28.3;
* the printed labels ``period`` and ``value_printed`` are left out: ``2019`` and ``181`` are
  numbers to a reader that sees only such values, text next to ``2019-2023`` or ``<5``. Join on
  the integer ``year_from``/``year_to`` and compute with ``value``/``value_lower``/``value_upper``;
* DuckDB reads a status column holding only ``F`` as BOOLEAN (false): ``conf_status`` is
  compared for DuckDB only where the table has another status as well (listed in the README).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"
LABEL_COLUMNS = {"period", "value_printed"}


def _csvs() -> dict[str, Path]:
    d = json.loads((PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    return {
        r["name"]: PACKAGE / r["path"]
        for r in d["resources"]
        if str(r["path"]).endswith(".csv")
        and (PACKAGE / r["path"]).read_text(encoding="utf-8").count("\n") > 1
    }


def _kind(t: str) -> str:
    t = t.lower()
    if any(x in t for x in ("int", "float", "double", "numeric", "decimal")):
        return "number"
    return t


def _check(types: dict[str, dict[str, str]], reader: str) -> None:
    by_col: dict[str, dict[str, set[str]]] = {}
    for table, cols in types.items():
        for c, t in cols.items():
            by_col.setdefault(c, {}).setdefault(t, set()).add(table)
    bad = {}
    for c, ts in by_col.items():
        if c in LABEL_COLUMNS:
            continue
        if {_kind(t) for t in ts} == {"number"}:
            continue
        if reader == "duckdb" and c == "conf_status" and set(ts) == {"VARCHAR", "BOOLEAN"}:
            continue
        if len(ts) > 1:
            bad[c] = {t: sorted(tabs)[:3] for t, tabs in ts.items()}
    assert not bad, f"{reader}: one column, several types: {bad}"


def test_pandas_default_types_agree() -> None:
    types = {n: {c: str(t) for c, t in pd.read_csv(p).dtypes.items()} for n, p in _csvs().items()}
    _check(types, "pandas")
    # the columns researchers join and filter on are integers; edition is text
    for n, cols in types.items():
        if "year_from" in cols:
            assert (cols["year_from"], cols["year_to"]) == ("int64", "int64"), n
        if "edition" in cols:
            assert cols["edition"] in ("object", "str"), n


def test_polars_default_types_agree() -> None:
    pl = pytest.importorskip("polars")
    types = {n: {c: str(t) for c, t in pl.read_csv(p).schema.items()} for n, p in _csvs().items()}
    _check(types, "polars")


def test_duckdb_default_types_agree() -> None:
    import duckdb

    con = duckdb.connect()
    types = {}
    for n, p in _csvs().items():
        rel = con.sql(f"SELECT * FROM read_csv_auto('{p}')")
        types[n] = {c: str(t) for c, t in zip(rel.columns, rel.types, strict=True)}
    _check(types, "duckdb")


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_r_default_types_agree() -> None:
    script = (
        "args <- commandArgs(TRUE); for (f in args) { d <- read.csv(f); "
        "cat(basename(f), paste(names(d), sapply(d, class), sep='=', collapse=' '), '\\n') }"
    )
    out = subprocess.run(
        ["Rscript", "-e", script, *map(str, _csvs().values())],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    types = {}
    for line in out.splitlines():
        name, *cols = line.split()
        types[name] = dict(c.split("=", 1) for c in cols)
    _check(types, "R")


def test_two_tables_join_on_their_shared_columns_with_default_readers() -> None:
    import duckdb

    reporter = pd.read_csv(PACKAGE / "data" / "victims_by_reporter.csv")
    by_form = pd.read_csv(PACKAGE / "data" / "victims_by_form.csv")
    court = pd.read_csv(PACKAGE / "data" / "court_outcomes.csv")  # has 2019-2023 too
    keys = ["year_from", "year_to", "form", "edition"]
    j = reporter[reporter.reporter == "police"].merge(by_form, on=keys, suffixes=("", "_all"))
    row = j[(j.year_to == 2023) & (j.form == "labour")].iloc[0]
    assert (row.value, row.value_all) == (25, 299)
    # a table with five-year totals joins on the same integer columns
    c = court[court.form == "all"].merge(by_form, on=["year_from", "year_to"])
    assert sorted(set(c.year_to)) == [2019, 2020, 2021, 2022, 2023]
    (n,) = duckdb.sql(
        f"SELECT count(*) FROM read_csv_auto('{PACKAGE / 'data' / 'court_outcomes.csv'}') c "
        f"JOIN read_csv_auto('{PACKAGE / 'data' / 'victims_by_form.csv'}') v "
        "USING (year_from, year_to, edition)"
    ).fetchall()
    assert n[0] > 0
