"""Validate a generated data package: frictionless + disclosure rules + consistency + metadata.

:func:`check` reads ``datapackage.json`` and its CSVs and returns a
:class:`~opendata_mh.report.Report`. Problems with the *data* are issues; a package that cannot
be read at all (missing directory, unparseable JSON, invalid descriptor, unreadable CSV) raises
:class:`~opendata_mh.errors.PackageError`. This is the only module that imports frictionless,
and the one place where frictionless errors are translated.

Every issue names ``resource``, ``row`` (1-based data row of the CSV, header not counted) and
``field`` where they apply.

Issue codes (stable vocabulary; severity in brackets):

Schema (frictionless, per resource; mapped from frictionless error types)
  ``schema.type-error``         [error] a value does not have the field's type (text in an
                                        integer column)
  ``schema.constraint-error``   [error] a value violates a constraint (enum, minimum, pattern,
                                        required)
  ``schema.missing-cell``       [error] a row has fewer cells than the header
  ``schema.extra-cell``         [error] a row has more cells than the header
  ``schema.primary-key``        [error] duplicate primary key
  ``schema.unique-error``       [error] a unique field repeats a value
  ``schema.foreign-key``        [error] a foreign key does not resolve
  ``schema.blank-row``          [error] an empty row
  ``schema.duplicate-row``      [error] a row repeated
  ``schema.header-error``       [error] header labels differ from the schema (missing, extra,
                                        wrong, blank)
  ``schema.other``              [error] any other frictionless row/table error (type in the message)
  ``format.csv-dialect``        [error] CSV not UTF-8 without BOM with LF line ends (not UTF-8:
                                        the row, field and likely encoding)

Files (:mod:`opendata_mh.csvfile`, before the cells; a *broken* file is said once)
  ``format.empty-file``         [error] a CSV of 0 bytes (broken)
  ``format.no-rows``            [error] a header and no rows, table not ``available = false``
                                        (broken)
  ``format.csv-separator``      [error] fields separated by ``;``, tab or ``|`` (broken)
  ``format.lookalike-character`` [error] a look-alike or invisible character in a header
                                        label or a code
  ``format.more-errors``        [error] the schema errors of a file beyond the first 1,000:
                                        how many more
  ``format.checks-skipped``     [info]  relations, Parquet twins and the audit not run
                                        because of broken files

Disclosure control (per resource ``sdc``)
  ``sdc.small-count``           [error] a published count (value, value_printed, or equal
                                        bounds) in 1..threshold-1, or a symbol ``<n`` in
                                        ``value`` (whatever the schema's missingValues say)
  ``sdc.not-rounded``           [error] a figure of a rounding table not a multiple of the base
  ``sdc.status-mismatch``       [error] value / bounds / cell_type / obs_status / conf_status
                                        disagree with value_printed (and the table's rule)
  ``sdc.rule-invalid``          [error] the resource's ``sdc`` property is not a known rule

Consistency (package ``relations``, ``latentQuantities``, ``knownDiscrepancies``)
  ``consistency.relation-violated``    [error] a relation cannot hold within the cells' bounds
  ``consistency.unresolved-reference`` [error] a relation names a cell/row/figure that is absent
  ``consistency.relation-invalid``     [error] a relation entry is malformed (type, total, parts)
  ``consistency.known-discrepancy``    [info]  a failing relation listed in knownDiscrepancies
  ``consistency.discrepancy-resolved`` [info]  a relation listed in knownDiscrepancies now holds

Metadata completeness
  ``metadata.missing``          [error] title, title_en, description, description_en, sources,
                                        licenses or unit missing (package or resource), or a
                                        field without a description

Exceptions, not issues (CLI exit 3): ``package.unreadable`` (no package, unparseable JSON,
unreadable CSV) and ``package.invalid-descriptor`` (frictionless rejects the descriptor) are
raised as :class:`~opendata_mh.errors.PackageError` whose ``code`` attribute holds the code.

Codes of ``opendata-mh generate`` (CLI, same envelope): ``package.out-of-date`` [error] a file
of the committed package would change (``--check``, exit 1); ``metadata.invalid`` [error] one per
metadata problem (exit 3); errors ``package.write-failed`` and ``internal-error`` (exit 3).

Consistency semantics: cells are intervals [value_lower, value_upper] (exact and zero cells use
``value``); text figures use their bounds; latent quantities start at [0, inf) and are narrowed to
the intersection of what every relation not listed as a known discrepancy implies, iterated to a
fixpoint; masked, rounded and range cells are narrowed the same way (bounds propagation). A
relation is violated when it cannot hold within the narrowed intervals (see
:func:`relation_holds`); its message shows the published intervals of its cells (a masked cell
stays [1, 4]) and the derived intervals of its latent quantities, and, when it uses a latent
quantity, every relation and table that determines that latent (a changed cell in one table
moves a latent total and makes the relations of *other* tables fail; the issue is anchored on
the relation's own first cell). A known discrepancy is shown as such while the relations it
lists, added to all others, still conflict; otherwise it is reported as resolved (info).

Public output: ``check`` runs in public CI logs, so it never prints the narrowed interval of a
masked cell, and its summary has ``latent_quantities`` (how many there are), not their
intervals: a latent total of exact cells and one ``<5`` cell, narrowed by the relations, is that
cell's value (``opendata-mh audit``, the maintainer's local tool, shows intervals).

Extension point: ``check(path, extra_checks=(fn, ...))`` calls each ``fn(PackageData)`` and adds
the issues it yields. Plugged in this way (so that this module imports neither HiGHS nor
pyarrow): the disclosure audit (:func:`opendata_mh.audit.audit_check`, ``audit.*`` codes) and the
comparison of each Parquet twin with its CSV (:func:`opendata_mh.parquet.parquet_check`:
``package.parquet-mismatch`` [error], resource = the Parquet resource, row, field; the CLI's
``check``, ``publish`` and ``build`` plug it in). Frictionless validates the CSV resources
only: a Parquet twin is checked by that cell-by-cell comparison with its CSV (which the schema,
disclosure and consistency checks read), not by frictionless, which would read it through pandas
row by row (nine tenths of the time of ``check``).
"""

from __future__ import annotations

import csv
import io
import json
import math
import warnings
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opendata_mh.csvfile import BROKEN, FORMAT_CODES, inspect_csv
from opendata_mh.errors import PackageError
from opendata_mh.model import (
    RELATION_TYPES,
    SHARE_TYPES,
    CellRef,
    SdcRule,
    parse_printed,
    parse_ref,
    share_rows,
)
from opendata_mh.paths import resolve_resource_path
from opendata_mh.report import Check, Issue, PackageData, Report

ISSUE_CODES: dict[str, str] = {
    "schema.type-error": "error",
    "schema.constraint-error": "error",
    "schema.missing-cell": "error",
    "schema.extra-cell": "error",
    "schema.primary-key": "error",
    "schema.unique-error": "error",
    "schema.foreign-key": "error",
    "schema.blank-row": "error",
    "schema.duplicate-row": "error",
    "schema.header-error": "error",
    "schema.other": "error",
    "format.csv-dialect": "error",
    "sdc.small-count": "error",
    "sdc.not-rounded": "error",
    "sdc.status-mismatch": "error",
    "sdc.rule-invalid": "error",
    "consistency.relation-violated": "error",
    "consistency.unresolved-reference": "error",
    "consistency.relation-invalid": "error",
    "consistency.known-discrepancy": "info",
    "consistency.discrepancy-resolved": "info",
    "metadata.missing": "error",
    **FORMAT_CODES,
    "format.more-errors": "error",
    "format.checks-skipped": "info",
}
"""Every issue code ``check`` can emit, with its severity."""

EXCEPTION_CODES = ("package.unreadable", "package.invalid-descriptor")

_FRICTIONLESS_CODES = {
    "type-error": "schema.type-error",
    "constraint-error": "schema.constraint-error",
    "missing-cell": "schema.missing-cell",
    "extra-cell": "schema.extra-cell",
    "primary-key": "schema.primary-key",
    "unique-error": "schema.unique-error",
    "foreign-key": "schema.foreign-key",
    "blank-row": "schema.blank-row",
    "duplicate-row": "schema.duplicate-row",
    "blank-header": "schema.header-error",
    "blank-label": "schema.header-error",
    "duplicate-label": "schema.header-error",
    "extra-label": "schema.header-error",
    "incorrect-label": "schema.header-error",
    "missing-label": "schema.header-error",
    "header-error": "schema.header-error",
    "label-error": "schema.header-error",
}
_UNREADABLE = {
    "source-error",
    "scheme-error",
    "format-error",
    "encoding-error",
    "compression-error",
    "file-error",
    "byte-count",
    "hash-count",
}

LIST_ERRORS = 1000
"""Schema errors listed per file; the rest are counted (``format.more-errors``)."""
COUNT_ERRORS = 100_000
"""Schema errors counted per file (frictionless' limit)."""

INF = math.inf
Interval = tuple[float, float]


def _issue(
    code: str,
    message: str,
    resource: str | None = None,
    row: int | None = None,
    field: str | None = None,
) -> Issue:
    return Issue(code, ISSUE_CODES[code], message, resource, row, field)  # type: ignore[arg-type]


def _package_error(code: str, message: str) -> PackageError:
    err = PackageError(message)
    err.code = code  # type: ignore[attr-defined]
    return err


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def is_csv(res: Mapping[str, Any]) -> bool:
    """True for a CSV resource (``format`` csv, or no format and a ``.csv`` path). Only CSV
    resources are read into :attr:`PackageData.rows`, validated by frictionless and checked
    for the CSV dialect; other formats (the Parquet copies) must exist and are compared with
    their CSVs by an extra check (:func:`opendata_mh.parquet.parquet_check`)."""
    fmt = res.get("format")
    if isinstance(fmt, str) and fmt:
        return fmt.lower() == "csv"
    return str(res.get("path", "")).lower().endswith(".csv")


def read_package(path: str | Path) -> PackageData:
    """Read ``datapackage.json`` (``path`` is the directory or the file) and every CSV."""
    p = Path(path)
    desc_path = p / "datapackage.json" if p.is_dir() else p
    if not desc_path.is_file():
        raise _package_error(
            "package.unreadable",
            f"no data package at {p} (expected {desc_path}); run "
            "'opendata-mh generate' first or give the package directory",
        )
    try:
        descriptor = json.loads(desc_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _package_error(
            "package.unreadable", f"{desc_path} is not readable JSON: {exc}"
        ) from exc
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise _package_error(
            "package.invalid-descriptor",
            f"{desc_path}: the descriptor must be an object with a 'resources' list",
        )
    base = desc_path.parent
    rows: dict[str, list[dict[str, str]]] = {}
    file_issues: list[Issue] = []
    for i, res in enumerate(descriptor["resources"], 1):
        if (
            not isinstance(res, dict)
            or not isinstance(res.get("name"), str)
            or not isinstance(res.get("path"), str)
        ):
            raise _package_error(
                "package.invalid-descriptor",
                f"{desc_path}: resource {i} needs a string 'name' and 'path'",
            )
        rel = res["path"]
        file = resolve_resource_path(base, rel, res["name"])  # inside the package, existing
        if not is_csv(res):  # e.g. Parquet: compared with its CSV by parquet_check
            continue
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise _package_error(
                "package.unreadable", f"resource {res['name']}: cannot read {file}: {exc}"
            ) from exc
        text, found = inspect_csv(
            res["name"],
            rel,
            raw,
            _schema_fields(res),
            available=res.get("available") is not False,
            code_fields=_code_fields(res),
        )
        file_issues += found
        rows[res["name"]] = (
            [] if text is None else list(csv.DictReader(io.StringIO(text, newline="")))
        )
    return PackageData(
        base_path=base, descriptor=descriptor, rows=rows, file_issues=tuple(file_issues)
    )


def _schema_fields(res: Mapping[str, Any]) -> list[str]:
    schema = res.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    return [
        f["name"] for f in fields or [] if isinstance(f, dict) and isinstance(f.get("name"), str)
    ]


def _code_fields(res: Mapping[str, Any]) -> set[str]:
    """Fields that hold codes: the primary key and every field with an enum."""
    schema = res.get("schema")
    if not isinstance(schema, dict):
        return set()
    out = set(_key_fields(res))
    for f in schema.get("fields") or []:
        cons = f.get("constraints") if isinstance(f, dict) else None
        if isinstance(cons, dict) and "enum" in cons:
            out.add(str(f.get("name")))
    return out


# --------------------------------------------------------------------------------------------
# (a) frictionless
# --------------------------------------------------------------------------------------------


def _frictionless_issues(pkg: PackageData, skip: Collection[str | None] = ()) -> list[Issue]:
    import frictionless  # the only frictionless import of the package

    # the CSV resources only: each Parquet twin is compared with its CSV cell by cell
    # (parquet_check), and frictionless reads Parquet through pandas, row by row (slow);
    # broken files (csvfile.BROKEN) are reported once by read_package, not cell by cell
    csv_resources = [
        r for r in pkg.descriptor["resources"] if is_csv(r) and r.get("name") not in skip
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            report = frictionless.validate(
                {**pkg.descriptor, "resources": csv_resources},
                basepath=str(pkg.base_path),
                limit_errors=COUNT_ERRORS,
            )
        except frictionless.FrictionlessException as exc:
            raise _package_error(
                "package.invalid-descriptor", f"frictionless cannot open the package: {exc}"
            ) from exc
    bad_desc = list(report.errors)
    for task in report.tasks:
        bad_desc += [
            e
            for e in task.errors
            if isinstance(e, frictionless.errors.MetadataError) or e.type in _UNREADABLE
        ]
    if bad_desc:
        msgs = "; ".join(f"{e.type}: {e.message}" for e in bad_desc[:10])
        unreadable = all(e.type in _UNREADABLE for e in bad_desc)
        raise _package_error(
            "package.unreadable" if unreadable else "package.invalid-descriptor",
            f"the package descriptor is invalid: {msgs}",
        )
    issues = []
    for task in report.tasks:
        for e in task.errors[:LIST_ERRORS]:
            code = _FRICTIONLESS_CODES.get(e.type, "schema.other")
            row_number = getattr(e, "row_number", None)
            row = row_number - 1 if isinstance(row_number, int) else None
            field = getattr(e, "field_name", None) or getattr(e, "label", None)
            msg = _frictionless_message(e, row)
            if code == "schema.other":
                msg = f"{e.type}: {msg}"
            issues.append(_issue(code, msg, task.name, row, field or None))
        more = len(task.errors) - LIST_ERRORS
        if more > 0:
            at_least = "at least " if len(task.errors) >= COUNT_ERRORS else ""
            issues.append(
                _issue(
                    "format.more-errors",
                    f"the first {LIST_ERRORS:,} schema errors of this file are listed, and "
                    f"{at_least}{more:,} more",
                    task.name,
                )
            )
    return issues


def _frictionless_message(e: Any, row: int | None) -> str:
    """A frictionless error in our own words: rows are the 1-based CSV *data* row (as in the
    issue's ``row``; frictionless counts the header as row 1) and columns are named, never
    "row/field at position n". ``e`` is a frictionless error; ``row`` its data row or None."""
    title = str(getattr(e, "title", "") or e.type).strip()
    note = str(getattr(e, "note", "") or "").strip()
    field = getattr(e, "field_name", None) or None
    number = getattr(e, "field_number", None)
    column = f"field {field}" if field else f"column {number}" if number else ""
    if hasattr(e, "cell") and row is not None:  # a cell error
        where = f"data row {row}" + (f", {column}" if column else "")
        cell = getattr(e, "cell", None)
        text = f"{title} in {where}"
        if cell not in (None, ""):
            text += f' (value "{cell}")'
    elif row is not None:  # a row error
        text = f"{title} in data row {row}"
    elif hasattr(e, "label"):  # a header (label) error
        label = getattr(e, "label", None)
        text = f'{title} in the header: label "{label}"' + (
            f" where the schema has {column}" if field else f" ({column})" if column else ""
        )
    else:
        return str(e.message)
    return f"{text}: {note}" if note else text


def _dialect_issues(pkg: PackageData, skip: Collection[str | None] = ()) -> list[Issue]:
    issues = []
    for res in pkg.descriptor["resources"]:
        if not is_csv(res) or res["name"] in skip:
            continue
        raw = (pkg.base_path / res["path"]).read_bytes()
        if raw.startswith(b"\xef\xbb\xbf"):
            issues.append(
                _issue("format.csv-dialect", "the CSV starts with a UTF-8 BOM", res["name"])
            )
        if b"\r" in raw:
            issues.append(
                _issue("format.csv-dialect", "the CSV has CR (not LF-only) line ends", res["name"])
            )
    return issues


# --------------------------------------------------------------------------------------------
# (b) disclosure rules
# --------------------------------------------------------------------------------------------


def _int(s: str | None) -> int | None:
    if s is None or s == "":
        return None
    try:
        return int(s)
    except ValueError:
        return None


def _sdc_rule(sdc: Any) -> SdcRule | None:
    if not isinstance(sdc, dict):
        return None
    if sdc.get("rule") == "threshold" and isinstance(sdc.get("threshold"), int):
        return SdcRule("threshold", threshold=sdc["threshold"])
    if sdc.get("rule") == "rounding" and isinstance(sdc.get("base"), int):
        return SdcRule("rounding", base=sdc["base"])
    return None


def _key_fields(res: Mapping[str, Any]) -> list[str]:
    pk = res.get("schema", {}).get("primaryKey", [])
    return [pk] if isinstance(pk, str) else list(pk)


def _sdc_issues(pkg: PackageData) -> list[Issue]:
    issues: list[Issue] = []
    for res in pkg.descriptor["resources"]:
        if "sdc" not in res:
            continue
        name = res["name"]
        rule = _sdc_rule(res["sdc"])
        if rule is None:
            issues.append(
                _issue(
                    "sdc.rule-invalid",
                    f"sdc {res['sdc']!r} is not {{rule: threshold, threshold: n}} "
                    "or {rule: rounding, base: b}",
                    name,
                    field="sdc",
                )
            )
            continue
        keys = _key_fields(res)
        unresolved = {}
        for u in res.get("unresolved") or []:
            if isinstance(u, dict) and isinstance(u.get("key"), dict):
                unresolved[tuple(str(u["key"].get(k, "")) for k in keys)] = tuple(
                    u.get("candidates") or ()
                )
        for i, row in enumerate(pkg.rows.get(name, []), 1):
            issues += _sdc_row(
                name, i, row, rule, unresolved.get(tuple(row.get(k, "") for k in keys), ())
            )
    return issues


def _sdc_row(
    name: str, i: int, row: Mapping[str, str], rule: SdcRule, candidates: Sequence[str]
) -> list[Issue]:
    out: list[Issue] = []
    printed = (row.get("value_printed") or "").strip()
    value = (row.get("value") or "").strip()
    if value and _int(value) is None and value.startswith("<"):
        # a printed symbol where a count belongs: frictionless reads it as empty when the
        # schema's missingValues admit it, so it is checked here, whatever the schema says
        return [
            _issue(
                "sdc.small-count",
                f"value = {value!r}: a masked cell's value is empty (its bounds say 1..n-1); "
                "a symbol in the value column is read as a count or as missing by readers",
                name,
                i,
                "value",
            )
        ]
    if rule.rule == "threshold":
        t = rule.threshold or 0
        for fld in ("value", "value_printed"):
            v = _int(row.get(fld))
            if v is not None and 1 <= v < t:
                out.append(
                    _issue(
                        "sdc.small-count",
                        f"{fld} = {v} is a count in 1..{t - 1}; publish it as <{t}",
                        name,
                        i,
                        fld,
                    )
                )
                break
        else:
            lo, up = _int(row.get("value_lower")), _int(row.get("value_upper"))
            if lo is not None and lo == up and 1 <= lo < t:
                out.append(
                    _issue(
                        "sdc.small-count",
                        f"value_lower = value_upper = {lo} discloses a count in 1..{t - 1}",
                        name,
                        i,
                        "value_lower",
                    )
                )
    else:
        b = rule.base or 1
        for fld in ("value", "value_printed"):
            v = _int(row.get(fld))
            if v is not None and v % b:
                out.append(
                    _issue(
                        "sdc.not-rounded",
                        f"{fld} = {v} is not a multiple of {b}; the table is rounded "
                        f"to {b} (publish the rounded figure or a range)",
                        name,
                        i,
                        fld,
                    )
                )
                return out
    # status consistency
    try:
        if printed:
            exp = parse_printed(printed, rule)
        elif candidates:
            exp = parse_printed("?", rule, candidates)
        else:
            out.append(
                _issue(
                    "sdc.status-mismatch",
                    "value_printed is empty but the cell has no 'unresolved' entry with candidates",
                    name,
                    i,
                    "value_printed",
                )
            )
            return out
    except ValueError as exc:
        if not out:
            out.append(
                _issue("sdc.status-mismatch", f"value_printed: {exc}", name, i, "value_printed")
            )
        return out
    expected: dict[str, str] = {
        "value": "" if exp.value is None else str(exp.value),
        "value_lower": str(exp.lower),
        "value_upper": "" if exp.upper is None else str(exp.upper),
        "cell_type": exp.cell_type,
        "obs_status": exp.obs_status,
        "conf_status": exp.conf_status,
    }
    for fld, want in expected.items():
        got = (row.get(fld) or "").strip()
        if fld.startswith("value") and got and _int(got) is None:
            continue  # not an integer: reported by the schema check (schema.type-error)
        if got != want:
            out.append(
                _issue(
                    "sdc.status-mismatch",
                    f"{fld} is {got!r} but value_printed {printed or '(unresolved)'!r} "
                    f"implies {want!r}",
                    name,
                    i,
                    fld,
                )
            )
    return out


# --------------------------------------------------------------------------------------------
# (c) consistency
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Loc:
    resource: str | None
    row: int | None
    field: str | None


def _row_interval(row: Mapping[str, str], text: bool = False) -> Interval:
    def num(s: str | None) -> float | None:
        if s is None or s.strip() == "":
            return None
        try:
            return float(s)
        except ValueError:
            return None

    if text:
        lo, up = num(row.get("value_lower")), num(row.get("value_upper"))
        if lo is None:
            v = num(row.get("value"))
            return (v, v) if v is not None else (0.0, INF)
        return (lo, up if up is not None else INF)
    v = num(row.get("value"))
    if row.get("cell_type") in ("exact", "zero") and v is not None:
        return (v, v)
    lo, up = num(row.get("value_lower")), num(row.get("value_upper"))
    return (lo if lo is not None else 0.0, up if up is not None else INF)


def relation_holds(rtype: str, total: Interval | None, parts: Sequence[Interval]) -> bool:
    """Can the relation hold for some values within the intervals? (For ``identity`` the
    intervals are all in ``parts`` and ``total`` is None.)"""
    if rtype == "identity":
        return max(p[0] for p in parts) <= min(p[1] for p in parts)
    assert total is not None
    tl, tu = total
    sl, su = sum(p[0] for p in parts), sum(p[1] for p in parts)
    ml = max(p[0] for p in parts)
    if rtype == "additive":
        return max(tl, sl) <= min(tu, su)
    if rtype == "multilabel":
        return max(tl, ml) <= min(tu, su)
    if rtype == "subset":
        return sl <= tu
    if rtype == "overlap_subset":
        return ml <= tu
    raise ValueError(f"unknown relation type {rtype!r}")


def _narrow(
    rtype: str, total: Interval | None, parts: list[Interval]
) -> tuple[Interval | None, list[Interval]]:
    """Bounds implied for each position by the relation (not intersected with the input)."""
    n = len(parts)
    if rtype == "identity":
        lo, up = max(p[0] for p in parts), min(p[1] for p in parts)
        return None, [(lo, up)] * n
    assert total is not None
    tl, tu = total
    sl, su = sum(p[0] for p in parts), sum(p[1] for p in parts)
    ml = max(p[0] for p in parts)
    new_parts = []
    for p in parts:
        others_l, others_u = sl - p[0], su - p[1]
        lo, up = 0.0, INF
        if rtype == "additive":
            lo = max(lo, tl - others_u)
            up = min(up, tu - others_l)
        elif rtype == "multilabel":
            lo = max(lo, tl - others_u)
            up = min(up, tu)
        elif rtype == "subset":
            up = min(up, tu - others_l)
        elif rtype == "overlap_subset":
            up = min(up, tu)
        new_parts.append((lo, up))
    if rtype == "additive":
        t = (sl, su)
    elif rtype == "multilabel":
        t = (ml, su)
    elif rtype == "subset":
        t = (sl, INF)
    else:
        t = (ml, INF)
    return t, new_parts


@dataclass
class _Rel:
    """A relation of the descriptor; a ``share``/``change`` relation keeps its counts in
    ``parts`` (numerator then denominator, each once) and its linear inequalities in ``rows``
    (:func:`~opendata_mh.model.share_rows`); ``figure`` is its printed percentage."""

    id: str
    type: str
    total: CellRef | None
    parts: list[CellRef]
    description_en: str
    rows: list[tuple[dict[CellRef, float], float]] = field(default_factory=list)
    figure: str = ""


def _row_min(coeffs: Mapping[CellRef, float], values: Mapping[CellRef, Interval]) -> float:
    """The least value of ``sum(coeffs[x] * y_x)`` over the intervals (may be -inf)."""
    total = 0.0
    for x, a in coeffs.items():
        lo, up = values[x]
        b = lo if a > 0 else up
        if math.isinf(b):
            return -INF
        total += a * b
    return total


def _row_holds(row: tuple[dict[CellRef, float], float], values: Mapping[CellRef, Interval]) -> bool:
    coeffs, rhs = row
    return _row_min(coeffs, values) <= rhs + 1e-9


def _row_narrow(
    row: tuple[dict[CellRef, float], float], values: Mapping[CellRef, Interval]
) -> list[tuple[CellRef, Interval]]:
    """Bounds that ``sum(a_x y_x) <= rhs`` implies for each of its variables (bounds
    propagation of one linear inequality)."""
    coeffs, rhs = row
    out: list[tuple[CellRef, Interval]] = []
    for x, a in coeffs.items():
        rest = _row_min({y: b for y, b in coeffs.items() if y != x}, values)
        if math.isinf(rest):
            continue
        bound = (rhs - rest) / a
        out.append((x, (-INF, bound) if a > 0 else (bound, INF)))
    return out


def _consistency(pkg: PackageData) -> tuple[list[Issue], dict[str, Any]]:
    d = pkg.descriptor
    issues: list[Issue] = []
    # index cells
    index: dict[str, dict[tuple[str, ...], int]] = {}
    key_fields: dict[str, list[str]] = {}
    for res in d["resources"]:
        kf = _key_fields(res)
        key_fields[res["name"]] = kf
        index[res["name"]] = {
            tuple(r.get(k, "") for k in kf): i
            for i, r in enumerate(pkg.rows.get(res["name"], []), 1)
        }
    values: dict[CellRef, Interval] = {}
    locs: dict[CellRef, _Loc] = {}
    latent: set[CellRef] = set()

    def lookup(ref: CellRef) -> bool:
        if ref in values:
            return True
        if ref.kind == "latent":
            values[ref] = (0.0, INF)
            locs[ref] = _Loc(None, None, None)
            latent.add(ref)
            return True
        if ref.kind == "text":
            row_i = index.get("text_figures", {}).get((ref.name,))
            if row_i is None:
                return False
            values[ref] = _row_interval(pkg.rows["text_figures"][row_i - 1], text=True)
            locs[ref] = _Loc("text_figures", row_i, "value")
            return True
        kf = key_fields.get(ref.name)
        if kf is None:
            return False
        kd = dict(ref.key)
        if set(kd) != set(kf):
            return False
        row_i = index[ref.name].get(tuple(kd[k] for k in kf))
        if row_i is None:
            return False
        values[ref] = _row_interval(pkg.rows[ref.name][row_i - 1])
        locs[ref] = _Loc(ref.name, row_i, "value")
        return True

    rels: list[_Rel] = []
    raw_rels = d.get("relations") or []
    for j, r in enumerate(raw_rels if isinstance(raw_rels, list) else [], 1):
        rid = r.get("id") if isinstance(r, dict) else None
        if (
            not isinstance(r, dict)
            or not isinstance(rid, str)
            or r.get("type") not in RELATION_TYPES
        ):
            issues.append(
                _issue(
                    "consistency.relation-invalid",
                    f"relations[{j}] needs an 'id' and a known 'type'",
                    field=None,
                )
            )
            continue
        if r["type"] in SHARE_TYPES:
            share = _share_rel(r, rid, lookup, pkg, index)
            if isinstance(share, Issue):
                issues.append(share)
            else:
                rels.append(share)
            continue
        try:
            if r["type"] == "identity":
                total = None
                parts = [parse_ref(s) for s in r.get("cells") or []]
                if len(parts) < 2:
                    raise ValueError("an identity needs at least two cells")
            else:
                total = parse_ref(r.get("total") or "")
                parts = [parse_ref(s) for s in r.get("parts") or []]
                if not parts:
                    raise ValueError("no parts")
        except (ValueError, TypeError) as exc:
            issues.append(_issue("consistency.relation-invalid", f"relation {rid}: {exc}"))
            continue
        missing = [str(x) for x in ([total] if total else []) + parts if not lookup(x)]
        if missing:
            issues.append(
                _issue(
                    "consistency.unresolved-reference",
                    f"relation {rid}: no such cell/figure in the package: {', '.join(missing)}",
                )
            )
            continue
        rels.append(_Rel(rid, r["type"], total, parts, str(r.get("description_en", ""))))

    groups: list[tuple[str, str, list[_Rel]]] = []
    known_ids: set[str] = set()
    untested: list[tuple[str, str, _Loc]] = []
    for k in d.get("knownDiscrepancies") or []:
        if not isinstance(k, dict):
            continue
        listed = {str(x) for x in k.get("relations") or []}
        first = _Loc(None, None, None)
        for x in sorted(listed):
            try:
                ref = parse_ref(x)
            except ValueError:
                continue
            if lookup(ref) and locs[ref].resource:
                first = locs[ref]
                break
        untested.append((str(k.get("id")), str(k.get("description_en", "")), first))
        members = [
            r
            for r in rels
            if r.id in listed
            or any(str(x) in listed for x in ([r.total] if r.total else []) + r.parts)
        ]
        groups.append((str(k.get("id")), str(k.get("description_en", "")), members))
        known_ids |= {r.id for r in members}

    good = [r for r in rels if r.id not in known_ids]
    vals_good, conflicts_good = _fixpoint(good, values, latent)
    n_failed = 0
    for r in good:
        if _holds(r, vals_good):
            continue
        n_failed += 1
        loc = _anchor(r, locs)
        issues.append(
            _issue(
                "consistency.relation-violated",
                f"relation {r.id} ({r.type}) does not hold: "
                f"{_describe(r, vals_good, values)}. {r.description_en}".strip()
                + _through_latents(r, good, locs),
                loc.resource,
                loc.row,
                loc.field,
            )
        )
    known_list = []
    for gid, gdesc, members in groups:
        if not members:
            loc = next(u[2] for u in untested if u[0] == gid)
            known_list.append({"discrepancy": gid, "relations": [], "description_en": gdesc})
            issues.append(
                _issue(
                    "consistency.known-discrepancy",
                    f"known discrepancy {gid} (recorded; it covers no relation, so check cannot "
                    f"test it): {gdesc}",
                    loc.resource,
                    loc.row,
                    loc.field,
                )
            )
            continue
        vals_g, conflicts = _fixpoint(good + members, values, latent)
        conflicts -= conflicts_good
        failing = [r for r in members if not _holds(r, vals_g)] + [
            r for r in members if r.id in conflicts and _holds(r, vals_g)
        ]
        failing_good = [r for r in good if not _holds(r, vals_g) and _holds(r, vals_good)]
        loc = _anchor(members[0], locs)
        if failing or failing_good or conflicts:
            shown = failing or members
            loc = _anchor(shown[0], locs)
            known_list.append(
                {"discrepancy": gid, "relations": [r.id for r in shown], "description_en": gdesc}
            )
            # relation ids only: the narrowed intervals of masked cells are not printed (CI logs
            # are public, and a discrepancy must not spell out what a <5 cell is)
            detail = "conflicting relations: " + ", ".join(r.id for r in shown)
            issues.append(
                _issue(
                    "consistency.known-discrepancy",
                    f"known discrepancy {gid}: {gdesc} [{detail}]",
                    loc.resource,
                    loc.row,
                    loc.field,
                )
            )
        else:
            issues.append(
                _issue(
                    "consistency.discrepancy-resolved",
                    f"known discrepancy {gid} no longer shows: its relations "
                    f"({', '.join(r.id for r in members)}) hold together with all "
                    "others; remove it from discrepancies.toml",
                    loc.resource,
                    loc.row,
                    loc.field,
                )
            )
    summary = {
        "relations": len(rels),
        "relations_failed": n_failed,
        "known_discrepancies": known_list,
        # a count only: the narrowed intervals of latent quantities can equal masked cells (a
        # latent total of one <5 cell and exact ones is that cell), and the summary is public
        "latent_quantities": len(latent),
    }
    return issues, summary


def _share_rel(
    r: Mapping[str, Any],
    rid: str,
    lookup: Callable[[CellRef], bool],
    pkg: PackageData,
    index: Mapping[str, Mapping[tuple[str, ...], int]],
) -> _Rel | Issue:
    """A ``share``/``change`` relation of the descriptor as a :class:`_Rel` with its two rows,
    or the issue why it cannot be tested. The percentage is the ``value`` of the figure's row
    in ``text_figures``."""
    try:
        fig = parse_ref(str(r.get("figure") or ""))
        num = [parse_ref(s) for s in r.get("numerator") or []]
        den = [parse_ref(s) for s in r.get("denominator") or []]
        decimals = int(r.get("decimals", 0))
        if fig.kind != "text":
            raise ValueError("'figure' must be a text figure 'text:<id>'")
        if not num or not den:
            raise ValueError("'numerator' and 'denominator' must not be empty")
    except (ValueError, TypeError) as exc:
        return _issue("consistency.relation-invalid", f"relation {rid}: {exc}")
    missing = [str(x) for x in [*num, *den] if not lookup(x)]
    row_i = index.get("text_figures", {}).get((fig.name,))
    percent = None
    if row_i is None:
        missing.insert(0, str(fig))
    else:
        try:
            percent = float(pkg.rows["text_figures"][row_i - 1].get("value") or "")
        except ValueError:
            return _issue(
                "consistency.relation-invalid", f"relation {rid}: {fig} has no numeric value"
            )
    if missing or percent is None:
        return _issue(
            "consistency.unresolved-reference",
            f"relation {rid}: no such cell/figure in the package: {', '.join(missing)}",
        )
    rows = share_rows(str(r["type"]), percent, decimals, num, den)
    parts = list(dict.fromkeys([*num, *den]))
    unit = "%" if r["type"] == "share" else "% change"
    return _Rel(
        rid,
        str(r["type"]),
        None,
        parts,
        str(r.get("description_en", "")),
        rows,
        f"{fig} = {_fmt(percent)}{unit} (numerator {', '.join(map(str, num))}; "
        f"denominator {', '.join(map(str, den))})",
    )


def _refs(r: _Rel) -> list[CellRef]:
    return ([r.total] if r.total else []) + r.parts


def _anchor(r: _Rel, locs: Mapping[CellRef, _Loc]) -> _Loc:
    return next((locs[x] for x in _refs(r) if locs[x].resource), _Loc(None, None, None))


def _holds(r: _Rel, values: Mapping[CellRef, Interval]) -> bool:
    if r.rows:
        return all(_row_holds(row, values) for row in r.rows)
    return relation_holds(
        r.type, values[r.total] if r.total else None, [values[x] for x in r.parts]
    )


def _fixpoint(
    rels: Sequence[_Rel], values0: Mapping[CellRef, Interval], latent: set[CellRef]
) -> tuple[dict[CellRef, Interval], set[str]]:
    """Narrow every interval (latent quantities, masked/rounded/range cells, ...) to what
    ``rels`` imply, to a fixpoint (bounds propagation; sound, not complete).

    Returns the narrowed intervals and the ids of relations that would have emptied an interval
    (a conflict; that narrowing is skipped, so the relation fails when evaluated)."""
    values = dict(values0)
    conflicts: set[str] = set()
    active = list(rels)
    for _ in range(200):
        changed = False
        for r in active:
            if r.rows:
                pairs = [p for row in r.rows for p in _row_narrow(row, values)]
            else:
                new_t, new_p = _narrow(
                    r.type, values[r.total] if r.total else None, [values[x] for x in r.parts]
                )
                pairs = ([(r.total, new_t)] if r.total and new_t else []) + list(
                    zip(r.parts, new_p, strict=True)
                )
            for ref, imp in pairs:
                cur = values[ref]
                lo, up = max(cur[0], imp[0]), min(cur[1], imp[1])
                if lo > up:
                    conflicts.add(r.id)
                    continue
                if (lo, up) != cur:
                    values[ref] = (lo, up)
                    changed = True
        if not changed:
            break
    return values, conflicts


def _through_latents(r: _Rel, rels: Sequence[_Rel], locs: Mapping[CellRef, _Loc]) -> str:
    """When ``r`` uses latent quantities (totals the report does not print), the relations and
    tables that determine them: the break can be in any of those tables, not only in the ones
    ``r`` names (a changed cell of one table moves a latent total, and the relations of the
    *other* tables then fail). Empty when ``r`` uses no latent."""
    todo = [x for x in _refs(r) if x.kind == "latent"]
    if not todo:
        return ""
    seen_latent = set(todo)
    seen: list[_Rel] = []
    while todo:
        lat = todo.pop()
        for q in rels:
            if q in seen or lat not in _refs(q):
                continue
            seen.append(q)
            for x in _refs(q):
                if x.kind == "latent" and x not in seen_latent:
                    seen_latent.add(x)
                    todo.append(x)
    others = [q.id for q in seen if q.id != r.id]
    tables = sorted(
        {res for q in [r, *seen] for x in _refs(q) if (res := locs[x].resource) is not None}
    )
    names = ", ".join(str(x) for x in sorted(seen_latent, key=str))
    shown = ", ".join(others[:8]) + (f" and {len(others) - 8} more" if len(others) > 8 else "")
    return (
        f" The unprinted total(s) {names} are also set by "
        f"{shown or 'no other relation'}; the figure at fault can be in any of the tables "
        f"involved: {', '.join(tables)}."
    )


def _fmt(x: float) -> int | float | None:
    if x == INF:
        return None
    return int(x) if float(x).is_integer() else x


def _iv(iv: Interval) -> str:
    lo, up = _fmt(iv[0]), _fmt(iv[1])
    return str(lo) if lo == up else f"[{lo}, {'inf' if up is None else up}]"


def _describe(
    r: _Rel, narrowed: Mapping[CellRef, Interval], published: Mapping[CellRef, Interval]
) -> str:
    """The relation's figures: published cells and text figures with their *published*
    intervals (a masked cell stays [1, 4]: the narrowed interval of a masked cell would spell
    out what the audit protects, in public CI logs), latent quantities with their narrowed
    interval (an unprinted total derived from the other relations)."""

    def iv(x: CellRef) -> Interval:
        return narrowed[x] if x.kind == "latent" else published[x]

    if r.type == "identity":
        return "; ".join(f"{x} = {_iv(iv(x))}" for x in r.parts)
    if r.rows:
        return r.figure + "; " + "; ".join(f"{x} = {_iv(iv(x))}" for x in r.parts)
    assert r.total is not None
    parts = [iv(x) for x in r.parts]
    s = (sum(p[0] for p in parts), sum(p[1] for p in parts))
    head = f"total {r.total} = {_iv(iv(r.total))}, sum of {len(parts)} parts = {_iv(s)}"
    if len(parts) <= 12:
        head += " (" + ", ".join(f"{x} = {_iv(iv(x))}" for x in r.parts) + ")"
    return head


# --------------------------------------------------------------------------------------------
# (d) metadata completeness
# --------------------------------------------------------------------------------------------

_REQUIRED_TEXT = ("title", "title_en", "description", "description_en")


def _metadata_issues(pkg: PackageData) -> list[Issue]:
    d = pkg.descriptor
    issues = []

    def nonempty(v: Any) -> bool:
        return bool(v.strip()) if isinstance(v, str) else bool(v)

    for k in (*_REQUIRED_TEXT, "sources", "licenses"):
        if not nonempty(d.get(k)):
            issues.append(_issue("metadata.missing", f"the package has no '{k}'", field=k))
    for res in d["resources"]:
        name = res["name"]
        for k in (*_REQUIRED_TEXT, "sources", "licenses"):
            if not nonempty(res.get(k)):
                issues.append(
                    _issue("metadata.missing", f"resource {name} has no '{k}'", name, field=k)
                )
        if isinstance(res.get("sources"), list):
            for s in res["sources"]:
                if not isinstance(s, dict) or not nonempty(s.get("title")):
                    issues.append(
                        _issue(
                            "metadata.missing",
                            f"resource {name}: a source has no title",
                            name,
                            field="sources",
                        )
                    )
        fields = (
            res.get("schema", {}).get("fields", []) if isinstance(res.get("schema"), dict) else []
        )
        has_unit_field = any(isinstance(f, dict) and f.get("name") == "unit" for f in fields)
        if not has_unit_field and not nonempty(res.get("unit")):
            issues.append(
                _issue("metadata.missing", f"resource {name} has no 'unit'", name, field="unit")
            )
        for f in fields:
            if isinstance(f, dict) and not nonempty(f.get("description")):
                issues.append(
                    _issue(
                        "metadata.missing",
                        f"field {f.get('name')} of resource {name} has no description",
                        name,
                        field=str(f.get("name")),
                    )
                )
    return issues


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def check(path: str | Path = "datapackage", extra_checks: Iterable[Check] = ()) -> Report:
    """Validate the package at ``path`` (directory or ``datapackage.json``); return a Report.

    Raises :class:`~opendata_mh.errors.PackageError` when the package cannot be read.
    """
    pkg = read_package(path)
    report = Report()
    report.extend(pkg.file_issues)
    broken = {i.resource for i in pkg.file_issues if i.code in BROKEN}
    report.extend(_frictionless_issues(pkg, skip=broken))
    report.extend(_dialect_issues(pkg, skip=broken))
    report.extend(_sdc_issues(pkg))
    cons_summary: dict[str, Any] = {}
    if broken:  # relations, twins and the audit over missing rows would only cascade
        report.extend(
            [
                _issue(
                    "format.checks-skipped",
                    f"relations, Parquet twins and the disclosure audit not checked: "
                    f"{len(broken)} broken file(s) ({', '.join(sorted(str(b) for b in broken))})"
                    "; fix them and run check again",
                )
            ]
        )
    else:
        cons_issues, cons_summary = _consistency(pkg)
        report.extend(cons_issues)
    report.extend(_metadata_issues(pkg))
    for extra in extra_checks if not broken else ():
        report.extend(extra(pkg))
    report.summary = {
        "package": str(pkg.base_path),
        "resources": len(pkg.descriptor["resources"]),
        "rows": sum(len(r) for r in pkg.rows.values()),
        **cons_summary,
        "issues": {s: report.count(s) for s in ("error", "warning", "info")},
    }
    return report


__all__ = ["EXCEPTION_CODES", "ISSUE_CODES", "check", "read_package", "relation_holds"]
