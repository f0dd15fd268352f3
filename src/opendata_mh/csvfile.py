"""What is wrong with a CSV file as a file, before its cells are checked (``check``).

:func:`inspect_csv` looks at the raw bytes of one CSV resource and returns the decoded text (or
``None`` when the file is too broken to read its rows) and the issues, each naming the resource,
the file, and where there is one the data row (1-based) and the field:

``format.empty-file``          [error] 0 bytes (or only white space): no header, no rows
``format.no-rows``             [error] a header and no data rows, for a table that is not marked
                                       ``available = false`` (an empty export)
``format.csv-separator``       [error] the fields are separated by ``;``, a tab or ``|``, not by a
                                       comma; said once for the file instead of one finding per
                                       row and column
``format.csv-dialect``         [error] not UTF-8: the row, the field and the likely encoding
                                       (Windows-1252, Latin-1, UTF-16); BOM and CR line ends are
                                       reported by :mod:`opendata_mh.validate`
``format.csv-row``             [error] an unclosed quote: a cell that runs over a line end into
                                       the rows that follow (the first such record: its data
                                       row, line and field)
``format.lookalike-character`` [error] a header label or a code (a key or enum field) with a
                                       character that looks like another or cannot be seen
                                       (Cyrillic/Greek look-alikes, zero-width and no-break
                                       spaces, other format or control characters)

A file with one of the first five (a *broken* file, :data:`BROKEN`) is not read further: its
rows are not checked cell by cell, so it gives one finding, not hundreds of cascading ones.

:func:`table_rows` is the one way the commands that *use* a table (``show``, ``tables``,
``docs``, ``diff``) get its rows from a read package: a broken file, a header without a schema
field, or a row whose cells do not match the header (an unclosed quote) raises
:class:`TableFileError` (CLI exit 3) naming the resource, file, row and field, instead of
showing a table without cells:

``format.csv-header``          [error] a field of the schema is not in the header (a renamed
                                       column)
``format.csv-row``             [error] a data row with more or fewer cells than the header (an
                                       unclosed quote is found by :func:`inspect_csv` already)

The table CSVs and ``totals.csv`` have no ``period``, ``value_printed``, ``obs_status`` or
``conf_status`` column (:data:`opendata_mh.model.constants.LONG_ONLY_COLUMNS`: a default reader
would give them a different type in different files). :func:`with_long_columns` adds them to the
rows as read, from ``year_from``/``year_to`` and ``cell_type`` and the bounds, so every command
(``check``, ``show``, ``tables``, ``docs``, ``diff``, ``text``, the audit) sees a cell as before;
:func:`key_fields` gives a table's key as ``period`` and its dimensions.

Pure standard library; no third-party import.
"""

from __future__ import annotations

import csv
import difflib
import io
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from opendata_mh.errors import PackageError
from opendata_mh.model.constants import LONG_ONLY_COLUMNS, PERIOD
from opendata_mh.model.printed import printed_of, status_of
from opendata_mh.report import Issue, PackageData

YEARS = ("year_from", "year_to")

BROKEN = frozenset(
    {
        "format.empty-file",
        "format.no-rows",
        "format.csv-separator",
        "format.csv-dialect",
        "format.csv-row",
    }
)
"""Codes after which the file's rows are not read (the check of its cells is skipped)."""

FORMAT_CODES = {
    "format.empty-file": "error",
    "format.no-rows": "error",
    "format.csv-separator": "error",
    "format.lookalike-character": "error",
    "format.csv-row": "error",
}

SEPARATORS = (";", "\t", "|")

LOOKALIKES = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ӏ": "l", "ο": "o", "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M",
    "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X", "ı": "i", "ℓ": "l",
}  # fmt: skip
"""Letters that look like an ASCII letter (the common Cyrillic and Greek ones)."""


def _issue(
    code: str, message: str, resource: str, row: int | None = None, field: str | None = None
) -> Issue:
    return Issue(code, "error", message, resource, row, field)


def suspicious_chars(text: str, ascii_only: bool) -> list[tuple[int, str]]:
    """(position, description) of each look-alike or invisible character of ``text``;
    ``ascii_only`` flags every non-ASCII character (codes and header labels are ASCII)."""
    out = []
    for i, ch in enumerate(text):
        cat = unicodedata.category(ch)
        invisible = cat in ("Cf", "Cc", "Co", "Cn") or (cat.startswith("Z") and ch != " ")
        if ch in LOOKALIKES or invisible or (ascii_only and not ch.isascii()):
            name = unicodedata.name(ch, "unnamed character")
            what = f"U+{ord(ch):04X} {name}"
            if ch in LOOKALIKES:
                what += f" (looks like {LOOKALIKES[ch]!r})"
            elif invisible:
                what += " (invisible)"
            out.append((i, what))
    return out


def _decode_error(name: str, rel: str, raw: bytes, exc: UnicodeDecodeError) -> Issue:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _issue(
            "format.csv-dialect",
            f"{rel} is not UTF-8: it starts with a UTF-16 byte-order mark (likely UTF-16); "
            "save it as UTF-8",
            name,
        )
    pos = exc.start
    line_start = raw.rfind(b"\n", 0, pos) + 1
    line_no = raw.count(b"\n", 0, pos) + 1
    header = raw.split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r").split(",")
    column = raw[line_start:pos].count(b",")
    field = header[column] if column < len(header) else None
    try:
        raw.decode("cp1252")
        enc = "Windows-1252 (cp1252)"
    except UnicodeDecodeError:
        enc = "Latin-1 (ISO-8859-1)"
    row = line_no - 1 if line_no > 1 else None
    where = f"data row {row}" if row else "the header"
    if field:
        where += f", field {field}"
    return _issue(
        "format.csv-dialect",
        f"{rel}: byte 0x{raw[pos]:02x} in {where} (line {line_no}) is not UTF-8; the file is "
        f"likely {enc}: save it as UTF-8",
        name,
        row,
        field,
    )


def inspect_csv(
    name: str,
    rel: str,
    raw: bytes,
    fields: Sequence[str],
    *,
    available: bool = True,
    code_fields: Collection[str] = (),
) -> tuple[str | None, list[Issue]]:
    """(text or None if broken, issues) of the CSV resource ``name`` at ``rel`` (module
    docstring). ``fields``: the schema's field names; ``code_fields``: fields holding codes."""
    if not raw.strip():
        return None, [
            _issue(
                "format.empty-file",
                f"{rel} is empty ({len(raw)} bytes): no header and no rows; regenerate the "
                "package ('opendata-mh generate')",
                name,
            )
        ]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [_decode_error(name, rel, raw, exc)]
    lines = text.split("\n")
    header = lines[0].rstrip("\r")
    labels = header.split(",")
    if len(fields) > 1 and len(labels) < len(fields):
        for sep in SEPARATORS:
            if len(header.split(sep)) > len(labels):
                return None, [
                    _issue(
                        "format.csv-separator",
                        f"{rel}: the fields are separated by {sep!r}, not ',' ("
                        f"{len(header.split(sep))} fields by {sep!r}, {len(labels)} by ','); "
                        "save it as comma-separated (the rows were not checked)",
                        name,
                    )
                ]
    if available and not any(x.strip() for x in lines[1:]):
        return None, [
            _issue(
                "format.no-rows",
                f"{rel} has a header but no data rows (an empty or failed export?); a table "
                "without figures is marked 'available = false' in its metadata",
                name,
            )
        ]
    if '"' in text:
        quote = _unclosed_quote(name, rel, text)
        if quote is not None:
            return None, [quote]
    issues = []
    for label in labels:
        for pos, what in suspicious_chars(label, ascii_only=True)[:1]:
            issues.append(
                _issue(
                    "format.lookalike-character",
                    f"header label {label!r} has {what} at position {pos + 1}",
                    name,
                    None,
                    label,
                )
            )
    index = {lab: i for i, lab in enumerate(labels) if lab in code_fields}
    if index and not text.isascii():
        reader = csv.reader(io.StringIO(text, newline=""))
        next(reader, None)
        for row, cells in enumerate(reader, 1):
            for fld, i in index.items():
                value = cells[i] if i < len(cells) else ""
                if value.isascii():
                    continue
                for pos, what in suspicious_chars(value, ascii_only=True)[:1]:
                    issues.append(
                        _issue(
                            "format.lookalike-character",
                            f"code {value!r} has {what} at position {pos + 1}",
                            name,
                            row,
                            fld,
                        )
                    )
    return text, issues


def _unclosed_quote(name: str, rel: str, text: str) -> Issue | None:
    """``format.csv-row`` for the first record with a cell that runs over a line end, if that
    record does not have the header's number of cells or the text after the line end holds a
    comma (rows swallowed up to the next quote): an unclosed quote. The package never writes a
    cell with a line end; such a file is broken (its rows are not the table's rows)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    start, record = 1, 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return None
        except csv.Error:  # a cell beyond csv's field size limit: a quote swallowed the rest
            line = text.split("\n", start)[start - 1]  # the record's first line
            width = len(next(csv.reader([line]), []))  # its last cell is the unclosed one
            fld = header[width - 1] if record and 0 < width <= len(header) else None
            return _quote_issue(name, rel, record, start, fld, None)
        if record == 0:
            header = cells
        for i, cell in enumerate(cells):
            cut = min((p for p in (cell.find("\n"), cell.find("\r")) if p >= 0), default=-1)
            if cut < 0 or (len(cells) == len(header) and "," not in cell[cut:]):
                continue
            fld = header[i] if record and i < len(header) else None
            return _quote_issue(name, rel, record, start, fld, reader.line_num - start)
        start = reader.line_num + 1
        record += 1


def _quote_issue(
    name: str, rel: str, record: int, line: int, fld: str | None, line_ends: int | None
) -> Issue:
    where = f"data row {record} (line {line})" if record else f"the header (line {line})"
    if fld:
        where += f", field {fld}"
    over = f"{line_ends} line end(s)" if line_ends is not None else "the rest of the file"
    return _issue(
        "format.csv-row",
        f"{rel}: {where}: a quote ('\"') opens a cell that runs over {over} into the rows "
        "that follow: an unclosed quote; close or remove it (the rows were not checked)",
        name,
        record or None,
        fld,
    )


class TableFileError(PackageError):
    """The CSV file of a table cannot be read as the table (CLI exit 3); ``issue`` locates it
    (resource, row, field; the message names the file)."""

    def __init__(self, issue: Issue) -> None:
        self.issue = issue
        self.code = issue.code
        super().__init__(f"resource {issue.resource}: {issue.message}")


def _structure_issue(
    name: str, rel: str, rows: Sequence[dict[str, str]], fields: Sequence[str]
) -> Issue | None:
    header = list(rows[0]) if rows else []
    if rows:
        missing = [f for f in fields if f not in header]
        if missing:
            near = difflib.get_close_matches(missing[0], [h for h in header if h], 1)
            hint = f" (is {near[0]!r} a misspelling?)" if near else ""
            return _issue(
                "format.csv-header",
                f"{rel}: the header has no field {missing[0]!r} of the schema{hint}",
                name,
                None,
                missing[0],
            )
    width = len([h for h in header if h is not None])
    for i, row in enumerate(rows, 1):
        if None not in row and all(v is not None for v in row.values()):
            continue
        for fld, value in row.items():
            if isinstance(value, str) and ("\n" in value or "\r" in value):
                return _issue(
                    "format.csv-row",
                    f"{rel}: data row {i}, field {fld} runs over a line end and the row has "
                    "too few cells: an unclosed quote ('\"')?",
                    name,
                    i,
                    fld,
                )
        extra = row.get(None)  # type: ignore[call-overload]
        cells = sum(1 for k, v in row.items() if k is not None and v is not None)
        cells += len(extra) if isinstance(extra, list) else 0
        short = next((k for k, v in row.items() if k is not None and v is None), None)
        return _issue(
            "format.csv-row",
            f"{rel}: data row {i} has {cells} cells, the header {width}",
            name,
            i,
            short,
        )
    return None


def _schema_names(res: Mapping[str, Any]) -> list[str]:
    schema = res.get("schema")
    return [
        str(f["name"])
        for f in (schema.get("fields") or [] if isinstance(schema, dict) else [])
        if isinstance(f, dict) and isinstance(f.get("name"), str)
    ]


def derives_long_columns(res: Mapping[str, Any]) -> bool:
    """Does the resource have the table layout without the long files' columns (year columns
    and ``cell_type``, no ``period``): a table CSV or ``totals.csv``?"""
    names = _schema_names(res)
    return all(c in names for c in (*YEARS, "cell_type")) and PERIOD not in names


def period_of(year_from: str, year_to: str) -> str:
    """The period label of two years: ``2019``, ``2019`` -> ``2019``; ``2019``, ``2023`` ->
    ``2019-2023``; ``""`` when the first is missing."""
    if not year_from:
        return ""
    return year_from if year_to in ("", year_from) else f"{year_from}-{year_to}"


def with_long_columns(row: dict[str, str]) -> dict[str, str]:
    """``row`` of a table CSV or ``totals.csv`` with ``period``, ``value_printed``,
    ``obs_status`` and ``conf_status`` added (module docstring); a column the row has is kept.
    ``period`` comes first, as in the long file."""

    def cell(k: str) -> str:
        v = row.get(k)
        return v.strip() if isinstance(v, str) else ""

    ctype = cell("cell_type")
    obs, conf = status_of(ctype)
    derived = {
        PERIOD: period_of(cell("year_from"), cell("year_to")),
        "value_printed": printed_of(ctype, cell("value"), cell("value_lower"), cell("value_upper")),
        "obs_status": obs,
        "conf_status": conf,
    }
    out = {PERIOD: row[PERIOD] if PERIOD in row else derived[PERIOD]}
    out.update(row)
    for k in LONG_ONLY_COLUMNS:
        out.setdefault(k, derived[k])
    return out


def key_fields(res: Mapping[str, Any]) -> list[str]:
    """The key of a resource's rows as cell references and the commands use it
    (``table/period=2023/form=all``): the primary key, where ``year_from``/``year_to`` are
    replaced by ``period`` (a table or ``totals``: ``period`` then the dimensions); ``[]``
    without a schema or key."""
    schema = res.get("schema")
    pk = schema.get("primaryKey", []) if isinstance(schema, dict) else []
    keys = [pk] if isinstance(pk, str) else [str(k) for k in pk or []]
    if any(k in YEARS for k in keys):
        keys = [PERIOD, *(k for k in keys if k not in (*YEARS, PERIOD))]
    return keys


def table_rows(pkg: PackageData, name: str) -> list[dict[str, str]]:
    """The rows of table resource ``name`` of ``pkg`` (read by
    :func:`opendata_mh.validate.read_package`); raises :class:`TableFileError` when its file is
    broken (:data:`BROKEN`) or its rows do not fit the header and schema (module docstring)."""
    for issue in pkg.file_issues:
        if issue.resource == name and issue.code in BROKEN:
            raise TableFileError(issue)
    res = pkg.resource(name) or {}
    schema = res.get("schema")
    fields = [
        str(f["name"])
        for f in (schema.get("fields") or [] if isinstance(schema, dict) else [])
        if isinstance(f, dict) and isinstance(f.get("name"), str)
    ]
    rows = pkg.rows.get(name, [])
    found = _structure_issue(name, str(res.get("path", name)), rows, fields)
    if found:
        raise TableFileError(found)
    return rows


__all__ = [
    "BROKEN",
    "FORMAT_CODES",
    "YEARS",
    "TableFileError",
    "derives_long_columns",
    "inspect_csv",
    "key_fields",
    "period_of",
    "suspicious_chars",
    "table_rows",
    "with_long_columns",
]
