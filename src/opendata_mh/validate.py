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
  ``format.csv-row``            [error] an unclosed quote: a cell running over a line end into
                                        the rows that follow (broken)
  ``format.lookalike-character`` [error] a look-alike or invisible character in a header
                                        label or a code
  ``format.more-errors``        [error] the schema errors of a file beyond the first 1,000:
                                        how many more
  ``format.checks-skipped``     [info]  relations, Parquet twins and the audit not run
                                        because of broken files
  ``package.hash-mismatch``     [error] a file's size or hash differs from the ``bytes`` /
                                        ``hash`` datapackage.json declares (edited after
                                        ``generate``): one per file, its content still checked

Disclosure control (per resource ``sdc``)
  ``sdc.small-count``           [error] a published count (value, value_printed, or equal
                                        bounds) in 1..threshold-1, or a symbol ``<n`` in
                                        ``value`` (whatever the schema's missingValues say)
  ``sdc.not-rounded``           [error] a figure of a rounding table not a multiple of the base
  ``sdc.status-mismatch``       [error] value / bounds / cell_type / obs_status / conf_status
                                        disagree with value_printed (and the table's rule); in
                                        a table CSV (no value_printed) value and bounds
                                        disagree with cell_type
  ``sdc.rule-invalid``          [error] the resource's ``sdc`` property is not a known rule

Consistency (package ``relations``, ``latentQuantities``, ``knownDiscrepancies``)
  ``consistency.relation-violated``    [error] a relation cannot hold within the cells' bounds
  ``consistency.unresolved-reference`` [error] a relation names a cell/row/figure that is absent
  ``consistency.relation-invalid``     [error] a relation entry is malformed (type, total, parts)
  ``consistency.known-discrepancy``    [info]  a failing relation listed in knownDiscrepancies
  ``consistency.discrepancy-resolved`` [info]  a relation listed in knownDiscrepancies now holds
  ``consistency.observation-mismatch`` [error] a row of observations.csv differs from the table
                                       cell or total it repeats, or is missing
                                       (:mod:`opendata_mh.crosscheck`)
  ``consistency.superseded-edition``   [error] a row of superseded: superseded_by names no
                                       edition of the package, or one not later than its
                                       edition (value, bounds and statuses of its rows:
                                       ``sdc.*`` under its table's rule)

Metadata completeness
  ``metadata.missing``          [error] title, title_en, description, description_en, sources,
                                        licenses or unit missing (package or resource), or a
                                        field without a description, or an entry of
                                        ``questions`` without its question or note
  ``metadata.unknown-resource`` [error] an entry of the index ``questions`` names a resource
                                        the package does not have
  ``metadata.masked-value-stated`` [error] the free text of a threshold table states a count
                                        below the threshold (only a masked cell holds one)

Exceptions, not issues (CLI exit 3): ``package.unreadable`` (no package, unparseable JSON,
unreadable CSV) and ``package.invalid-descriptor`` (frictionless rejects the descriptor) are
raised as :class:`~opendata_mh.errors.PackageError` whose ``code`` attribute holds the code.

Codes of ``opendata-mh generate`` (CLI, same envelope): ``package.out-of-date`` [error] a file
of the committed package would change (``--check``, exit 1); ``metadata.invalid`` [error] one per
metadata problem (exit 3); errors ``package.write-failed`` and ``internal-error`` (exit 3).

Consistency semantics: the relations are the linear rows of
:func:`opendata_mh.relations.package_relations` (the rows the disclosure audit solves; what each
relation type means: :mod:`opendata_mh.sdc.relations`). Cells are intervals [value_lower,
value_upper] (exact and zero cells use ``value``); text figures use their bounds; latent
quantities start at [0, inf); every interval is narrowed to what the rows of every relation not
covered by a known discrepancy imply, to a fixpoint (bounds propagation,
:func:`opendata_mh.sdc.relations.propagate`). A relation is violated when one of its rows cannot
hold within the narrowed intervals (see :func:`relation_holds`); its message shows the published
intervals of its cells (a masked cell stays [1, 4]) and the derived intervals of its latent
quantities, and, when it uses a latent quantity, every relation and table that determines that
latent (a changed cell in one table moves a latent total and makes the relations of *other*
tables fail; the issue is anchored on the relation's own first cell). A known discrepancy is
shown as such while the relations it covers, added to all others, still conflict; otherwise it
is reported as resolved (info).

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
import hashlib
import io
import json
import math
import re
import warnings
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opendata_mh.crosscheck import observation_issues
from opendata_mh.csvfile import (
    BROKEN,
    FORMAT_CODES,
    derives_long_columns,
    inspect_csv,
    with_long_columns,
)
from opendata_mh.errors import PackageError
from opendata_mh.model import GROUP_PROTECTIONS, SdcRule, parse_printed
from opendata_mh.paths import resolve_resource_path
from opendata_mh.qualifiers import NUMBER_WORDS
from opendata_mh.questions import problems as question_problems
from opendata_mh.relations import (
    PackageRelation,
    PackageRelations,
    Variable,
    key_fields,
    package_relations,
)
from opendata_mh.report import Check, Issue, PackageData, Report
from opendata_mh.sdc import relations as engine
from opendata_mh.sdc.relations import SHARE_TYPES, Interval
from opendata_mh.superseded import SUPERSEDED

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
    "consistency.observation-mismatch": "error",
    "consistency.superseded-edition": "error",
    "metadata.missing": "error",
    "metadata.unknown-resource": "error",
    "package.hash-mismatch": "error",
    "metadata.masked-value-stated": "error",
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
        if not is_csv(res) and "bytes" not in res and "hash" not in res:
            continue  # e.g. Parquet: compared with its CSV by parquet_check
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise _package_error(
                "package.unreadable", f"resource {res['name']}: cannot read {file}: {exc}"
            ) from exc
        mismatch = _checksum_mismatch(res, raw)
        if mismatch:
            file_issues.append(
                _issue(
                    "package.hash-mismatch",
                    f"{rel} is not the file datapackage.json describes ({mismatch}): it was "
                    "changed after 'opendata-mh generate'; its content is checked as it is, "
                    "and 'opendata-mh generate' (or build) writes the package again",
                    res["name"],
                    field="hash" if "hash" in mismatch else "bytes",
                )
            )
        if not is_csv(res):
            continue
        text, found = inspect_csv(
            res["name"],
            rel,
            raw,
            _schema_fields(res),
            # a package of one edition has no superseded printings: header only
            available=res.get("available") is not False and res["name"] != SUPERSEDED,
            code_fields=_code_fields(res),
        )
        file_issues += found
        rows[res["name"]] = (
            [] if text is None else list(csv.DictReader(io.StringIO(text, newline="")))
        )
        if derives_long_columns(res):  # a table CSV or totals.csv: period, value_printed, ...
            rows[res["name"]] = [with_long_columns(r) for r in rows[res["name"]]]
    return PackageData(
        base_path=base, descriptor=descriptor, rows=rows, file_issues=tuple(file_issues)
    )


def _checksum_mismatch(res: Mapping[str, Any], raw: bytes) -> str | None:
    """How ``raw`` differs from the resource's declared ``bytes`` and ``hash`` (Data Package
    v2, ``sha256:`` or a bare MD5), or None. Names sizes, never a digest."""
    problems = []
    declared = res.get("bytes")
    if isinstance(declared, int) and declared != len(raw):
        problems.append(f"{len(raw):,} bytes, declared {declared:,}")
    h = res.get("hash")
    if isinstance(h, str) and h:
        algo, _, digest = h.rpartition(":")
        algo = algo or "md5"
        try:
            actual = hashlib.new(algo, raw).hexdigest()
        except ValueError:
            actual = None  # an unknown algorithm: frictionless says so
        if actual is not None and actual != digest.lower():
            problems.append(f"its {algo} hash differs from the declared hash")
    return "; ".join(problems) or None


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
    out = set(key_fields(res))
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
    # without bytes and hash: read_package compares them itself (package.hash-mismatch, one
    # finding naming the file) so that an edited file's content is still checked
    csv_resources = [
        {k: v for k, v in r.items() if k not in ("bytes", "hash")}
        for r in pkg.descriptor["resources"]
        if is_csv(r) and r.get("name") not in skip
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


_POSITION = re.compile(r'the same as (?:in )?(?:the )?row at position "?(\d+)"?')


def _frictionless_message(e: Any, row: int | None) -> str:
    """A frictionless error in our own words: rows are the 1-based CSV *data* row (as in the
    issue's ``row``; frictionless counts the header as row 1) and columns are named, never
    "row/field at position n". ``e`` is a frictionless error; ``row`` its data row or None."""
    title = str(getattr(e, "title", "") or e.type).strip()
    note = str(getattr(e, "note", "") or "").strip()
    # "the same as (in the) row at position N" (primary key, unique, duplicate row): N is
    # frictionless' row number (header = 1); say the data row, as the issue's row does
    note = _POSITION.sub(lambda m: f"the same as data row {int(m.group(1)) - 1}", note)
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
        gp = sdc.get("groupProtection")
        if gp is not None and gp not in GROUP_PROTECTIONS:
            return None
        return SdcRule("threshold", threshold=sdc["threshold"], group_protection=gp)
    if sdc.get("rule") == "rounding" and isinstance(sdc.get("base"), int):
        return SdcRule("rounding", base=sdc["base"])
    return None


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
                    f"sdc {res['sdc']!r} is not {{rule: threshold, threshold: n[, "
                    f"groupProtection: {'|'.join(GROUP_PROTECTIONS)}]}} "
                    "or {rule: rounding, base: b}",
                    name,
                    field="sdc",
                )
            )
            continue
        keys = key_fields(res)
        unresolved = {}
        for u in res.get("unresolved") or []:
            if isinstance(u, dict) and isinstance(u.get("key"), dict):
                unresolved[tuple(str(u["key"].get(k, "")) for k in keys)] = tuple(
                    u.get("candidates") or ()
                )
        derived = derives_long_columns(res)
        for i, row in enumerate(pkg.rows.get(name, []), 1):
            issues += _sdc_row(
                name,
                i,
                row,
                rule,
                unresolved.get(tuple(row.get(k, "") for k in keys), ()),
                derived=derived,
            )
    return issues


def _edition_order(label: str) -> tuple[int, str]:
    """Sort key of an edition label (``edition-2024``: by its number, then the text)."""
    digits = label.rpartition("-")[2]
    return (int(digits) if digits.isdigit() else -1, label)


def _superseded_issues(pkg: PackageData) -> list[Issue]:
    """The earlier printings in ``superseded``: each ``superseded_by`` an edition of the
    package (one that printed a table row or an earlier printing, or the package's own) and
    later than the row's ``edition``; value, bounds, ``cell_type`` and statuses agree with
    ``value_printed`` under the rule of the row's table (as :func:`_sdc_row` for tables)."""
    rows = pkg.rows.get(SUPERSEDED)
    if not rows:
        return []
    resources = {r["name"]: r for r in pkg.descriptor["resources"]}
    editions = {
        str(r.get("edition"))
        for name, table in pkg.rows.items()
        for r in table
        if r.get("edition") and name != SUPERSEDED
    }
    editions |= {str(r.get("edition")) for r in rows if r.get("edition")}
    if pkg.descriptor.get("edition"):
        editions.add(f"edition-{pkg.descriptor['edition']}")
    known = ", ".join(sorted(editions, key=_edition_order)) or "none"
    issues: list[Issue] = []
    for i, row in enumerate(rows, 1):
        edition, by = row.get("edition", ""), row.get("superseded_by", "")
        where = f"superseded.csv data row {i} ({row.get('resource', '')}, period "
        where += f"{row.get('period', '')})"
        if by and by not in editions:
            issues.append(
                _issue(
                    "consistency.superseded-edition",
                    f"{where}: superseded_by {by} does not exist in the package (its "
                    f"editions: {known})",
                    SUPERSEDED,
                    i,
                    "superseded_by",
                )
            )
        elif by and edition and _edition_order(by) <= _edition_order(edition):
            issues.append(
                _issue(
                    "consistency.superseded-edition",
                    f"{where}: superseded_by {by} is not later than {edition}, "
                    "the edition that printed it (a printing is replaced by a later edition)",
                    SUPERSEDED,
                    i,
                    "superseded_by",
                )
            )
        table = resources.get(row.get("resource", ""))
        rule = _sdc_rule(table.get("sdc")) if table else None
        if rule is None or not (row.get("value_printed") or "").strip():
            continue  # no rule (schema.foreign-key names the table), or an unresolved cell
        issues += _sdc_row(SUPERSEDED, i, row, rule, ())
    return issues


def _sdc_row(
    name: str,
    i: int,
    row: Mapping[str, str],
    rule: SdcRule,
    candidates: Sequence[str],
    *,
    derived: bool = False,
) -> list[Issue]:
    """Disclosure and status findings of one table row. ``derived``: the row's
    ``value_printed``, ``obs_status`` and ``conf_status`` are not in the file but follow from
    ``cell_type`` and the bounds (a table CSV: :func:`opendata_mh.csvfile.with_long_columns`),
    so findings name the file's fields (``cell_type``, ``value``, the bounds)."""
    out: list[Issue] = []
    printed = (row.get("value_printed") or "").strip()
    ctype = (row.get("cell_type") or "").strip()
    source = f"cell_type {ctype!r}" if derived else "value_printed"
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
        for fld in ("value",) if derived else ("value", "value_printed"):
            v = _int(row.get(fld))
            if v is not None and 1 <= v < t:
                out.append(
                    _issue(
                        "sdc.small-count",
                        f"{fld} is a count in 1..{t - 1} (not quoted: the check's output goes to "
                        f"logs); publish it as <{t}",
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
                        f"value_lower = value_upper discloses a count in 1..{t - 1} (not quoted)",
                        name,
                        i,
                        "value_lower",
                    )
                )
    else:
        b = rule.base or 1
        for fld in ("value",) if derived else ("value", "value_printed"):
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
                    f"{source} with value {value!r} and its bounds is no printed value (an "
                    "unresolved cell needs an 'unresolved' entry with candidates)"
                    if derived
                    else "value_printed is empty but the cell has no 'unresolved' entry with "
                    "candidates",
                    name,
                    i,
                    "cell_type" if derived else "value_printed",
                )
            )
            return out
    except ValueError as exc:
        if not out:
            out.append(
                _issue(
                    "sdc.status-mismatch",
                    f"{source} (printed {printed!r}): {exc}"
                    if derived
                    else f"value_printed: {exc}",
                    name,
                    i,
                    "cell_type" if derived else "value_printed",
                )
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
        if derived and fld in ("obs_status", "conf_status"):
            continue  # they follow from cell_type (not in the file)
        got = (row.get(fld) or "").strip()
        if fld.startswith("value") and got and _int(got) is None:
            continue  # not an integer: reported by the schema check (schema.type-error)
        if got != want and fld.startswith("value") and exp.cell_type == "masked":
            # a figure where a masked cell has none (or other bounds): never quoted
            out.append(
                _issue(
                    "sdc.status-mismatch",
                    f"{fld} of a masked cell ({source}, printed {printed!r}) must be "
                    f"{want!r}; the file has {'another figure' if got else 'none'} (not "
                    "quoted: a masked cell's figures are never printed)",
                    name,
                    i,
                    fld,
                )
            )
        elif got != want:
            out.append(
                _issue(
                    "sdc.status-mismatch",
                    f"{fld} is {got!r} but {source} (printed {printed or '(unresolved)'!r}) "
                    f"implies {want!r}"
                    if derived
                    else f"{fld} is {got!r} but value_printed {printed or '(unresolved)'!r} "
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


_NOWHERE = _Loc(None, None, None)


def relation_holds(rtype: str, total: Interval | None, parts: Sequence[Interval]) -> bool:
    """Can the relation hold for some values within the intervals? (For ``identity`` the
    intervals are all in ``parts`` and ``total`` is None.) Its rows
    (:func:`opendata_mh.sdc.relations.relation`) narrowed by one another, then tested."""
    ids = [f"p{i}" for i in range(len(parts))]
    values: dict[str, Interval] = dict(zip(ids, parts, strict=True))
    if rtype == "identity":
        rows = engine.relation(rtype, "r", cells=ids)
    else:
        if total is None:
            raise ValueError(f"a {rtype} relation needs a total")
        values["t"] = total
        rows = engine.relation(rtype, "r", total="t", parts=ids)
    narrowed, conflicts = engine.propagate(rows, values)
    return not conflicts and all(engine.holds(row, narrowed) for row in rows)


def _holds(r: PackageRelation, values: Mapping[str, Interval]) -> bool:
    return all(engine.holds(row, values) for row in r.rows)


def _loc(v: Variable) -> _Loc:
    return _Loc(v.resource, v.row, "value") if v.resource else _NOWHERE


def _anchor(r: PackageRelation, pr: PackageRelations) -> _Loc:
    """Where an issue about ``r`` is shown: its first published cell or figure."""
    return next((_loc(pr.variables[x]) for x in r.variables if pr.variables[x].resource), _NOWHERE)


def _consistency(pkg: PackageData) -> tuple[list[Issue], dict[str, Any]]:
    """The relations of the package (:func:`opendata_mh.relations.package_relations`: the same
    linear rows the audit reads), narrowed by bounds propagation and tested on the result."""
    pr = package_relations(pkg)
    issues: list[Issue] = [
        _issue(
            "consistency.relation-invalid"
            if p.kind == "invalid"
            else "consistency.unresolved-reference",
            p.message,
        )
        for p in pr.problems
    ]
    values = pr.intervals()
    latent = {x for x, v in pr.variables.items() if v.kind == "latent"}
    known_ids = pr.known_members()
    good = [r for r in pr.relations if r.id not in known_ids]
    vals_good, conflicts_good = engine.propagate(pr.rows(exclude=known_ids), values)
    n_failed = 0
    for r in good:
        if _holds(r, vals_good):
            continue
        n_failed += 1
        loc = _anchor(r, pr)
        issues.append(
            _issue(
                "consistency.relation-violated",
                f"relation {r.id} ({r.type}) does not hold: "
                f"{_describe(r, vals_good, values, latent)}. {r.description_en}".strip()
                + _through_latents(r, good, pr),
                loc.resource,
                loc.row,
                loc.field,
            )
        )
    known_list = []
    for k in pr.discrepancies:
        members = pr.members(k)
        if not members:
            loc = next(
                (
                    _loc(pr.variables[x])
                    for s in sorted(set(k.listed))
                    if (x := pr.resolve(s)) and pr.variables[x].resource
                ),
                _NOWHERE,
            )
            known_list.append(
                {"discrepancy": k.id, "relations": [], "description_en": k.description_en}
            )
            issues.append(
                _issue(
                    "consistency.known-discrepancy",
                    f"known discrepancy {k.id} (recorded; it covers no relation, so check cannot "
                    f"test it): {k.description_en}",
                    loc.resource,
                    loc.row,
                    loc.field,
                )
            )
            continue
        with_k = [row for r in [*good, *members] for row in r.rows]
        vals_g, conflicts = engine.propagate(with_k, values)
        conflicts -= conflicts_good
        failing = [r for r in members if not _holds(r, vals_g)] + [
            r for r in members if r.id in conflicts and _holds(r, vals_g)
        ]
        failing_good = [r for r in good if not _holds(r, vals_g) and _holds(r, vals_good)]
        loc = _anchor(members[0], pr)
        if failing or failing_good or conflicts:
            shown = failing or members
            loc = _anchor(shown[0], pr)
            known_list.append(
                {
                    "discrepancy": k.id,
                    "relations": [r.id for r in shown],
                    "description_en": k.description_en,
                }
            )
            # relation ids only: the narrowed intervals of masked cells are not printed (CI logs
            # are public, and a discrepancy must not spell out what a <5 cell is)
            detail = "conflicting relations: " + ", ".join(r.id for r in shown)
            issues.append(
                _issue(
                    "consistency.known-discrepancy",
                    f"known discrepancy {k.id}: {k.description_en} [{detail}]",
                    loc.resource,
                    loc.row,
                    loc.field,
                )
            )
        else:
            issues.append(
                _issue(
                    "consistency.discrepancy-resolved",
                    f"known discrepancy {k.id} no longer shows: its relations "
                    f"({', '.join(r.id for r in members)}) hold together with all "
                    "others; remove it from discrepancies.toml",
                    loc.resource,
                    loc.row,
                    loc.field,
                )
            )
    summary = {
        "relations": len(pr.relations),
        "relations_failed": n_failed,
        "known_discrepancies": known_list,
        # a count only: the narrowed intervals of latent quantities can equal masked cells (a
        # latent total of one <5 cell and exact ones is that cell), and the summary is public
        "latent_quantities": len({x for r in pr.relations for x in r.variables if x in latent}),
    }
    return issues, summary


def _through_latents(
    r: PackageRelation, rels: Sequence[PackageRelation], pr: PackageRelations
) -> str:
    """When ``r`` uses latent quantities (totals the report does not print), the relations and
    tables that determine them: the break can be in any of those tables, not only in the ones
    ``r`` names (a changed cell of one table moves a latent total, and the relations of the
    *other* tables then fail). Empty when ``r`` uses no latent."""

    def is_latent(x: str) -> bool:
        return pr.variables[x].kind == "latent"

    todo = [x for x in r.variables if is_latent(x)]
    if not todo:
        return ""
    seen_latent = set(todo)
    seen: list[PackageRelation] = []
    while todo:
        lat = todo.pop()
        for q in rels:
            if q in seen or lat not in q.variables:
                continue
            seen.append(q)
            for x in q.variables:
                if is_latent(x) and x not in seen_latent:
                    seen_latent.add(x)
                    todo.append(x)
    others = [q.id for q in seen if q.id != r.id]
    tables = sorted(
        {
            res
            for q in [r, *seen]
            for x in q.variables
            if (res := pr.variables[x].resource) is not None
        }
    )
    names = ", ".join(sorted(seen_latent))
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
    r: PackageRelation,
    narrowed: Mapping[str, Interval],
    published: Mapping[str, Interval],
    latent: set[str],
) -> str:
    """The relation's figures: published cells and text figures with their *published*
    intervals (a masked cell stays [1, 4]: the narrowed interval of a masked cell would spell
    out what the audit protects, in public CI logs), latent quantities with their narrowed
    interval (an unprinted total derived from the other relations)."""

    def iv(x: str) -> Interval:
        return narrowed[x] if x in latent else published[x]

    if r.type == "identity":
        return "; ".join(f"{x} = {_iv(iv(x))}" for x in r.parts)
    if r.type in SHARE_TYPES:
        unit = "%" if r.type == "share" else "% change"
        figure = (
            f"{r.figure} = {_fmt(r.percent or 0.0)}{unit} (numerator "
            f"{', '.join(r.numerator)}; denominator {', '.join(r.denominator)})"
        )
        return figure + "; " + "; ".join(f"{x} = {_iv(iv(x))}" for x in r.parts)
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


# A digit 1..n-1 in the free text of a threshold table (every such count there is masked), unless
# it is a reference (table 3, columns 1 and 2, rank 1 to 10), a count of values/rows, a bound of an
# interval ([3, 12], 4 <= x) or the rule itself (1-4, <5).
_SMALL = re.compile(
    r"(?<![\w.,<>=≤≥/\[-])(\d+)(?![\w%]|[.,]\d|\s*(?:%|-\s*\d|\.\.|<=|≤|<|to\b|tot\b))"
)
_REFERENCE = re.compile(
    r"(?i)\b(?:tables?|tabel(?:len)?|columns?|kolom(?:men)?|rows?|rij(?:en)?|ranks?|steps?|stap"
    r"|notes?|footnotes?|voetnoot|panels?|pages?|pagina|figures?|figuur)\b[^.;:()]{0,12}$"
)
_COUNTED = re.compile(
    r"(?i)^\s*(?:\+|values?\b|waarden\b|rows?\b|rijen\b|columns?\b|kolom(?:men)?\b|cells?\b"
    r"|cel(?:len)?\b)"
)
# The same count written as a Dutch number word (``drie slachtoffers``, ``één verdachte``), with
# the same exceptions; not ``een``, which is also the indefinite article (``Eén``: a capital
# É is often written E).
_WORD_COUNTS = {w: n for w, n in NUMBER_WORDS.items() if w != "een"}
_SMALL_WORD = re.compile(
    rf"(?i)(?<![\w-])({'|'.join(sorted(_WORD_COUNTS, key=len, reverse=True))})(?![\w-])"
)


def _free_text(res: Mapping[str, Any]) -> list[tuple[str, str]]:
    out = [(k, res[k]) for k in ("description", "description_en", "inference") if res.get(k)]
    for k in ("notes", "notes_en"):
        out += [(f"{k}[{i}]", t) for i, t in enumerate(res.get(k) or []) if isinstance(t, str)]
    for i, u in enumerate(res.get("unresolved") or []):
        if isinstance(u, dict) and isinstance(u.get("reason"), str):
            out.append((f"unresolved[{i}].reason", u["reason"]))
    return [(k, t) for k, t in out if isinstance(t, str)]


def stated_small_counts(descriptor: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    """``(resource, field, line)`` of every count below the threshold stated in the free text of a
    threshold table, in digits or in Dutch number words: it can only be a masked cell's value (the
    number itself is never returned)."""
    found = []
    for res in descriptor.get("resources", []):
        sdc = res.get("sdc")
        if not isinstance(sdc, dict) or sdc.get("rule") != "threshold":
            continue
        n = int(sdc.get("threshold", 5))
        for field, text in _free_text(res):
            counts = [(m, int(m.group(1))) for m in _SMALL.finditer(text)]
            counts += [(m, _WORD_COUNTS[m.group(1).lower()]) for m in _SMALL_WORD.finditer(text)]
            for m, count in sorted(counts, key=lambda c: c[0].start()):
                if not 1 <= count < n:
                    continue
                if _REFERENCE.search(text[: m.start()]) or _COUNTED.match(text[m.end() :]):
                    continue
                found.append((str(res.get("name")), field, text.count("\n", 0, m.start()) + 1))
    return found


def _metadata_issues(pkg: PackageData) -> list[Issue]:
    d = pkg.descriptor
    issues = []

    def nonempty(v: Any) -> bool:
        return bool(v.strip()) if isinstance(v, str) else bool(v)

    for k in (*_REQUIRED_TEXT, "sources", "licenses"):
        if not nonempty(d.get(k)):
            issues.append(_issue("metadata.missing", f"the package has no '{k}'", field=k))
    # the index from questions to tables (metadata/questions.toml): every resource must exist
    issues += [
        _issue(f"metadata.{kind}", message, field="questions")
        for kind, message in question_problems(d)
    ]
    issues += [
        _issue(
            "metadata.masked-value-stated",
            f"resource {name}, '{field}' line {line}: the text states a count below the table's "
            "threshold, which only a masked cell can hold; describe the relation without the value",
            name,
            field=field,
        )
        for name, field, line in stated_small_counts(d)
    ]
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
        # a resource without numbers (a code list) needs no unit
        counts = any(isinstance(f, dict) and f.get("type") in ("integer", "number") for f in fields)
        if counts and not has_unit_field and not nonempty(res.get("unit")):
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
    report.extend(_superseded_issues(pkg))
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
        report.extend(observation_issues(pkg))
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
