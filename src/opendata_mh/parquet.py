"""Parquet copies of the package's tables (the only pyarrow import of the package).

Two kinds of file, both built from the same string rows as the CSVs (so they cannot drift):

* **one file per resource** (:func:`resource_parquet`): the CSV's columns in the CSV's order,
  typed from the resource's Table Schema: ``integer`` -> int64 (nullable: a masked, range or
  unresolved cell is null, never 0), ``number`` -> float64, ``string`` -> string. Dimension
  codes, labels, ``period`` and the status columns (every primary-key, enum or ``*_label*``
  field) are dictionary-encoded. The file's key-value metadata holds ``frictionless:schema``
  (the Table Schema, JSON) and ``frictionless:resource`` (the resource's metadata without the
  schema: title, description, sources, sdc, notes, ..., JSON).
* **one combined long file** of every table (:func:`combined_parquet`, :data:`COMBINED_COLUMNS`):
  one row per published cell of every table resource, with ``resource``, ``report_table``,
  ``unit``, ``period``, the cell's dimensions as ``dimensions`` (a JSON object ``{"dim": "code"}``
  in the table's dimension order, ``{}`` for a table without dimensions), their labels as
  ``labels`` and ``labels_en`` (JSON objects ``{"dim": "label"}``), then one code column per
  dimension of any table (null where the table does not have that dimension), then the value
  columns of the CSVs (``value`` .. ``conf_status``, plus any other column every table shares,
  such as ``edition``). The text figures are not a table and are not in it.

Determinism: the same rows give the same bytes (pyarrow writes no timestamps; options are fixed
here). Bytes can differ between pyarrow versions (the footer's ``created_by`` names the version),
so :func:`same_content` compares two files by content (schema, key-value metadata, values):
``generate --check`` uses it so that an upgrade of pyarrow alone does not make the committed
package "out of date".
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from opendata_mh.csvfile import derives_long_columns
from opendata_mh.model.constants import LONG_ONLY_COLUMNS, VALUE_COLUMNS
from opendata_mh.report import Issue, PackageData, Severity

SCHEMA_KEY = b"frictionless:schema"
RESOURCE_KEY = b"frictionless:resource"
COMBINED_COLUMNS = (
    "resource",
    "report_table",
    "unit",
    "period",
    "dimensions",
    "labels",
    "labels_en",
)
"""The leading columns of the combined file; then one column per dimension, then the values."""

_DICT = pa.dictionary(pa.int32(), pa.string())
_FREE_TEXT = {"value_printed", "quote", "description_en", "printed", "refers_to", "figure_id"}


def _json(x: Any) -> str:
    return json.dumps(x, ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def _is_dict_field(f: Mapping[str, Any], keys: Sequence[str]) -> bool:
    if f.get("type") != "string" or f["name"] in _FREE_TEXT:
        return False
    name = str(f["name"])
    return (
        name in keys
        or "enum" in (f.get("constraints") or {})
        or name.endswith(("_label", "_label_en"))
        or name in ("period", "edition", "unit")
    )


def _arrow_type(f: Mapping[str, Any], keys: Sequence[str]) -> pa.DataType:
    t = f.get("type")
    if t == "integer":
        return pa.int64()
    if t == "number":
        return pa.float64()
    return _DICT if _is_dict_field(f, keys) else pa.string()


def _convert(values: Sequence[str], typ: pa.DataType) -> pa.Array:
    if pa.types.is_int64(typ):
        return pa.array([None if v == "" else int(v) for v in values], type=pa.int64())
    if pa.types.is_float64(typ):
        return pa.array([None if v == "" else float(v) for v in values], type=pa.float64())
    strings = pa.array(list(values), type=pa.string())
    return strings.dictionary_encode() if pa.types.is_dictionary(typ) else strings


def _pandas_metadata(schema: pa.Schema) -> bytes:
    """pandas' own schema note, so that ``pandas.read_parquet`` (and frictionless, which reads
    Parquet through pandas) gives nullable ``Int64`` columns (masked -> <NA>, never NaN floats
    or 0). Written by hand with fixed versions, so the bytes do not depend on the installed
    pandas or pyarrow."""
    cols = []
    for f in schema:
        if pa.types.is_int64(f.type):
            pt, nt, md = "int64", "Int64", None
        elif pa.types.is_float64(f.type):
            pt, nt, md = "float64", "float64", None
        elif pa.types.is_dictionary(f.type):
            pt, nt, md = "categorical", "int32", {"num_categories": None, "ordered": False}
        else:
            pt, nt, md = "unicode", "object", None
        cols.append(
            {
                "name": f.name,
                "field_name": f.name,
                "pandas_type": pt,
                "numpy_type": nt,
                "metadata": md,
            }
        )
    note = {
        "index_columns": [],
        "column_indexes": [],
        "columns": cols,
        "attributes": {},
        "creator": {"library": "opendata-mh", "version": "1"},
        "pandas_version": "2.0.0",
    }
    return _json(note).encode("utf-8")


def _to_bytes(table: pa.Table) -> bytes:
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), b"pandas": _pandas_metadata(table.schema)}
    )
    buf = io.BytesIO()
    pq.write_table(
        table,
        buf,
        version="2.6",
        compression="zstd",
        compression_level=9,
        use_dictionary=True,
        write_statistics=True,
        data_page_version="1.0",
        store_schema=True,
    )
    return buf.getvalue()


def resource_arrow(resource: Mapping[str, Any], rows: Sequence[Sequence[str]]) -> pa.Table:
    """The typed Arrow table of one resource. ``rows[0]`` is the CSV header, the rest data rows
    as strings ("" = missing); ``resource`` the resource's descriptor (with ``schema``)."""
    schema = resource["schema"]
    fields = {f["name"]: f for f in schema["fields"]}
    pk = schema.get("primaryKey", [])
    keys = [pk] if isinstance(pk, str) else list(pk)
    header, data = list(rows[0]), rows[1:]
    arrays, afields = [], []
    for j, name in enumerate(header):
        f = fields.get(name, {"name": name, "type": "string"})
        typ = _arrow_type(f, keys)
        arrays.append(_convert([r[j] for r in data], typ))
        afields.append(
            pa.field(
                name,
                typ,
                nullable=True,
                metadata={b"description": str(f.get("description", "")).encode("utf-8")},
            )
        )
    meta = {k: v for k, v in resource.items() if k != "schema"}
    kv = {SCHEMA_KEY: _json(schema).encode("utf-8"), RESOURCE_KEY: _json(meta).encode("utf-8")}
    return pa.Table.from_arrays(arrays, schema=pa.schema(afields, metadata=kv))


def resource_parquet(resource: Mapping[str, Any], rows: Sequence[Sequence[str]]) -> bytes:
    """Parquet bytes of one resource (see the module docstring). Deterministic."""
    return _to_bytes(resource_arrow(resource, rows))


def _combined_columns(
    tables: Sequence[tuple[Mapping[str, Any], Sequence[Sequence[str]]]],
) -> tuple[dict[str, list[Any]], list[str], list[str]]:
    """The combined file's columns before typing (CSV strings; ``report_table`` as given in
    the descriptor), the dimension columns and the extra value columns."""
    dims: list[str] = []
    for res, _rows in tables:
        for k in _dims(res):
            if k not in dims:
                dims.append(k)
    headers = [list(rows[0]) for _res, rows in tables]
    extra = (
        [
            c
            for c in headers[0]
            if c not in VALUE_COLUMNS
            and c != "period"
            and c not in dims
            and not c.endswith(("_label", "_label_en"))
            and all(c in h for h in headers)
        ]
        if headers
        else []
    )
    cols: dict[str, list[Any]] = {c: [] for c in (*COMBINED_COLUMNS, *dims, *VALUE_COLUMNS, *extra)}
    for res, rows in tables:
        header = list(rows[0])
        idx = {c: j for j, c in enumerate(header)}
        rdims = _dims(res)
        unit = res.get("unit")
        for r in rows[1:]:
            cols["resource"].append(res["name"])
            cols["report_table"].append(res.get("reportTable"))
            cols["unit"].append(unit.get("id") if isinstance(unit, dict) else unit)
            cols["period"].append(r[idx["period"]])
            cols["dimensions"].append(_json({d: r[idx[d]] for d in rdims}))
            cols["labels"].append(_json({d: r[idx[f"{d}_label"]] for d in rdims}))
            cols["labels_en"].append(_json({d: r[idx[f"{d}_label_en"]] for d in rdims}))
            for d in dims:
                cols[d].append(r[idx[d]] if d in rdims else None)
            for c in (*VALUE_COLUMNS, *extra):
                cols[c].append(r[idx[c]])
    return cols, dims, extra


def combined_arrow(
    tables: Sequence[tuple[Mapping[str, Any], Sequence[Sequence[str]]]],
    package: Mapping[str, Any] | None = None,
) -> pa.Table:
    """The long table of every table resource: ``tables`` is ``[(resource, rows), ...]`` as for
    :func:`resource_arrow`. See :data:`COMBINED_COLUMNS` and the module docstring."""
    cols, dims, extra = _combined_columns(tables)
    ints = {"value", "value_lower", "value_upper"}
    plain = {"dimensions", "labels", "labels_en", "value_printed"}
    arrays, afields = [], []
    for c, vals in cols.items():
        if c == "report_table":
            arr = pa.array(vals, type=pa.int64())
        elif c in ints:
            arr = pa.array([None if v == "" else int(v) for v in vals], type=pa.int64())
        elif c in plain:
            arr = pa.array(vals, type=pa.string())
        else:
            arr = pa.array(vals, type=pa.string()).dictionary_encode()
        arrays.append(arr)
        afields.append(pa.field(c, arr.type, nullable=True))
    kv: dict[bytes, bytes] = {
        b"opendata-mh:columns": _json(
            {
                "leading": list(COMBINED_COLUMNS),
                "dimensions": dims,
                "values": [*VALUE_COLUMNS, *extra],
            }
        ).encode("utf-8"),
        b"opendata-mh:resources": _json([res["name"] for res, _ in tables]).encode("utf-8"),
    }
    if package:
        kv[b"opendata-mh:package"] = _json(
            {k: package[k] for k in ("name", "version", "edition", "title_en") if k in package}
        ).encode("utf-8")
    return pa.Table.from_arrays(arrays, schema=pa.schema(afields, metadata=kv))


def combined_parquet(
    tables: Sequence[tuple[Mapping[str, Any], Sequence[Sequence[str]]]],
    package: Mapping[str, Any] | None = None,
) -> bytes:
    """Parquet bytes of the combined long file (see :func:`combined_arrow`). Deterministic."""
    return _to_bytes(combined_arrow(tables, package))


def _dims(res: Mapping[str, Any]) -> list[str]:
    pk = res["schema"].get("primaryKey", [])
    return [
        k
        for k in ([pk] if isinstance(pk, str) else pk)
        if k not in ("period", "year_from", "year_to")
    ]


def same_content(a: bytes, b: bytes) -> bool:
    """True when two Parquet files hold the same schema (with key-value metadata) and values,
    whatever the writer's version; False when they differ or either is not readable Parquet."""
    if a == b:
        return True
    try:
        ta = _read(io.BytesIO(a))
        tb = _read(io.BytesIO(b))
    except (pa.ArrowException, OSError):
        return False
    return bool(ta.schema.equals(tb.schema, check_metadata=True) and ta.equals(tb))


def read_parquet(path: str) -> pa.Table:
    """Read a Parquet file of the package as an Arrow table (for checks and tests)."""
    return _read(path)


def _read(source: Any) -> pa.Table:
    """One Parquet file as a table. ``ParquetFile.read``, not ``pq.read_table``: the latter
    goes through ``pyarrow.dataset``, which imports pandas (0.3 s of every ``check``)."""
    with pq.ParquetFile(source) as f:
        return f.read()


# --------------------------------------------------------------------------------------------
# The check: each Parquet twin against its CSV (plugged into validate.check as an extra check)
# --------------------------------------------------------------------------------------------

ISSUE_CODES: dict[str, Severity] = {"package.parquet-mismatch": "error"}
"""Issue codes of :func:`parquet_check` (``check`` emits them through ``extra_checks``)."""

MAX_MISMATCHES = 20
"""At most this many cell issues per Parquet file; one more issue says how many were left out."""


def _mismatch(
    message: str, resource: str, row: int | None = None, field: str | None = None
) -> Issue:
    return Issue("package.parquet-mismatch", "error", message, resource, row, field)


def _differs(csv_value: Any, pq_value: Any) -> str | None:
    """Why a Parquet cell differs from its CSV cell (no value in the text: a tampered or
    unprotected figure must not reach public CI logs), or None when they agree. ``csv_value``
    is the CSV string (or, in the combined file, a descriptor value such as ``reportTable``
    or None where a table lacks a dimension)."""
    if csv_value is None or csv_value == "":
        if pq_value is None or (csv_value == "" and pq_value == ""):
            return None
        return "the CSV cell is empty but the Parquet cell holds a value (expected null)"
    if pq_value is None:
        return "the CSV cell holds a value but the Parquet cell is null"
    if not isinstance(csv_value, str):
        return None if csv_value == pq_value else "the Parquet value differs from the package's"
    if isinstance(pq_value, bool):
        same = csv_value.lower() == str(pq_value).lower()
    elif isinstance(pq_value, (int, float)):
        try:
            same = float(csv_value) == float(pq_value)
        except ValueError:
            same = False
    else:
        same = csv_value == str(pq_value)
    return None if same else "the Parquet value differs from the CSV's"


def _csv_rows(pkg: PackageData, name: str, long: bool = False) -> list[list[str]]:
    """The CSV of resource ``name`` as ``[header, *rows]`` (header from the CSV, or from the
    schema when the CSV has no data row); ``long``: with the columns that reading adds to a
    table's rows (``period``, ``value_printed``, ..., as in the combined file)."""
    data = pkg.rows.get(name, [])
    res = pkg.resource(name) or {}
    if data:
        header = list(data[0])
        if derives_long_columns(res) and not long:  # columns added on reading, not in the file
            header = [c for c in header if c not in LONG_ONLY_COLUMNS]
    else:
        header = [str(f.get("name")) for f in (res.get("schema") or {}).get("fields", [])]
    return [header, *[[r.get(c) or "" for c in header] for r in data]]


def _compare(
    pq_name: str,
    table: pa.Table,
    columns: Sequence[str],
    expected: Mapping[str, Sequence[Any]],
    where: Sequence[str],
) -> list[Issue]:
    """Cell-by-cell comparison of ``table`` with ``expected`` (column -> values, in
    ``columns`` order); ``where[i]`` names row ``i + 1``'s source for the messages."""
    got = list(table.column_names)
    if got != list(columns):
        missing = [c for c in columns if c not in got]
        extra = [c for c in got if c not in columns]
        detail = (f"missing {', '.join(missing)}" if missing else "") + (
            f"{'; ' if missing else ''}extra {', '.join(extra)}" if extra else ""
        )
        return [
            _mismatch(
                f"the Parquet columns differ from the CSV's ({detail or 'other order'}); "
                "regenerate the package (opendata-mh generate)",
                pq_name,
            )
        ]
    n = len(where)
    if table.num_rows != n:
        return [
            _mismatch(
                f"the Parquet file has {table.num_rows} rows, the CSV {n}; regenerate the "
                "package (opendata-mh generate)",
                pq_name,
            )
        ]
    out: list[Issue] = []
    left_out = 0
    for c in columns:
        values = table.column(c).to_pylist()
        for i, (want, have) in enumerate(zip(expected[c], values, strict=True)):
            why = _differs(want, have)
            if why is None:
                continue
            if len(out) >= MAX_MISMATCHES:
                left_out += 1
                continue
            out.append(
                _mismatch(
                    f"{why} ({where[i]}, column {c}); the Parquet twin must hold exactly the "
                    "CSV's figures: regenerate the package (opendata-mh generate)",
                    pq_name,
                    i + 1,
                    c,
                )
            )
    if left_out:
        out.append(_mismatch(f"{left_out} more differing cell(s) not listed", pq_name))
    return out


def parquet_issues(pkg: PackageData) -> list[Issue]:
    """Compare every Parquet twin of the package with the CSV it is a format of.

    A Parquet resource (``format`` parquet) whose ``isFormatOf`` names one CSV resource must
    have the CSV's columns in the CSV's order, the same number of rows and, cell by cell, the
    same values (integers and numbers by value, strings as written) with null where the CSV
    cell is empty (a masked, range or unresolved cell's ``value``). The combined file
    (``isFormatOf`` lists the table resources) must equal what :func:`combined_arrow` builds
    from those CSVs. Each difference is a ``package.parquet-mismatch`` issue (error) naming
    the Parquet resource, its 1-based row and the column; the message names the CSV row and
    never a value. At most :data:`MAX_MISMATCHES` cell issues per file, then a count.

    A file pyarrow cannot read is one issue (without a row). Parquet resources that name no
    CSV resource of the package are skipped.
    """
    issues: list[Issue] = []
    for res in pkg.descriptor.get("resources", []):
        if not isinstance(res, dict) or str(res.get("format", "")).lower() != "parquet":
            continue
        name, of = str(res.get("name")), res.get("isFormatOf")
        if isinstance(of, str):
            sources = [of]
        elif isinstance(of, list) and all(isinstance(x, str) for x in of):
            sources = list(of)
        else:
            continue
        if not sources or any(x not in pkg.rows for x in sources):
            continue
        try:
            table = _read(pkg.base_path / str(res["path"]))
        except (pa.ArrowException, OSError) as exc:
            issues.append(_mismatch(f"pyarrow cannot read the Parquet file: {exc}", name))
            continue
        if isinstance(of, str):
            rows = _csv_rows(pkg, of)
            header = rows[0]
            expected = {c: [r[j] for r in rows[1:]] for j, c in enumerate(header)}
            where = [f"{of} row {i}" for i in range(1, len(rows))]
            issues += _compare(name, table, header, expected, where)
            continue
        tables = []
        for x in sources:
            src = pkg.resource(x)
            if src is None:
                break
            tables.append((src, _csv_rows(pkg, x, long=True)))
        else:
            try:
                cols = _combined_columns(tables)[0]
            except (KeyError, IndexError) as exc:
                issues.append(
                    _mismatch(f"the CSVs lack a column of the combined file: {exc}", name)
                )
                continue
            where = [f"{src['name']} row {i}" for src, rows in tables for i in range(1, len(rows))]
            issues += _compare(name, table, list(cols), cols, where)
    return issues


def parquet_check(pkg: PackageData) -> Iterable[Issue]:
    """:func:`parquet_issues` as an extra check of ``validate.check(path, extra_checks=...)``
    (``validate`` does not import pyarrow; ``check`` in the CLI, ``publish`` and ``build``
    plug it in)."""
    return parquet_issues(pkg)


__all__ = [
    "COMBINED_COLUMNS",
    "ISSUE_CODES",
    "MAX_MISMATCHES",
    "RESOURCE_KEY",
    "SCHEMA_KEY",
    "combined_arrow",
    "combined_parquet",
    "parquet_check",
    "parquet_issues",
    "read_parquet",
    "resource_arrow",
    "resource_parquet",
    "same_content",
]
