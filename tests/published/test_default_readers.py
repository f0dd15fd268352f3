"""Every CSV of the package loads with default readers (no options, no schema) and gives the
same type for the same column in every file, so tables join and stack.

Readers: ``pandas.read_csv(path)``, ``polars.read_csv(path)``, DuckDB ``read_csv_auto`` and R's
``read.csv`` (``Rscript`` from Debian's ``r-base-core``, installed by ``scripts/test.sh``; with
``OPENDATA_MH_R_REQUIRED=1`` the R tests fail instead of being skipped when it is missing). Files:
every CSV resource of ``datapackage.json`` with rows (the tables, ``totals``, ``text_figures``,
``observations``, the code lists, the SDMX-CSV). See the package README ("Column types").

The one thing a default reader cannot give one type: a count column is an integer where every
cell has a value and a float (pandas; NumPy has no integer with a missing value) where one is
empty; so numbers are compared by kind (integer or float are both numbers; ``text_figures.value``
also holds percentages such as 28.3). No other exception: a column that is a number in one file
and text in another (``period``, ``value_printed``), or BOOLEAN/logical in one file (a status
column holding only ``F``) fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"
R_REQUIRED = os.environ.get("OPENDATA_MH_R_REQUIRED") == "1"


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
    assert set(types) == set(_csvs()), reader
    by_col: dict[str, dict[str, set[str]]] = {}
    for table, cols in types.items():
        for c, t in cols.items():
            by_col.setdefault(c, {}).setdefault(_kind(t), set()).add(table)
    bad = {c: {t: sorted(tabs)[:3] for t, tabs in ts.items()} for c, ts in by_col.items()}
    bad = {c: ts for c, ts in bad.items() if len(ts) > 1}
    assert not bad, f"{reader}: one column, several types: {bad}"
    # no status or code column read as a boolean (a column holding only F or T)
    boolean = {(n, c) for n, cols in types.items() for c, t in cols.items() if "bool" in t.lower()}
    boolean |= {(n, c) for n, cols in types.items() for c, t in cols.items() if t == "logical"}
    assert not boolean, f"{reader}: read as booleans: {sorted(boolean)[:5]}"
    # the columns researchers join and filter on are integers; edition is text
    for n, cols in types.items():
        for c in ("year_from", "year_to", "value_lower"):
            if c in cols and n != "text_figures":
                assert _kind(cols[c]) == "number", (reader, n, c, cols[c])
        if "edition" in cols:
            assert _kind(cols["edition"]) != "number", (reader, n)


def test_pandas_default_types_agree() -> None:
    types = {n: {c: str(t) for c, t in pd.read_csv(p).dtypes.items()} for n, p in _csvs().items()}
    _check(types, "pandas")
    for n, cols in types.items():
        if "year_from" in cols:
            assert (cols["year_from"], cols["year_to"]) == ("int64", "int64"), n
        if "edition" in cols:
            assert cols["edition"] in ("object", "str"), n


def test_polars_default_types_agree() -> None:
    pl = pytest.importorskip("polars")
    frames = {n: pl.read_csv(p) for n, p in _csvs().items()}  # infer_schema_length=100
    _check({n: {c: str(t) for c, t in f.schema.items()} for n, f in frames.items()}, "polars")
    # the tables stack: a column of two types would make the concatenation fail
    tables = [f for n, f in frames.items() if "cell_type" in f.columns and n != "observations"]
    stacked = pl.concat(tables, how="diagonal")
    assert stacked.height == sum(f.height for f in tables)


def test_duckdb_default_types_agree() -> None:
    import duckdb

    con = duckdb.connect()
    types = {}
    for n, p in _csvs().items():
        rel = con.sql(f"SELECT * FROM read_csv_auto('{p}')")
        types[n] = {c: str(t) for c, t in zip(rel.columns, rel.types, strict=True)}
    _check(types, "duckdb")


def _rscript() -> str:
    r = shutil.which("Rscript")
    if r is None:
        if R_REQUIRED:
            pytest.fail(
                "Rscript is missing and OPENDATA_MH_R_REQUIRED=1 (apt-get install r-base-core)"
            )
        pytest.skip("R is not installed (apt-get install r-base-core; scripts/test.sh does)")
    return r


def test_r_default_types_agree() -> None:
    rscript = _rscript()
    csvs = _csvs()
    script = (
        "args <- commandArgs(TRUE); for (i in seq(1, length(args), 2)) { "
        "d <- read.csv(args[i + 1]); "
        "cat(args[i], paste(names(d), sapply(d, class), sep='=', collapse=' '), '\\n') }"
    )
    out = subprocess.run(
        [rscript, "-e", script, *(x for n, p in csvs.items() for x in (n, str(p)))],
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
    # every column two tables share has one type, so DuckDB can compare them all (a natural
    # join on every shared column; with `period` an integer in one table and text in the
    # other it stopped with a conversion error), and they join on their key columns
    court_csv, form_csv = (
        PACKAGE / "data" / f for f in ("court_outcomes.csv", "victims_by_form.csv")
    )
    shared = set(pd.read_csv(court_csv).columns) & set(pd.read_csv(form_csv).columns)
    assert {"year_from", "year_to", "form", "value", "cell_type", "edition"} <= shared
    natural = f"read_csv_auto('{court_csv}') NATURAL JOIN read_csv_auto('{form_csv}')"
    duckdb.sql(f"SELECT count(*) FROM {natural}").fetchall()
    ((n,),) = duckdb.sql(
        f"SELECT count(*) FROM read_csv_auto('{court_csv}') c "
        f"JOIN read_csv_auto('{form_csv}') v USING (year_from, year_to, edition)"
    ).fetchall()
    assert n > 0


def test_the_two_questions_in_r_with_read_csv() -> None:
    """The researcher's two questions (README, "Two questions") in R, ``read.csv`` without
    options: tables, totals and the long file join on their integer year columns."""
    rscript = _rscript()
    script = (
        "d <- commandArgs(TRUE)[1]; "
        "r <- read.csv(file.path(d, 'victims_by_reporter.csv')); "
        "t <- read.csv(file.path(d, 'totals.csv')); "
        "o <- read.csv(file.path(d, 'observations.csv')); "
        "j <- merge(r[r$reporter == 'police' & r$form == 'all', ], "
        "t[t$quantity == 'victims_total', ], by = c('year_from', 'year_to', 'edition')); "
        "cat(paste(j$year_to, j$value.x, j$value.y), sep = '\\n'); "
        "l <- o[o$region %in% 'latin_america' & o$form %in% 'sexual', ]; "
        "cat(paste('latam', l$year_to, l$value), sep = '\\n')"
    )
    out = subprocess.run(
        [rscript, "-e", script, str(PACKAGE / "data")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    # police share of the victims: 354 of 868 in 2023 (the denominator from totals)
    assert {"2019 953 1372", "2022 317 814", "2023 354 868"} <= set(out)
    # Latin-American victims of sexual exploitation: 26 in 2022 (text), 68 in 2023 (table 5)
    assert {x for x in out if x.startswith("latam")} == {"latam 2022 26", "latam 2023 68"}


def test_reading_a_table_derives_the_long_files_columns_exactly() -> None:
    """The table CSVs have no ``period``, ``value_printed``, ``obs_status``, ``conf_status``;
    reading the package (``check``, ``show``, ``diff``, ...) derives them from the years,
    ``cell_type`` and the bounds, and they equal those of ``observations.csv`` for every cell
    of every table (masked ``<5``, IND ranges ``170-180``, unresolved, rounded, zero)."""
    from opendata_mh.model.constants import LONG_ONLY_COLUMNS
    from opendata_mh.relations import key_fields
    from opendata_mh.validate import read_package

    pkg = read_package(PACKAGE)
    obs = pd.read_csv(PACKAGE / "data" / "observations.csv", dtype=str, keep_default_na=False)
    seen = set()
    cells = 0
    for res in pkg.descriptor["resources"]:
        if "sdc" not in res or not str(res["path"]).endswith(".csv"):
            continue
        name = res["name"]
        header = pd.read_csv(PACKAGE / res["path"], nrows=0).columns
        assert not set(LONG_ONLY_COLUMNS) & set(header), name
        keys = key_fields(res)
        assert keys[0] == "period", name
        long = {tuple(r[k] for k in keys): r for r in obs[obs.resource == name].to_dict("records")}
        for row in pkg.rows[name]:
            want = long[tuple(row[k] for k in keys)]
            assert {c: row[c] for c in LONG_ONLY_COLUMNS} == {
                c: want[c] for c in LONG_ONLY_COLUMNS
            }, (name, row)
            seen.add((row["cell_type"], row["value_printed"][:1]))
            cells += 1
    assert cells == 673  # every table cell of the package (CHANGELOG)
    assert {("masked", "<"), ("range", "1"), ("unresolved", ""), ("zero", "0")} <= seen
