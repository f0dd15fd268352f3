"""Generate ``datapackage/`` from ``metadata/``: deterministic bytes, written atomically.

* :func:`build_files` turns a loaded :class:`~opendata_mh.model.Metadata` into a mapping
  ``relative path -> bytes`` (``datapackage.json`` and ``data/<resource>.csv``). Same metadata,
  same bytes: no timestamps, stable key and row order, JSON with two-space indent and a final LF,
  CSV UTF-8 without BOM, LF line ends, comma separator, minimal quoting.
* :func:`generate` writes those files into a temporary directory next to the output and swaps
  it into place in one rename, so an error never leaves a half-written package (the previous
  package stays intact). With ``check=True`` it writes nothing and reports which files would
  change.

CSV rows are in grid order: panel by panel, row by row, column by column.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from opendata_mh.errors import GenerateError
from opendata_mh.layout import extend_layout
from opendata_mh.lock import metadata_lock
from opendata_mh.model import (
    CELL_TYPES,
    CONF_STATUS,
    NON_COUNT_UNITS,
    OBS_STATUS,
    PERIOD,
    SHARE_TYPES,
    Metadata,
    PackageMeta,
    Source,
    TableSpec,
    TextFigure,
    load_metadata,
)
from opendata_mh.parquet import VALUE_COLUMNS, combined_parquet, resource_parquet, same_content

DESCRIPTOR = "datapackage.json"
TEXT_FIGURES = "text_figures"
PERIOD_PATTERN = r"^\d{4}(-\d{4})?$"
PRINTED_PATTERN = r"^(0|[1-9][0-9]*|<[1-9][0-9]*|(0|[1-9][0-9]*)-(0|[1-9][0-9]*)|x)$"


# --------------------------------------------------------------------------------------------
# Descriptor
# --------------------------------------------------------------------------------------------


def _source_dict(s: Source) -> dict[str, Any]:
    d: dict[str, Any] = {"id": s.id, "title": s.title, "title_en": s.title_en}
    if s.path:
        d["path"] = s.path
    if s.printed:
        d["printed"] = s.printed
    if s.reference_date:
        d["reference_date"] = s.reference_date
    return d


def _licenses(pkg: PackageMeta) -> list[dict[str, Any]]:
    return [{"name": lic.name, "path": lic.path, "title": lic.title} for lic in pkg.licenses]


def _field(
    name: str, ftype: str, title: str, description: str, **constraints: Any
) -> dict[str, Any]:
    d: dict[str, Any] = {"name": name, "type": ftype, "title": title, "description": description}
    if constraints:
        d["constraints"] = constraints
    return d


def table_fields(meta: Metadata, table: TableSpec) -> list[dict[str, Any]]:
    """The Table Schema fields of a table resource, in CSV column order."""
    unit = meta.package.unit(table.unit).title_en if table.unit else "count"
    fields = [
        _field(
            PERIOD,
            "string",
            "Period",
            "Year (YYYY) or a total over several years (YYYY-YYYY).",
            required=True,
            pattern=PERIOD_PATTERN,
        ),
    ]
    for d in table.dimensions:
        cl = meta.codelist(d)
        fields += [
            _field(
                d,
                "string",
                cl.title_en,
                f"Code of the dimension '{d}' ({cl.title_en}; Dutch: {cl.title}). "
                "'all' is the total over all categories.",
                required=True,
                enum=list(cl.code_ids),
            ),
            _field(
                f"{d}_label",
                "string",
                f"{cl.title_en} (Dutch label)",
                "Dutch label exactly as printed in this table of the report.",
                required=True,
            ),
            _field(
                f"{d}_label_en",
                "string",
                f"{cl.title_en} (English label)",
                "English label from the code list.",
                required=True,
            ),
        ]
    fields += [
        _field(
            "value",
            "integer",
            f"Number of {unit}",
            "The count as published. Empty when the cell is masked (<5), a range or "
            "unresolved. For figures rounded to tens (IND) the rounded figure.",
            minimum=0,
        ),
        _field(
            "value_lower",
            "integer",
            "Lower bound",
            "Lowest possible true value given what is printed.",
            required=True,
            minimum=0,
        ),
        _field(
            "value_upper",
            "integer",
            "Upper bound",
            "Highest possible true value given what is printed (empty = unknown).",
            minimum=0,
        ),
        _field(
            "value_printed",
            "string",
            "Value as printed",
            "The value exactly as printed in the report (e.g. 181, <5, 170-180; x = not "
            "published, at least 1, in a built edition); empty when the value could not be "
            "read from the extracted text (unresolved).",
            pattern=PRINTED_PATTERN,
        ),
        _field(
            "cell_type",
            "string",
            "Cell type",
            "exact, zero, masked (<5), rounded (IND, to tens), range (printed range), "
            "unresolved (not readable from the text; see the resource's 'unresolved') or "
            "secondary (x: not published, at least 1 since zeros are always shown; withheld so "
            "that no <5 cell can be derived from the totals, which may be a small count "
            "itself).",
            required=True,
            enum=list(CELL_TYPES),
        ),
        _field(
            "obs_status",
            "string",
            "Observation status (SDMX OBS_STATUS)",
            "A = normal value; Q = not a single figure (masked, secondary or range); O = missing "
            "(unresolved).",
            required=True,
            enum=list(OBS_STATUS),
        ),
        _field(
            "conf_status",
            "string",
            "Confidentiality status (SDMX CONF_STATUS)",
            "F = free; A = primary confidentiality (small count masked); D = secondary "
            "(published only as a range, or withheld as x; x never says whether the count is "
            "small).",
            required=True,
            enum=list(CONF_STATUS),
        ),
        _field(
            "edition",
            "string",
            "Edition",
            "The edition the figure comes from: the report edition it was transcribed from "
            "(2023) or the later edition that added or revised it (see the package's 'editions').",
            required=True,
        ),
    ]
    return fields


def _table_resource(meta: Metadata, t: TableSpec) -> dict[str, Any]:
    pkg = meta.package
    unit = pkg.unit(t.unit)
    res: dict[str, Any] = {
        "name": t.id,
        "path": f"data/{t.id}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": t.title,
        "title_en": t.title_en,
        "description": t.description,
        "description_en": t.description_en,
        "reportTable": t.number,
        "section": t.section,
        "available": t.available,
        "sources": [_source_dict(pkg.source(t.source))],
        "licenses": _licenses(pkg),
        "unit": {"id": unit.id, "title": unit.title, "title_en": unit.title_en},
        "sdc": t.sdc.to_dict(),
    }
    if t.printed_source:
        res["printedSource"] = t.printed_source
    res["notes"] = list(t.notes)
    res["notes_en"] = list(t.notes_en)
    res["inference"] = t.inference
    res["printedLayout"] = extend_layout(
        [
            {
                "panel": pn.id,
                **({"title": pn.title} if pn.title else {}),
                **({"title_en": pn.title_en} if pn.title_en else {}),
                "fixed": dict(pn.fixed),
                "rows": {"dimension": pn.row_dim, "codes": [r.code for r in pn.rows]},
                "columns": {"dimension": pn.col_dim, "codes": [c.code for c in pn.columns]},
            }
            for pn in t.panels
        ],
        [dict(c.key) for c in t.cells],
        t.dimensions,
    )
    cell_by_key = {c.key: c for c in t.cells}
    res["unresolved"] = [
        {
            "key": u.key_dict(),
            "row": t.cells.index(cell_by_key[u.key]) + 1,
            "candidates": list(u.candidates),
            "reason": u.reason,
        }
        for u in t.unresolved
    ]
    res["schema"] = {
        "fields": table_fields(meta, t),
        "primaryKey": [PERIOD, *t.dimensions],
        "missingValues": [""],
    }
    return res


def text_fields() -> list[dict[str, Any]]:
    return [
        _field("figure_id", "string", "Figure id", "Stable id of the figure.", required=True),
        _field(
            "period",
            "string",
            "Period",
            "Year, YYYY-YYYY, or empty when no period applies.",
            pattern=PERIOD_PATTERN,
        ),
        _field(
            "printed",
            "string",
            "As printed",
            "The figure exactly as printed in the text.",
            required=True,
        ),
        _field(
            "value",
            "number",
            "Value",
            "The figure as a number (percent as 53, not 0.53); empty when not a number.",
        ),
        _field(
            "value_lower",
            "number",
            "Lower bound",
            "Lowest possible value (e.g. 1 for <5); empty when not a count.",
        ),
        _field(
            "value_upper",
            "number",
            "Upper bound",
            "Highest possible value (e.g. 4 for <5); empty when not a count.",
        ),
        _field(
            "unit",
            "string",
            "Unit",
            "Unit key of the package (victims, cases, ...), count (another count), or "
            "percent, percent_change, years, days.",
            required=True,
        ),
        _field(
            "quote",
            "string",
            "Quote",
            "The sentence of the report (Dutch) with the figure.",
            required=True,
        ),
        _field(
            "description_en",
            "string",
            "Description",
            "What the figure is (English).",
            required=True,
        ),
        _field("section", "string", "Section", "Section of the report."),
        _field(
            "refers_to",
            "string",
            "Refers to",
            "Cell reference (resource/period=.../dim=...) or latent quantity (@name/...) "
            "that the figure states; empty if none.",
        ),
    ]


def _text_resource(meta: Metadata) -> dict[str, Any]:
    pkg = meta.package
    report = [s for s in pkg.sources if s.id == "report"] or list(pkg.sources)
    return {
        "name": TEXT_FIGURES,
        "path": f"data/{TEXT_FIGURES}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": "Cijfers in de tekst van het rapport",
        "title_en": "Figures quoted in the text of the report",
        "description": "Elk cijfer dat in de lopende tekst van het rapport wordt genoemd, met het "
        "citaat en, waar van toepassing, de cel of grootheid waar het naar verwijst.",
        "description_en": "Every figure quoted in the prose of the report, with the quote and, "
        "where it applies, the cell or latent quantity it states.",
        "sources": [_source_dict(s) for s in report],
        "licenses": _licenses(pkg),
        "schema": {"fields": text_fields(), "primaryKey": ["figure_id"], "missingValues": [""]},
    }


def _ref(x: Any) -> str | None:
    return None if x is None else str(x)


def build_descriptor(meta: Metadata) -> dict[str, Any]:
    """The ``datapackage.json`` content as an ordered dict."""
    pkg = meta.package
    d: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": pkg.name,
        "title": pkg.title,
        "title_en": pkg.title_en,
        "description": pkg.description,
        "description_en": pkg.description_en,
        "version": pkg.version,
    }
    if pkg.edition:
        d["edition"] = pkg.edition
    if pkg.homepage:
        d["homepage"] = pkg.homepage
    if pkg.language:
        d["language"] = list(pkg.language)
    d["keywords"] = list(pkg.keywords)
    if pkg.created:
        d["created"] = pkg.created
    if pkg.temporal_start or pkg.temporal_end:
        d["temporalCoverage"] = {"start": pkg.temporal_start, "end": pkg.temporal_end}
    for k, v in pkg.extra:
        d[k] = v
    d["licenses"] = _licenses(pkg)
    d["contributors"] = [
        {
            k: v
            for k, v in (("title", c.title), ("role", c.role), ("path", c.path), ("email", c.email))
            if v
        }
        for c in pkg.contributors
    ]
    d["sources"] = [_source_dict(s) for s in pkg.sources]
    d["units"] = {u.id: {"title": u.title, "title_en": u.title_en} for u in pkg.units}
    d["resources"] = [_table_resource(meta, t) for t in meta.tables] + [_text_resource(meta)]
    d["resources"] += parquet_resources(d["resources"])
    rels = []
    for r in meta.relations:
        rd: dict[str, Any] = {"id": r.id, "type": r.type}
        if r.type == "identity":
            rd["cells"] = [str(c) for c in r.cells]
        elif r.type in SHARE_TYPES:
            rd["figure"] = _ref(r.figure)
            rd["numerator"] = [str(x) for x in r.numerator]
            rd["denominator"] = [str(x) for x in r.denominator]
            rd["decimals"] = r.decimals
        else:
            rd["total"] = _ref(r.total)
            rd["parts"] = [str(p) for p in r.parts]
        if r.description:
            rd["description"] = r.description
        rd["description_en"] = r.description_en
        rd["origin"] = r.origin
        rels.append(rd)
    d["relations"] = rels
    lat = []
    for q in meta.latent:
        ld: dict[str, Any] = {"id": str(q.ref), "name": q.ref.name, "key": dict(q.ref.key)}
        for k in ("title", "description", "description_en", "unit"):
            if getattr(q, k):
                ld[k] = getattr(q, k)
        ld["relations"] = list(q.relations)
        lat.append(ld)
    d["latentQuantities"] = lat
    d["knownDiscrepancies"] = [
        {
            "id": x.id,
            "relations": list(x.relations),
            "description": x.description,
            "description_en": x.description_en,
        }
        for x in meta.discrepancies
    ]
    d["acknowledgedFindings"] = [
        {
            "cell": str(a.cell),
            "code": a.code,
            "fingerprint": a.fingerprint,
            "relations": list(a.relations),
            "reason": a.reason,
            "by": a.by,
            "date": a.date,
        }
        for a in meta.acknowledged_findings
    ]
    if meta.editions:
        d["editions"] = [e.to_dict() for e in meta.editions]
    return d


# --------------------------------------------------------------------------------------------
# Parquet (the files are written by opendata_mh.parquet, from the CSV rows)
# --------------------------------------------------------------------------------------------

PARQUET_DIR = "parquet"
COMBINED = "all_tables"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
_COPIED = ("title", "title_en", "sources", "licenses", "unit")


def _parquet_resource(
    name: str, path: str, of: str | list[str], base: dict[str, Any]
) -> dict[str, Any]:
    res: dict[str, Any] = {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "format": "parquet",
        "mediatype": PARQUET_MEDIATYPE,
    }
    res.update({k: base[k] for k in _COPIED if k in base})
    res["isFormatOf"] = of
    return res


def parquet_resources(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Descriptor entries of the Parquet files: one per CSV resource (``isFormatOf`` names it)
    and the combined long file of every table (``isFormatOf`` lists them)."""
    out = []
    for r in resources:
        res = _parquet_resource(
            f"{r['name']}_parquet", f"{PARQUET_DIR}/{r['name']}.parquet", r["name"], r
        )
        res["description"] = (
            f"Dezelfde gegevens als {r['path']}, als Parquet met getypeerde kolommen; "
            "het Table Schema staat in de metadata van het bestand."
        )
        res["description_en"] = (
            f"The same data as {r['path']}, as Parquet with typed columns (integers as int64, "
            "null when masked, a range or unresolved; codes and labels dictionary-encoded); the "
            "Table Schema is in the file's key-value metadata (frictionless:schema)."
        )
        res["schema"] = r["schema"]
        out.append(res)
    tables = [r for r in resources if "sdc" in r]
    combined = _parquet_resource(
        COMBINED,
        f"{PARQUET_DIR}/{COMBINED}.parquet",
        [r["name"] for r in tables],
        {k: v for k, v in (tables[0] if tables else {}).items() if k in ("sources", "licenses")},
    )
    combined["title"] = "Alle tabellen in één lang bestand"
    combined["title_en"] = "All tables in one long file"
    combined["description"] = (
        "Elke gepubliceerde cel van elke tabel: resource, periode, dimensies (JSON en een kolom "
        "per dimensie), waarde, grenzen en status."
    )
    combined["description_en"] = (
        "Every published cell of every table, one row per cell: resource, report_table, unit, "
        "period, dimensions (a JSON object {dimension: code}, labels and labels_en likewise, "
        "and one code column per dimension, null where a table lacks it), then value, "
        "value_lower, value_upper, value_printed, cell_type, obs_status, conf_status."
    )
    combined["sources"] = [s for r in tables for s in r.get("sources", [])]
    combined["sources"] = [
        s for i, s in enumerate(combined["sources"]) if s not in combined["sources"][:i]
    ]
    combined["schema"] = {"fields": combined_fields(tables), "missingValues": [""]}
    out.append(combined)
    return out


def combined_fields(tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Table Schema fields of the combined long file (columns as written by
    :func:`opendata_mh.parquet.combined_arrow`)."""
    dims: dict[str, dict[str, Any]] = {}
    values: dict[str, dict[str, Any]] = {}
    for r in tables:
        by_name = {f["name"]: f for f in r["schema"]["fields"]}
        for k in r["schema"]["primaryKey"][1:]:
            if k not in dims:
                f = dict(by_name[k])
                f["constraints"] = {}
                dims[k] = f
        for k in VALUE_COLUMNS:
            values.setdefault(k, by_name[k])
    # columns every table shares besides period, dimensions and values (e.g. edition), as in
    # opendata_mh.parquet.combined_arrow
    names = [[f["name"] for f in r["schema"]["fields"]] for r in tables]
    for k in names[0] if names else []:
        if (
            k not in VALUE_COLUMNS
            and k != PERIOD
            and k not in dims
            and not k.endswith(("_label", "_label_en"))
            and all(k in n for n in names)
        ):
            values.setdefault(
                k, dict(next(f for f in tables[0]["schema"]["fields"] if f["name"] == k))
            )
    for f in dims.values():
        f["description"] = str(f["description"]) + " Empty when the table has no such dimension."
        f.pop("constraints")
    text = "JSON object {dimension: %s} of the cell, in the table's dimension order; {} if none."
    return [
        _field("resource", "string", "Resource", "Name of the table resource.", required=True),
        _field("report_table", "integer", "Report table", "Number of the table in the report."),
        _field("unit", "string", "Unit", "Unit id of the table (see the package's units)."),
        table_fields_period(),
        _field("dimensions", "string", "Dimensions", text % "code", required=True),
        _field("labels", "string", "Dutch labels", text % "Dutch label", required=True),
        _field("labels_en", "string", "English labels", text % "English label", required=True),
        *dims.values(),
        *values.values(),
    ]


def table_fields_period() -> dict[str, Any]:
    return _field(
        PERIOD,
        "string",
        "Period",
        "Year (YYYY) or a total over several years (YYYY-YYYY).",
        required=True,
        pattern=PERIOD_PATTERN,
    )


def parquet_files(meta: Metadata, descriptor: Mapping[str, Any]) -> dict[str, bytes]:
    """``parquet/<resource>.parquet`` for every CSV resource and ``parquet/all_tables.parquet``,
    built from the same rows as the CSVs."""
    rows = {t.id: table_rows(t) for t in meta.tables}
    rows[TEXT_FIGURES] = text_rows(meta.text_figures)
    by_name = {r["name"]: r for r in descriptor["resources"]}
    files: dict[str, bytes] = {}
    for name, r in rows.items():
        res = by_name[name]
        pres = by_name[f"{name}_parquet"]
        embedded = {k: v for k, v in res.items() if k not in ("path", "format", "mediatype")}
        embedded.update({k: pres[k] for k in ("path", "format", "mediatype", "isFormatOf")})
        files[pres["path"]] = resource_parquet(embedded, r)
    files[f"{PARQUET_DIR}/{COMBINED}.parquet"] = combined_parquet(
        [(by_name[t.id], rows[t.id]) for t in meta.tables], descriptor
    )
    return files


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------


def _num(x: float | int | None) -> str:
    if x is None:
        return ""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def table_rows(table: TableSpec) -> list[list[str]]:
    """Header + data rows of a table resource, as strings."""
    header = [PERIOD]
    for d in table.dimensions:
        header += [d, f"{d}_label", f"{d}_label_en"]
    header += [
        "value",
        "value_lower",
        "value_upper",
        "value_printed",
        "cell_type",
        "obs_status",
        "conf_status",
        "edition",
    ]
    rows = [header]
    for c in table.cells:
        key = dict(c.key)
        row = [key[PERIOD]]
        for _d, label, label_en in c.labels:
            row += [key[_d], label, label_en]
        p = c.parsed
        row += [
            _num(p.value),
            _num(p.lower),
            _num(p.upper),
            p.printed,
            p.cell_type,
            p.obs_status,
            p.conf_status,
            c.edition,
        ]
        rows.append(row)
    return rows


def text_rows(figures: tuple[TextFigure, ...]) -> list[list[str]]:
    rows = [[f["name"] for f in text_fields()]]
    for fig in figures:
        b = fig.bounds if fig.unit not in NON_COUNT_UNITS else None
        rows.append(
            [
                fig.id,
                fig.period,
                fig.printed,
                _num(fig.value),
                _num(b[0]) if b else "",
                _num(b[1]) if b else "",
                fig.unit,
                fig.quote,
                fig.description_en,
                fig.section,
                _ref(fig.refers_to) or "",
            ]
        )
    return rows


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def build_files(meta: Metadata) -> dict[str, bytes]:
    """Every file of the package: relative POSIX path -> bytes (deterministic)."""
    descriptor = build_descriptor(meta)
    files = {
        DESCRIPTOR: (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    }
    for t in meta.tables:
        files[f"data/{t.id}.csv"] = _csv_bytes(table_rows(t))
    files[f"data/{TEXT_FIGURES}.csv"] = _csv_bytes(text_rows(meta.text_figures))
    files.update(parquet_files(meta, descriptor))
    return files


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileChange:
    path: str
    status: Literal["added", "modified", "removed"]


@dataclass(frozen=True)
class GenerateResult:
    out: Path
    files: tuple[str, ...]
    changes: tuple[FileChange, ...]
    written: bool
    resources: int
    rows: int
    relations: int

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "written": self.written,
            "files": len(self.files),
            "resources": self.resources,
            "rows": self.rows,
            "relations": self.relations,
            "changes": [{"path": c.path, "status": c.status} for c in self.changes],
        }


def diff_files(files: Mapping[str, bytes], out: Path) -> list[FileChange]:
    """Which files of ``out`` would be added, modified or removed by writing ``files``."""
    existing: set[str] = set()
    if out.is_dir():
        existing = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    changes = []
    for rel in sorted(set(files) | existing):
        if rel not in existing:
            changes.append(FileChange(rel, "added"))
        elif rel not in files:
            changes.append(FileChange(rel, "removed"))
        elif (out / rel).read_bytes() != files[rel] and not (
            rel.endswith(".parquet") and same_content((out / rel).read_bytes(), files[rel])
        ):
            changes.append(FileChange(rel, "modified"))
    return changes


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        fh.write(data)


def write_atomic(files: Mapping[str, bytes], out: Path) -> None:
    """Write ``files`` to a temporary sibling of ``out`` and swap it in. All or nothing."""
    out = out.resolve()
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
    except OSError as exc:
        raise GenerateError(f"cannot create a temporary directory in {parent}: {exc}") from exc
    try:
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)
        for rel in sorted(files):
            _write_file(tmp / rel, files[rel])
        if out.exists():
            old = parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
            out.rename(old)
            try:
                tmp.rename(out)
            except BaseException:
                old.rename(out)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise GenerateError(
            f"could not write the package to {out}: {exc}; the previous package is unchanged"
        ) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def generate(
    metadata_dir: str | Path = "metadata",
    out_dir: str | Path = "datapackage",
    *,
    check: bool = False,
    lock_timeout: float = 0.0,
) -> GenerateResult:
    """Load ``metadata_dir`` and write (or, with ``check``, compare) the package in ``out_dir``.

    Raises :class:`~opendata_mh.errors.MetadataError` for invalid metadata,
    :class:`~opendata_mh.errors.GenerateError` when writing fails and
    :class:`~opendata_mh.lock.LockedError` when a build holds the metadata longer than
    ``lock_timeout`` seconds (:mod:`opendata_mh.lock`).
    """
    if check:
        meta = load_metadata(metadata_dir)
        files = build_files(meta)
        out = Path(out_dir)
        changes = diff_files(files, out)
        written = False
    else:  # one writer at a time (a build holds the same lock; re-entrant)
        with metadata_lock(metadata_dir, timeout=lock_timeout, what="generate"):
            meta = load_metadata(metadata_dir)
            files = build_files(meta)
            out = Path(out_dir)
            changes = diff_files(files, out)
            written = False
            if changes:
                write_atomic(files, out)
                written = True
    return GenerateResult(
        out=out,
        files=tuple(sorted(files)),
        changes=tuple(changes),
        written=written,
        resources=len(meta.tables) + 1,
        rows=sum(len(t.cells) for t in meta.tables),
        relations=len(meta.relations),
    )
