"""Later editions (``metadata/editions/<id>/``: ``edition.toml`` and one CSV of printed values per
table it touches, written by ``opendata-mh build``): :class:`Edition`, its loader, and how the
editions' periods are merged into the tables (added, revised, removed).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import replace as _replace
from pathlib import Path
from typing import Any

from opendata_mh.model._collect import _check_keys, _Collector, _read_toml
from opendata_mh.model.codelists import CodeList
from opendata_mh.model.constants import PERIOD
from opendata_mh.model.package import PackageMeta
from opendata_mh.model.printed import parse_printed
from opendata_mh.model.refs import CellRef
from opendata_mh.model.relations import Relation
from opendata_mh.model.tables import Cell, TableSpec, _code_ok, _fmt_key


@dataclass(frozen=True)
class EditionTable:
    """What an edition does to one table: the periods it adds, revises and removes."""

    id: str
    file: str
    adds: tuple[str, ...]
    revises: tuple[str, ...]
    removes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edition:
    """A later edition (``metadata/editions/<id>/edition.toml`` + one CSV per table it touches):
    protected printed values only, built by ``opendata-mh build``. ``sources`` maps a source id to
    the reference date of the data it used (e.g. a later Phoenix extract)."""

    id: str
    version: str
    date: str
    description: str
    description_en: str
    years: tuple[str, ...]
    sources: tuple[tuple[str, str], ...]
    tables: tuple[EditionTable, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "date": self.date,
            "description": self.description,
            "description_en": self.description_en,
            "years": list(self.years),
            "sources": [{"id": k, "reference_date": v} for k, v in self.sources],
            "tables": [
                {
                    "id": t.id,
                    "adds": list(t.adds),
                    "revises": list(t.revises),
                    "removes": list(t.removes),
                }
                for t in self.tables
            ],
        }


EDITIONS_DIR = "editions"
EDITION_MANIFEST = "edition.toml"
EDITION_ID_RE = re.compile(r"^\d{4}(?:\.\d+)?$")
_EDITION_KEYS = {"id", "version", "date", "description", "description_en", "years", "sources"}
_EDITION_KEYS |= {"tables"}


def _edition_sort_key(eid: str) -> tuple[int, ...]:
    return tuple(int(x) for x in eid.split("."))


def _period_sort_key(p: str) -> tuple[str, str]:
    return (p.split("-")[-1], p)


def read_edition_csv(data: bytes) -> list[dict[str, str]]:
    """Rows of an edition table file (UTF-8 CSV: ``period, <dims...>, value_printed``)."""
    import csv
    import io

    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def _load_edition(
    d: Path,
    base: str,
    tables: Mapping[str, TableSpec],
    cls: Mapping[str, CodeList],
    col: _Collector,
) -> tuple[Edition | None, dict[str, tuple[list[Cell], tuple[str, ...]]]]:
    """Parse one edition directory: its manifest and table files -> new cells per table."""
    rel = f"{EDITIONS_DIR}/{d.name}/{EDITION_MANIFEST}"
    data = _read_toml(d / EDITION_MANIFEST, rel, col)
    if not data:
        return None, {}
    _check_keys(data, _EDITION_KEYS, rel, col)
    eid = col.str_(data, "id", rel)
    if eid and (eid != d.name or not EDITION_ID_RE.match(eid)):
        col.add(rel, f"edition id {eid!r} must equal its directory name and look like '2024'")
    if (
        eid
        and base
        and EDITION_ID_RE.match(eid)
        and EDITION_ID_RE.match(base)
        and _edition_sort_key(eid) <= _edition_sort_key(base)
    ):
        col.add(rel, f"edition {eid!r} must come after the base edition {base!r}")
    version = col.str_(data, "version", rel)
    if version and not (re.match(r"^\d{4}\.\d+\.\d+$", version) and version.startswith(eid + ".")):
        col.add(rel, f"version {version!r} must look like '{eid}.<n>.<m>'", field="version")
    date = data.get("date")
    date_s = date.isoformat() if isinstance(date, dt.date) else date
    if not isinstance(date_s, str) or not re.match(r"^\d{4}-\d{2}-\d{2}$", date_s):
        col.add(rel, "'date' must be a date YYYY-MM-DD", field="date")
        date_s = ""
    years = col.str_list(data, "years", rel, required=False)
    sources: list[tuple[str, str]] = []
    for i, src in enumerate(data.get("sources") or [], 1):
        if not isinstance(src, dict):
            col.add(rel, "[[sources]] entries must be tables", row=i)
            continue
        _check_keys(src, {"id", "reference_date"}, rel, col, row=i)
        sid = col.str_(src, "id", rel, row=i)
        ref = src.get("reference_date")
        ref_s = ref.isoformat() if isinstance(ref, dt.date) else ref
        if not isinstance(ref_s, str) or not re.match(r"^\d{4}-\d{2}-\d{2}$", ref_s):
            col.add(rel, "reference_date must be YYYY-MM-DD", row=i, field="reference_date")
            continue
        sources.append((sid, ref_s))
    etables: list[EditionTable] = []
    cells_out: dict[str, tuple[list[Cell], tuple[str, ...]]] = {}
    for i, rt in enumerate(data.get("tables") or [], 1):
        if not isinstance(rt, dict):
            col.add(rel, "[[tables]] entries must be tables", row=i)
            continue
        _check_keys(rt, {"id", "file", "adds", "revises", "removes"}, rel, col, row=i)
        tid = col.str_(rt, "id", rel, row=i)
        t = tables.get(tid)
        if t is None:
            col.add(rel, f"table {tid!r} does not exist (or failed to load)", row=i, field="id")
            continue
        fname = col.str_(rt, "file", rel, row=i)
        frel = f"{EDITIONS_DIR}/{d.name}/{fname}"
        removes = col.str_list(rt, "removes", rel, required=False, row=i)
        try:
            rows = read_edition_csv((d / fname).read_bytes())
        except (OSError, UnicodeDecodeError) as exc:
            col.add(frel, f"cannot read: {exc}", table=tid)
            continue
        want = [PERIOD, *t.dimensions, "value_printed"]
        if rows and list(rows[0]) != want:
            col.add(frel, f"header must be {want}, got {list(rows[0])}", table=tid)
            continue
        known = {c.key: c for c in t.cells}
        labels: dict[tuple[str, str], str] = {}
        for c in t.cells:
            for dim, label, _ in c.labels:
                labels.setdefault((dim, dict(c.key)[dim]), label)
        new: list[Cell] = []
        seen: set[tuple[tuple[str, str], ...]] = set()
        adds: set[str] = set()
        revises: set[str] = set()
        for li, row in enumerate(rows, 2):
            loc: dict[str, Any] = {"table": tid, "row": li}
            key = tuple((k, (row.get(k) or "").strip()) for k in t.key_fields)
            bad = [k for k, v in key if not _code_ok(k, v, cls)]
            if bad:
                col.add(frel, f"line {li}: {bad[0]} {dict(key)[bad[0]]!r} is not a code", **loc)
                continue
            if key in seen:
                col.add(frel, f"line {li}: cell {_fmt_key(key)} is given twice", **loc)
                continue
            seen.add(key)
            try:
                parsed = parse_printed(row.get("value_printed") or "", t.sdc)
                if parsed.cell_type == "unresolved":
                    raise ValueError("an edition has no unresolved cells")
            except ValueError as exc:
                col.add(frel, f"line {li}: {exc}", field="value_printed", **loc)
                continue
            (revises if key in known else adds).add(key[0][1])
            lab = tuple(
                (
                    dim,
                    labels.get((dim, v)) or (cls[dim].get(v).label if cls[dim].get(v) else v),  # type: ignore[union-attr]
                    cls[dim].get(v).label_en if cls[dim].get(v) else v,  # type: ignore[union-attr]
                )
                for dim, v in key[1:]
            )
            new.append(Cell(tid, key, lab, parsed, f"edition:{eid}", li - 1, 0, eid))
        revises -= adds
        for fld, got in (("adds", adds), ("revises", revises)):
            declared = col.str_list(rt, fld, rel, required=False, row=i)
            if sorted(declared, key=_period_sort_key) != sorted(got, key=_period_sort_key):
                col.add(
                    rel,
                    f"table {tid!r}: '{fld}' says {sorted(declared)} but {fname} "
                    f"{fld[:-1]} {sorted(got, key=_period_sort_key)}",
                    row=i,
                    field=fld,
                )
        etables.append(
            EditionTable(
                tid,
                fname,
                tuple(sorted(adds, key=_period_sort_key)),
                tuple(sorted(revises, key=_period_sort_key)),
                tuple(removes),
            )
        )
        cells_out[tid] = (new, tuple(removes))
    edition = Edition(
        id=eid,
        version=version,
        date=date_s,
        description=col.str_(data, "description", rel, required=False),
        description_en=col.str_(data, "description_en", rel),
        years=tuple(years),
        sources=tuple(sources),
        tables=tuple(etables),
    )
    return edition, cells_out


def _apply_editions(
    root: Path,
    pkg: PackageMeta,
    tables: list[TableSpec],
    cls: Mapping[str, CodeList],
    col: _Collector,
    upto: str | None = None,
) -> tuple[PackageMeta, list[TableSpec], tuple[Edition, ...]]:
    """Stamp the transcribed cells with the base edition, then merge every edition in
    ``metadata/editions/`` in order: a cell of a later edition replaces the cell with the same
    key (a revision) or is appended (a new cell); ``removes`` drops periods. The package takes
    the latest edition's id and version, its temporal end and its sources' reference dates.
    ``upto``: merge only the editions up to this id (the package as that edition published
    it; the base edition's id: none)."""
    base = pkg.edition or ""
    tables = [_replace(t, cells=tuple(_replace(c, edition=base) for c in t.cells)) for t in tables]
    edir = root / EDITIONS_DIR
    if not edir.is_dir():
        return pkg, tables, ()
    dirs = sorted(
        (p for p in edir.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: _edition_sort_key(p.name) if EDITION_ID_RE.match(p.name) else (0,),
    )
    if upto is not None and EDITION_ID_RE.match(upto):
        dirs = [
            p
            for p in dirs
            if not EDITION_ID_RE.match(p.name)
            or _edition_sort_key(p.name) <= _edition_sort_key(upto)
        ]
    editions: list[Edition] = []
    for d in dirs:
        tmap = {t.id: t for t in tables}
        edition, new_cells = _load_edition(d, base, tmap, cls, col)
        if edition is None:
            continue
        editions.append(edition)
        for i, t in enumerate(tables):
            if t.id not in new_cells:
                continue
            cells, removes = new_cells[t.id]
            by_key = {c.key: c for c in cells}
            merged = [by_key.pop(c.key, c) for c in t.cells if c.key[0][1] not in removes]
            merged += [c for c in cells if c.key in by_key]
            still = {c.key for c in merged if c.parsed.cell_type == "unresolved"}
            tables[i] = _replace(
                t, cells=tuple(merged), unresolved=tuple(u for u in t.unresolved if u.key in still)
            )
    if not editions:
        return pkg, tables, ()
    last = editions[-1]
    refs: dict[str, str] = {}
    for e in editions:
        refs.update(dict(e.sources))
    for sid in refs:
        if sid not in {s.id for s in pkg.sources}:
            col.add(f"{EDITIONS_DIR}/", f"source {sid!r} of an edition is not in package.toml")
    years = [c.key[0][1] for t in tables for c in t.cells]
    end = max(int(p.split("-")[-1]) for p in years) if years else None
    pkg = _replace(
        pkg,
        edition=last.id,
        version=last.version,
        temporal_end=f"{end}-12-31" if end and pkg.temporal_end else pkg.temporal_end,
        sources=tuple(
            _replace(s, reference_date=refs[s.id]) if s.id in refs else s for s in pkg.sources
        ),
    )
    return pkg, tables, tuple(editions)


def _one_edition(
    r: Relation,
    cells: Mapping[CellRef, str],
    base: str,
    latent_eds: Mapping[CellRef, set[str]] | None = None,
) -> bool:
    """True when every table cell and text figure of ``r`` comes from the same edition (text
    figures belong to the base edition): a relation holds among figures of one reference date,
    so a relation that a later edition revised only in part is left out. A latent quantity
    carries the editions of the table cells it is related to (``latent_eds``), so a prose figure
    tied to a latent whose cells a later edition revised lapses too."""
    eds = {
        cells.get(ref, base) if ref.kind == "cell" else base
        for ref in r.refs
        if ref.kind != "latent"
    }
    for ref in r.refs:
        if ref.kind == "latent" and latent_eds:
            eds |= latent_eds.get(ref, set())
    return len(eds) <= 1


# --------------------------------------------------------------------------------------------
# Superseded printings: what earlier editions printed for cells a later edition re-printed
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupersededCell:
    """An earlier printing of a table cell that a later edition re-printed (re-counted, the
    figure changed or not): ``cell`` as that edition printed it (``cell.edition``), and the
    edition whose printing replaced it."""

    table: str
    cell: Cell
    superseded_by: str


@dataclass(frozen=True)
class EditionState:
    """The package as one edition published it: its id, tables and relations (the relations
    that held among that edition's printed figures)."""

    edition: str
    tables: tuple[TableSpec, ...]
    relations: tuple[Relation, ...]


def _printing_editions(states: Sequence[EditionState]) -> dict[tuple[str, Any], list[str | None]]:
    """(table, key) -> the edition of its printing in each state (None: not printed)."""
    out: dict[tuple[str, Any], list[str | None]] = {}
    for i, st in enumerate(states):
        for t in st.tables:
            for c in t.cells:
                out.setdefault((t.id, c.key), [None] * len(states))[i] = c.edition
    return out


def superseded_cells(states: Sequence[EditionState]) -> list[SupersededCell]:
    """Every printing of an earlier state (``states`` in edition order, the last the current
    package) that a later edition replaced by its own printing of the same cell: in table
    order (of the current package), cell order, then edition. A cell an edition removed (no
    later printing) is not superseded."""
    if len(states) < 2:
        return []
    eds = _printing_editions(states)
    cells: dict[tuple[str, Any, str], Cell] = {}
    for st in states[:-1]:
        for t in st.tables:
            for c in t.cells:
                cells.setdefault((t.id, c.key, c.edition), c)
    order = {t.id: i for i, t in enumerate(states[-1].tables)}
    out: list[SupersededCell] = []
    for (tid, key), seq in eds.items():
        printed = [e for e in seq if e is not None]
        distinct = [e for i, e in enumerate(printed) if i == 0 or printed[i - 1] != e]
        if seq[-1] is None:
            continue
        for e, nxt in itertools.pairwise(distinct):
            out.append(SupersededCell(tid, cells[(tid, key, e)], nxt))
    first = {(s.table, s.cell.key): i for i, s in enumerate(out)}
    return sorted(
        out,
        key=lambda s: (
            order.get(s.table, len(order)),
            first[(s.table, s.cell.key)],
            _edition_sort_key(s.cell.edition) if EDITION_ID_RE.match(s.cell.edition) else (0,),
        ),
    )


def superseded_relations(states: Sequence[EditionState]) -> list[tuple[str, Relation]]:
    """For each earlier state (edition E), the relations that held among E's printed figures
    and use a printing that a later edition replaced, with every relation of E that shares a
    latent quantity with them (a latent total of E is E's own unknown): ``(E, relation)``, in
    edition order then E's relation order. Together with the superseded printings they are
    what a reader of edition E knew and the current package no longer states."""
    if len(states) < 2:
        return []
    eds = _printing_editions(states)
    out: list[tuple[str, Relation]] = []
    for i, st in enumerate(states[:-1]):
        replaced = {k for k, seq in eds.items() if seq[i] is not None and seq[i] != seq[-1]}

        def touches(r: Relation, replaced: set[tuple[str, Any]] = replaced) -> bool:
            return any(ref.kind == "cell" and (ref.name, ref.key) in replaced for ref in r.refs)

        keep = {j for j, r in enumerate(st.relations) if touches(r)}
        latents = {ref for j in keep for ref in st.relations[j].refs if ref.kind == "latent"}
        grew = True
        while grew:
            grew = False
            for j, r in enumerate(st.relations):
                if j not in keep and any(ref in latents for ref in r.refs):
                    keep.add(j)
                    latents |= {ref for ref in r.refs if ref.kind == "latent"}
                    grew = True
        out += [(st.edition, r) for j, r in enumerate(st.relations) if j in keep]
    return out
