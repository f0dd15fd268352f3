"""The long files agree with the tables they repeat: ``observations.csv`` holds every cell of
every table and every published total (:mod:`opendata_mh.observations`), so each of its rows
must equal the table row with the same resource, period and codes, field by field (the value
columns and the edition), and every table row and total must have its observation.

``consistency.observation-mismatch`` [error]: resource = ``observations``, row = its data row,
field = the field that differs; the message names the table, its data row and key. A hand edit
of one of the two files (without ``opendata-mh generate``) is found here; the relations, the
audit and the Parquet twins read the tables only and would not see it. A masked row's numbers
are never quoted (only that they differ). The prose figures of ``observations.csv``
(``resource`` = ``text_figures``) are not compared here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from opendata_mh.csvfile import derives_long_columns
from opendata_mh.model.constants import VALUE_COLUMNS
from opendata_mh.observations import OBSERVATIONS
from opendata_mh.relations import key_fields
from opendata_mh.report import Issue, PackageData
from opendata_mh.superseded import SUPERSEDED
from opendata_mh.totals import TOTALS

CODE = "consistency.observation-mismatch"
COMPARED = (*VALUE_COLUMNS, "edition")
NUMBERS = ("value", "value_lower", "value_upper")
PERIOD = "period"

_Key = tuple[str, str, tuple[tuple[str, str], ...]]


def _masked(row: Mapping[str, str]) -> bool:
    return row.get("cell_type") == "masked" or row.get("value_printed", "").startswith("<")


def _describe(key: _Key) -> str:
    series, period, codes = key
    quantity = [f"quantity={series[len(TOTALS) + 1 :]}"] if series.startswith(f"{TOTALS}:") else []
    return ", ".join([*quantity, f"period={period}", *(f"{d}={c}" for d, c in codes)])


def _table_rows(pkg: PackageData, skip: Collection[str | None]) -> dict[_Key, tuple[str, int]]:
    """(series, period, sorted codes) -> (resource, data row) of every table row and total
    (series: the table's name, or ``totals:<quantity>``)."""
    out: dict[_Key, tuple[str, int]] = {}
    for res in pkg.descriptor["resources"]:
        name = res.get("name")
        if name in skip or name not in pkg.rows or name in (OBSERVATIONS, SUPERSEDED):
            continue
        rows = pkg.rows[name]
        if name == TOTALS:
            for i, r in enumerate(rows, 1):
                dim = r.get("dimension", "")
                codes: tuple[tuple[str, str], ...] = ((dim, r.get("code", "")),) if dim else ()
                key = (f"{TOTALS}:{r.get('quantity', '')}", r.get(PERIOD, ""), codes)
                out.setdefault(key, (name, i))
            continue
        keys = key_fields(res)
        fields = {f.get("name") for f in (res.get("schema") or {}).get("fields") or []}
        # a table CSV (period, value_printed, ... derived when read) or one of the long layout
        if not derives_long_columns(res) and (PERIOD not in keys or not set(COMPARED) <= fields):
            continue  # not a table of cells (code lists, text figures, superseded, ...)
        dims = sorted(k for k in keys if k not in (PERIOD, "year_from", "year_to", "edition"))
        for i, r in enumerate(rows, 1):
            codes = tuple((d, r.get(d, "")) for d in dims)
            out.setdefault((str(name), r.get(PERIOD, ""), codes), (name, i))
    return out


def observation_issues(pkg: PackageData, skip: Collection[str | None] = ()) -> list[Issue]:
    """``consistency.observation-mismatch`` issues (see the module docstring)."""
    if OBSERVATIONS not in pkg.rows or OBSERVATIONS in skip:
        return []
    tables = _table_rows(pkg, skip)
    stored = {
        str(r.get("name")): [
            f.get("name")
            for f in (r.get("schema") or {}).get("fields") or []
            if f.get("name") in COMPARED
        ]
        for r in pkg.descriptor["resources"]
    }
    compared = {table for table, _i in tables.values()}
    dim_names = {d for _s, _p, codes in tables for d, _c in codes}
    seen: set[_Key] = set()
    issues: list[Issue] = []
    for n, obs in enumerate(pkg.rows[OBSERVATIONS], 1):
        resource = obs.get("resource", "")
        if resource not in compared:
            continue  # prose figures, or a file this check skipped
        series = f"{TOTALS}:{obs.get('series', '')}" if resource == TOTALS else resource
        codes = tuple(sorted((d, c) for d in dim_names if (c := obs.get(d, ""))))
        key = (series, obs.get(PERIOD, ""), codes)
        if key not in tables:
            issues.append(
                _issue(
                    f"observations.csv data row {n} ({_describe(key)}) has no row in "
                    f"{resource}; observations.csv repeats the tables: edit the metadata and "
                    "run 'opendata-mh generate'",
                    n,
                    None,
                )
            )
            continue
        table, trow = tables[key]
        seen.add(key)
        row = pkg.rows[table][trow - 1]
        hidden = _masked(obs) or _masked(row)
        # totals: the stored columns only (a total is not printed: its value_printed and
        # statuses read back from cell_type are not those observations.csv states)
        for f in stored[table] if table == TOTALS else COMPARED:
            a, b = obs.get(f, ""), row.get(f, "")
            if a == b:
                continue
            where = f"{table}, data row {trow} ({_describe(key)})"
            text = (
                f"differs from {where}"  # a masked row: no figure quoted
                if f in NUMBERS and hidden
                else f'is "{a}" where {where} has "{b}"'
            )
            issues.append(
                _issue(
                    f"observations.csv data row {n}, field {f} {text}; observations.csv "
                    "repeats the tables: edit the metadata and run 'opendata-mh generate'",
                    n,
                    f,
                )
            )
    for key, (table, trow) in tables.items():
        if key not in seen:
            issues.append(
                _issue(
                    f"{table}, data row {trow} ({_describe(key)}) has no row in "
                    "observations.csv; run 'opendata-mh generate'",
                    None,
                    None,
                )
            )
    return issues


def _issue(message: str, row: int | None, field: str | None) -> Issue:
    return Issue(CODE, "error", message, OBSERVATIONS, row, field)
