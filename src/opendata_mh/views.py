"""Terminal views of a package as data: the list of tables and one table laid out as printed.

Library functions return plain dataclasses (``to_dict()`` for ``--json``); :mod:`opendata_mh.cli`
renders them with rich. Everything is read from the generated package (``datapackage.json`` and
the CSVs), never from ``metadata/``:

* :func:`list_tables` -> one :class:`TableSummary` per table resource (resources with ``sdc``):
  report number, titles, periods, row count, counts of masked / rounded / range / unresolved
  cells, and the number of acknowledged audit findings (``acknowledgedFindings`` of the package,
  optional: 0 when absent).
* :func:`table_view` -> :class:`TableView`: the table's ``printedLayout`` (panels as printed: rows x
  columns, ``fixed`` dimensions) filled with the CSV cells. With ``year`` only that period's
  cells are kept (columns / rows / panels of other periods are dropped). The layout is extended
  by :func:`opendata_mh.layout.extend_layout` to cells no panel holds (a package generated before
  layouts covered later editions), so every published cell of every edition is shown.
* :func:`period_span` -> the periods of a table as one short text (``2019–2024, 2019-2023``).

Errors: :class:`~opendata_mh.errors.PackageError` when the package cannot be read;
:class:`UnknownTableError` for a table name or number that is not in the package, or a year
without cells.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from opendata_mh.errors import OpendataMhError
from opendata_mh.layout import extend_layout
from opendata_mh.report import PackageData
from opendata_mh.validate import read_package

PERIOD = "period"
MARKED = ("masked", "rounded", "range", "unresolved", "secondary")


class UnknownTableError(OpendataMhError):
    """The table (name or report number) or the year is not in the package (CLI exit 2)."""


@dataclass(frozen=True)
class TableSummary:
    """One line of ``opendata-mh tables``."""

    name: str
    number: int | None
    title: str
    title_en: str
    periods: tuple[str, ...]
    rows: int
    masked: int
    rounded: int
    range: int
    unresolved: int
    findings: int
    available: bool
    secondary: int = 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["periods"] = list(self.periods)
        return d


@dataclass(frozen=True)
class ViewCell:
    """One printed cell: ``printed`` as in the report ("" when unresolved), its type and bounds;
    ``candidates`` for an unresolved cell. ``row`` is the CSV data row (1-based)."""

    printed: str
    cell_type: str
    value: int | None
    lower: int | None
    upper: int | None
    row: int
    candidates: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["candidates"] = list(self.candidates)
        return d


@dataclass(frozen=True)
class PanelView:
    """One panel as printed: ``columns`` and ``rows`` as (code, label); ``cells[i][j]`` is the
    cell of row i, column j (None when the package has no such cell)."""

    panel: str
    title: str | None
    fixed: tuple[tuple[str, str, str], ...]  # (dimension, code, label)
    row_dimension: str
    column_dimension: str
    columns: tuple[tuple[str, str], ...]
    rows: tuple[tuple[str, str], ...]
    cells: tuple[tuple[ViewCell | None, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "panel": self.panel,
            "title": self.title,
            "fixed": [{"dimension": d, "code": c, "label": lab} for d, c, lab in self.fixed],
            "row_dimension": self.row_dimension,
            "column_dimension": self.column_dimension,
            "columns": [{"code": c, "label": lab} for c, lab in self.columns],
            "rows": [
                {
                    "code": code,
                    "label": label,
                    "cells": [c.to_dict() if c else None for c in cells],
                }
                for (code, label), cells in zip(self.rows, self.cells, strict=True)
            ],
        }


@dataclass(frozen=True)
class TableView:
    """A table laid out as the report prints it (see :func:`table_view`)."""

    name: str
    number: int | None
    title: str
    title_en: str
    unit: str
    source: str | None
    notes: tuple[str, ...]
    year: str | None
    panels: tuple[PanelView, ...]
    counts: Mapping[str, int] = field(default_factory=dict)
    rounding_base: int | None = None
    threshold: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "number": self.number,
            "title": self.title,
            "title_en": self.title_en,
            "unit": self.unit,
            "source": self.source,
            "notes": list(self.notes),
            "year": self.year,
            "counts": dict(self.counts),
            "rounding_base": self.rounding_base,
            "threshold": self.threshold,
            "panels": [p.to_dict() for p in self.panels],
        }


def _tables(pkg: PackageData) -> list[Mapping[str, Any]]:
    return [r for r in pkg.descriptor["resources"] if isinstance(r, dict) and "sdc" in r]


def findings_by_table(descriptor: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
    """The package's ``acknowledgedFindings`` (audit findings accepted by a maintainer) grouped
    by table name (the part of ``cell`` before the first ``/``). Empty when absent."""
    out: dict[str, list[Mapping[str, Any]]] = {}
    for f in descriptor.get("acknowledgedFindings") or []:
        if isinstance(f, dict) and isinstance(f.get("cell"), str):
            out.setdefault(f["cell"].split("/", 1)[0], []).append(f)
    return out


def _periods(rows: Sequence[Mapping[str, str]]) -> tuple[str, ...]:
    seen = sorted({r.get(PERIOD, "") for r in rows}, key=lambda p: (len(p) > 4, p))
    return tuple(p for p in seen if p)


def period_span(periods: Sequence[str]) -> str:
    """Single years as a span, then windows: ``2019–2024, 2019-2023, 2020-2024``; "" if none."""
    ys = [p for p in periods if len(p) == 4]
    span = f"{ys[0]}–{ys[-1]}" if len(ys) > 1 else "".join(ys)
    return ", ".join(x for x in (span, *(p for p in periods if len(p) > 4)) if x)


def list_tables(package: str | Path = "datapackage") -> list[TableSummary]:
    """Every table of the package in report order. Raises PackageError if unreadable."""
    pkg = read_package(package)
    findings = findings_by_table(pkg.descriptor)
    out = []
    for r in _tables(pkg):
        rows = pkg.rows.get(r["name"], [])
        n = {t: sum(1 for x in rows if x.get("cell_type") == t) for t in MARKED}
        out.append(
            TableSummary(
                name=r["name"],
                number=r.get("reportTable"),
                title=r.get("title", ""),
                title_en=r.get("title_en", ""),
                periods=_periods(rows),
                rows=len(rows),
                masked=n["masked"],
                rounded=n["rounded"],
                range=n["range"],
                unresolved=n["unresolved"],
                findings=len(findings.get(r["name"], [])),
                available=bool(r.get("available", True)),
                secondary=n["secondary"],
            )
        )
    return out


def _int(s: str | None) -> int | None:
    return int(s) if s not in (None, "") else None


def find_table(pkg: PackageData, table: str) -> Mapping[str, Any]:
    """The table resource named ``table`` or with report number ``table`` (``1``, ``01``)."""
    tables = _tables(pkg)
    for r in tables:
        if r["name"] == table or (table.isdigit() and r.get("reportTable") == int(table)):
            return r
    names = ", ".join(f"{r.get('reportTable')} {r['name']}" for r in tables)
    raise UnknownTableError(f"no table {table!r} in the package; the tables are: {names}")


def table_view(
    table: str, package: str | Path = "datapackage", *, year: str | None = None
) -> TableView:
    """Table ``table`` (name or report number) laid out as printed, optionally only ``year``.

    Raises :class:`UnknownTableError` for an unknown table or a year without cells,
    PackageError when the package cannot be read.
    """
    pkg = read_package(package)
    res = find_table(pkg, table)
    name = res["name"]
    rows = pkg.rows.get(name, [])
    keys = list(res["schema"]["primaryKey"])
    unresolved = {
        tuple(str(u["key"].get(k, "")) for k in keys): tuple(u.get("candidates") or ())
        for u in res.get("unresolved") or []
        if isinstance(u, dict) and isinstance(u.get("key"), dict)
    }
    by_key: dict[tuple[str, ...], tuple[int, Mapping[str, str]]] = {
        tuple(r.get(k, "") for k in keys): (i, r) for i, r in enumerate(rows, 1)
    }
    labels: dict[tuple[str, str], str] = {}
    for r in rows:
        for k in keys[1:]:
            labels.setdefault((k, r[k]), r.get(f"{k}_label", r[k]))
    if year is not None and year not in {r.get(PERIOD) for r in rows}:
        raise UnknownTableError(
            f"table {name} has no cells for period {year!r}; periods: " + ", ".join(_periods(rows))
        )

    def label(dim: str, code: str) -> str:
        return code if dim == PERIOD else labels.get((dim, code), code)

    layout = extend_layout(
        res.get("printedLayout") or [],
        [{k: r.get(k, "") for k in keys} for r in rows],
        keys[1:],
    )
    panels = []
    for lay in layout:
        fixed = dict(lay.get("fixed") or {})
        rdim, cdim = lay["rows"]["dimension"], lay["columns"]["dimension"]
        rcodes, ccodes = list(lay["rows"]["codes"]), list(lay["columns"]["codes"])
        if year is not None:
            if fixed.get(PERIOD, year) != year:
                continue
            rcodes = [c for c in rcodes if rdim != PERIOD or c == year]
            ccodes = [c for c in ccodes if cdim != PERIOD or c == year]
        grid = []
        for rc in rcodes:
            line: list[ViewCell | None] = []
            for cc in ccodes:
                key = {**fixed, rdim: rc, cdim: cc}
                k = tuple(key.get(f, "") for f in keys)
                hit = by_key.get(k)
                if hit is None:
                    line.append(None)
                    continue
                i, cell = hit
                line.append(
                    ViewCell(
                        printed=cell.get("value_printed", ""),
                        cell_type=cell.get("cell_type", ""),
                        value=_int(cell.get("value")),
                        lower=_int(cell.get("value_lower")),
                        upper=_int(cell.get("value_upper")),
                        row=i,
                        candidates=unresolved.get(k, ()),
                    )
                )
            grid.append(tuple(line))
        if not any(c for line in grid for c in line):
            continue
        panels.append(
            PanelView(
                panel=lay["panel"],
                title=lay.get("title"),
                fixed=tuple((d, c, label(d, c)) for d, c in fixed.items()),
                row_dimension=rdim,
                column_dimension=cdim,
                columns=tuple((c, label(cdim, c)) for c in ccodes),
                rows=tuple((c, label(rdim, c)) for c in rcodes),
                cells=tuple(grid),
            )
        )
    kept = [r for r in rows if year is None or r.get(PERIOD) == year]
    sdc = res.get("sdc") or {}
    unit = res.get("unit") or {}
    src = (res.get("sources") or [{}])[0]
    return TableView(
        name=name,
        number=res.get("reportTable"),
        title=res.get("title", ""),
        title_en=res.get("title_en", ""),
        unit=unit.get("title_en", "") if isinstance(unit, dict) else str(unit),
        source=res.get("printedSource") or src.get("title"),
        notes=tuple(res.get("notes") or ()),
        year=year,
        panels=tuple(panels),
        counts={t: sum(1 for r in kept if r.get("cell_type") == t) for t in MARKED},
        rounding_base=sdc.get("base") if sdc.get("rule") == "rounding" else None,
        threshold=sdc.get("threshold") if sdc.get("rule") == "threshold" else None,
    )


__all__ = [
    "PanelView",
    "TableSummary",
    "TableView",
    "UnknownTableError",
    "ViewCell",
    "findings_by_table",
    "list_tables",
    "period_span",
    "table_view",
]
