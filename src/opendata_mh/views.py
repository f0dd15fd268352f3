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

Errors: :class:`~opendata_mh.errors.PackageError` when the package cannot be read
(:class:`~opendata_mh.csvfile.TableFileError` when a table's CSV is broken: rows come from
:func:`opendata_mh.csvfile.table_rows`);
:class:`UnknownTableError` for a table name or number that is not in the package, or a year
without cells.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from opendata_mh.csvfile import key_fields, table_rows
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
    row_title: str = ""  # the row dimension's title in the view's language
    column_title: str = ""
    fixed_titles: tuple[str, ...] = ()  # the titles of the ``fixed`` dimensions, same order

    def heading(self) -> str:
        """The panel's title as printed, else its fixed dimensions (``Vorm: Totaal``)."""
        if self.title:
            return self.title
        return "; ".join(
            f"{t}: {lab}" for t, (_d, _c, lab) in zip(self.fixed_titles, self.fixed, strict=True)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "panel": self.panel,
            "title": self.title,
            "fixed": [{"dimension": d, "code": c, "label": lab} for d, c, lab in self.fixed],
            "row_dimension": self.row_dimension,
            "row_title": self.row_title,
            "column_dimension": self.column_dimension,
            "column_title": self.column_title,
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
    group_breakdown: bool = False  # sdc.groupProtection 'breakdown': an x may be 0
    lang: str = "nl"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "number": self.number,
            "lang": self.lang,
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
        rows = table_rows(pkg, r["name"])
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


def _source_line(text: Any, label: str) -> str | None:
    """The source as one labelled line ("Bron: …" / "Source: …"), whatever the metadata holds."""
    if not text:
        return None
    text = str(text).strip()
    return text if text.lower().startswith(label.lower()) else f"{label}: {text}"


def dimension_title(res: Mapping[str, Any], dim: str, lang: str = "nl") -> str:
    """The title of dimension ``dim`` of table resource ``res`` in ``lang`` (``nl``/``en``):
    the field's ``title`` (English) or its Dutch title (``title_nl``, else the ``Dutch: ...``
    of the generated description); ``Periode``/``Period`` for the period; never the raw id
    unless the field has no title at all."""
    if dim == PERIOD:
        return "Periode" if lang == "nl" else "Period"
    if dim == "":
        return ""
    f: Mapping[str, Any] = next((f for f in res["schema"]["fields"] if f.get("name") == dim), {})
    title = str(f.get("title") or dim)
    if lang == "nl":
        if f.get("title_nl"):
            return str(f["title_nl"])
        m = _DUTCH.search(str(f.get("description") or ""))
        if m:
            return m.group(1)
    return title


_DUTCH = re.compile(r"; Dutch: (.+?)\)\.(?:\s|$)")
"""The Dutch title in the generated description ``... (English title; Dutch: Dutch title). ...``
(:func:`opendata_mh.generate`): up to the ``).`` that closes it, so a title with its own
parentheses (``Bedenktijd (uitstel van vertrek)``) keeps them."""
LANGS = ("nl", "en")


def table_view(
    table: str,
    package: str | Path = "datapackage",
    *,
    year: str | None = None,
    lang: str = "nl",
) -> TableView:
    """Table ``table`` (name or report number) laid out as printed, optionally only ``year``.
    ``lang`` picks the labels, dimension titles, unit, notes and source: ``nl`` (as printed in
    the report) or ``en`` (the English labels of the code lists).

    Raises :class:`UnknownTableError` for an unknown table or a year without cells,
    PackageError when the package cannot be read; ValueError for another ``lang``.
    """
    pkg = read_package(package)
    return view_of(pkg, find_table(pkg, table), year=year, lang=lang)


def view_of(
    pkg: PackageData, res: Mapping[str, Any], *, year: str | None = None, lang: str = "nl"
) -> TableView:
    """:func:`table_view` of the table resource ``res`` of an already read package."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    suffix = "_label" if lang == "nl" else "_label_en"
    name = res["name"]
    rows = table_rows(pkg, name)
    keys = key_fields(res)
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
            labels.setdefault((k, r[k]), r.get(f"{k}{suffix}") or r.get(f"{k}_label") or r[k])
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
                ck = tuple(key.get(f, "") for f in keys)
                hit = by_key.get(ck)
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
                        candidates=unresolved.get(ck, ()),
                    )
                )
            grid.append(tuple(line))
        if not any(c for line in grid for c in line):
            continue
        panels.append(
            PanelView(
                panel=lay["panel"],
                title=lay.get("title" if lang == "nl" else "title_en"),
                fixed=tuple((d, c, label(d, c)) for d, c in fixed.items()),
                row_dimension=rdim,
                column_dimension=cdim,
                columns=tuple((c, label(cdim, c)) for c in ccodes),
                rows=tuple((c, label(rdim, c)) for c in rcodes),
                cells=tuple(grid),
                row_title=dimension_title(res, rdim, lang),
                column_title=dimension_title(res, cdim, lang),
                fixed_titles=tuple(dimension_title(res, d, lang) for d in fixed),
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
        unit=str(unit.get("title" if lang == "nl" else "title_en") or unit.get("title_en") or "")
        if isinstance(unit, dict)
        else str(unit),
        source=_source_line(res.get("printedSource") or src.get("title"), "Bron")
        if lang == "nl"
        else _source_line(src.get("title_en") or src.get("title"), "Source"),
        notes=tuple(res.get("notes" if lang == "nl" else "notes_en") or ()),
        year=year,
        panels=tuple(panels),
        counts={t: sum(1 for r in kept if r.get("cell_type") == t) for t in MARKED},
        rounding_base=sdc.get("base") if sdc.get("rule") == "rounding" else None,
        threshold=sdc.get("threshold") if sdc.get("rule") == "threshold" else None,
        group_breakdown=sdc.get("groupProtection") == "breakdown",
        lang=lang,
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
    "view_of",
]


# --------------------------------------------------------------------------------------------
# Terminal rendering (rich is imported inside the functions: ``show`` and ``tables`` stay fast)
# --------------------------------------------------------------------------------------------

GAP = 3  # the space rich puts between two columns of a SIMPLE_HEAD grid (padding + divider)
HEADER_CAP = 17  # a column is widened up to this many characters for its header's longest word
LABEL_MIN = 24  # the row-label column is never narrowed below this (unless its labels are shorter)
CELL_STYLE = {
    "masked": "bold yellow",
    "rounded": "cyan",
    "range": "bold magenta",
    "unresolved": "bold red",
    "secondary": "bold blue",
}


def output_width(is_terminal: bool, terminal_width: int, columns: str | None) -> int:
    """The width to lay out for: the terminal's, else ``COLUMNS`` (when a number >= 20), else 80.
    Piped or redirected output is never unlimited."""
    if is_terminal:
        return terminal_width
    if columns and columns.isdigit() and int(columns) >= 20:
        return int(columns)
    return 80


def _style(cell: ViewCell | None) -> str:
    return CELL_STYLE.get(cell.cell_type, "") if cell is not None else ""


def cell_text(cell: ViewCell | None) -> str:
    """A cell as shown: printed text, ``≈R`` for a rounded figure, ``?`` when unresolved."""
    if cell is None:
        return ""
    if cell.cell_type == "unresolved":
        return "?"
    if cell.cell_type == "rounded":
        return f"≈{cell.printed}"
    return cell.printed


_PART = re.compile(r"[^/\-]*[/\-]|[^/\-]+")


def _parts(text: str) -> list[tuple[str, bool]]:
    """The pieces a label may break between: words, and inside a word after ``/`` or ``-``;
    each with whether a space precedes it."""
    out: list[tuple[str, bool]] = []
    for word in text.split():
        out += [(p, i == 0) for i, p in enumerate(_PART.findall(word))]
    return out


def _longest_word(text: str) -> int:
    return max((len(p) for p, _ in _parts(text)), default=0)


def wrap_label(text: str, width: int) -> str:
    """``text`` wrapped into lines of at most ``width`` characters, broken between words or
    after ``/`` and ``-``; a piece longer than ``width`` is folded. Nothing is cut."""
    lines: list[str] = []
    line = ""
    for part, space in _parts(text):
        joined = f"{line} {part}" if line and space else line + part
        if len(joined) <= width or not line:
            line = joined
        else:
            lines.append(line)
            line = part
        while len(line) > width:
            lines.append(line[:width])
            line = line[width:]
    if line:
        lines.append(line)
    return "\n".join(lines)


def hanging(text: str, width: int, indent: int) -> str:
    """``text`` wrapped at ``width`` between words, every line after the first indented by
    ``indent`` spaces (a word longer than a line is folded, never cut)."""
    import textwrap

    return textwrap.fill(
        text,
        max(width, indent + 1),
        subsequent_indent=" " * indent,
        break_on_hyphens=False,
    )


def column_plan(
    label_full: int, widths: Sequence[int], width: int, gap: int = GAP
) -> tuple[int, list[list[int]]]:
    """Fit a label column and value columns of ``widths`` into ``width`` characters: returns the
    label column's width and the value columns in chunks (indices), each chunk printed as its
    own grid beside the labels. The labels keep their full width when everything fits; else at
    least ``LABEL_MIN`` (wrapped), and the value columns are split into as few chunks as fit."""
    total = sum(w + gap for w in widths)
    if label_full + total <= width:
        return label_full, [list(range(len(widths)))]
    label = min(label_full, max(width - total, LABEL_MIN, 1))
    room = max(width - label, 1)
    chunks: list[list[int]] = [[]]
    used = 0
    for i, w in enumerate(widths):
        if chunks[-1] and used + w + gap > room:
            chunks.append([])
            used = 0
        chunks[-1].append(i)
        used += w + gap
    if len(chunks) > 1:  # the labels may use what the widest chunk leaves
        widest = max(sum(widths[i] + gap for i in c) for c in chunks)
        label = max(label, min(label_full, width - widest))
    return label, chunks


def render_table_view(view: TableView, console: Any, width: int) -> None:
    """Print ``view`` into the rich ``console`` within ``width`` columns: a heading, one grid per
    panel as printed (labels wrapped, never cut; too many columns are split into chunks that
    repeat the row labels), notes, source and a legend of the marked cells."""
    from rich import box
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    def para(text: str, style: str = "", indent: int = 0) -> None:
        t = Text(text, style=style)
        console.print(Padding(t, (0, 0, 0, indent)) if indent else t, width=width)

    title = view.title if view.lang == "nl" else view.title_en
    para(f"Table {view.number}. {title}", "bold")
    unit = "eenheid" if view.lang == "nl" else "unit"
    para(f"{view.name} · {unit}: {view.unit}" + (f" · {view.year}" if view.year else ""), "dim")
    for p in view.panels:
        console.print()
        heading = p.heading()
        if heading:
            para(heading, "bold")
        texts = [[cell_text(c) for c in line] for line in p.cells]
        widths = [
            max(
                1,
                min(_longest_word(label), HEADER_CAP),
                *(len(texts[r][j]) for r in range(len(texts))),
            )
            for j, (_code, label) in enumerate(p.columns)
        ]
        label_full = max(len(p.row_title), *(len(label) for _c, label in p.rows), 1)
        label_w, chunks = column_plan(label_full, widths, width)
        for k, chunk in enumerate(chunks):
            if k:
                console.print()
            grid = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, expand=False)
            grid.add_column(
                wrap_label(p.row_title, label_w), width=label_w, overflow="fold", no_wrap=False
            )
            for j in chunk:
                grid.add_column(
                    wrap_label(p.columns[j][1], widths[j]),
                    width=widths[j],
                    justify="right",
                    overflow="fold",
                    no_wrap=False,
                )
            for (_code, label), line, cells in zip(p.rows, texts, p.cells, strict=True):
                grid.add_row(
                    wrap_label(label, label_w),
                    *(Text(line[j], style=_style(cells[j])) for j in chunk),
                )
            console.print(grid, width=width)
    if not view.panels:
        para("(no cells: this table's figures are not in the report)")
    for n in view.notes:
        para(n, "dim")
    if view.source:
        para(view.source, "dim")
    legend: list[tuple[str, str, str]] = []
    c = view.counts
    nl = view.lang == "nl"

    def n_cells(n: int) -> str:
        return f"{n} {('cel' if nl else 'cell') if n == 1 else ('cellen' if nl else 'cells')}"

    if c.get("masked"):
        t = view.threshold or 5
        text = (
            f"gemaskeerd: een aantal van 1 tot en met {t - 1}"
            if nl
            else f"masked: a count from 1 to {t - 1}"
        )
        legend.append((f"<{t}", "masked", f"{text} ({n_cells(c['masked'])})"))
    if c.get("rounded"):
        b = view.rounding_base or 10
        lo, hi = f"R−{b // 2}", f"R+{b // 2 - 1}"
        text = (
            f"gedrukt R, afgerond op {'tientallen' if b == 10 else f'veelvouden van {b}'}: "
            f"{lo} tot en met {hi}"
            if nl
            else f"printed R, rounded to {b}s: {lo} to {hi}"
        )
        legend.append(("≈R", "rounded", f"{text} ({n_cells(c['rounded'])})"))
    if c.get("range"):
        text = (
            "gepubliceerd als bereik, beide grenzen inbegrepen"
            if nl
            else "published as a range, both ends included"
        )
        legend.append(("a-b", "range", f"{text} ({n_cells(c['range'])})"))
    if c.get("secondary"):
        t = view.threshold or 5
        floor = (
            ("0 of meer", "0 or more") if view.group_breakdown else ("ten minste 1", "at least 1")
        )
        text = (
            f"secundaire onderdrukking: niet gepubliceerd, {floor[0]} (achtergehouden zodat "
            f"geen <{t}-cel uit de totalen af te leiden is; "
            if nl
            else f"secondary suppression: not published, {floor[1]} (withheld so that no "
            f"<{t} cell can be derived from the totals; "
        )
        legend.append(("x", "secondary", f"{text}{n_cells(c['secondary'])})"))
    if c.get("unresolved"):
        row, alt = ("CSV-rij", " of ") if nl else ("CSV row", " or ")
        cands = "; ".join(
            f"{row} {cell.row}: {alt.join(cell.candidates)}"
            for p in view.panels
            for line in p.cells
            for cell in line
            if cell and cell.cell_type == "unresolved"
        )
        text = (
            "onopgelost, niet leesbaar uit de tekst van het rapport "
            f"({n_cells(c['unresolved'])}; kandidaten {cands})"
            if nl
            else "unresolved, not readable from the report's text "
            f"({n_cells(c['unresolved'])}; candidates {cands})"
        )
        legend.append(("?", "unresolved", text))
    if legend:
        console.print()
        para("Legenda" if nl else "Legend", "bold")
        for symbol, kind, text in legend:
            # a long entry continues under its text, not under its symbol
            lines = hanging(f"{symbol} {text}", width - 2, len(symbol) + 1)
            entry = Text(lines)
            entry.stylize(CELL_STYLE[kind], 0, len(symbol))
            console.print(Padding(entry, (0, 0, 0, 2)), width=width, overflow="fold")


def render_tables(
    tables: Sequence[TableSummary], console: Any, width: int, lang: str = "nl"
) -> None:
    """Print the list of tables within ``width`` columns, two or three lines per table: number,
    name and the counts of marked cells aligned in columns, then the years and the title
    (``lang``: Dutch or English) wrapped below; a legend of the column heads at the end."""
    from rich.padding import Padding
    from rich.text import Text

    name_w = max((len(t.name) for t in tables), default=4)
    heads = ("rows", "<5", "x", "≈", "a-b", "?", "audit")
    col_w = (4, 3, 3, 3, 3, 3, 5)
    aligned = 2 + 2 + name_w + sum(1 + w for w in col_w) <= width
    if aligned:
        head = f"{'#':>2}  {'table':<{name_w}}" + "".join(
            f" {h:>{w}}" for h, w in zip(heads, col_w, strict=True)
        )
        console.print(Text(head, style="bold"), width=width)
        console.print("─" * min(len(head), width), width=width)
    for t in tables:
        counts = (t.rows, t.masked, t.secondary, t.rounded, t.range, t.unresolved, t.findings)
        if aligned:
            first = f"{t.number or '':>2}  {t.name:<{name_w}}" + "".join(
                f" {(str(n) if n or i == 0 else ''):>{w}}"
                for i, (n, w) in enumerate(zip(counts, col_w, strict=True))
            )
        else:  # one entry per table: a continuation is indented like the title below it
            marks = ", ".join(f"{n} {h}" for n, h in zip(counts[1:], heads[1:], strict=True) if n)
            first = f"{t.number or ''} {t.name}: {t.rows} rows" + (f"; {marks}" if marks else "")
            first = hanging(first, width, 4)
        console.print(Text(first), width=width, overflow="fold")
        years = period_span(t.periods) if t.available else "(not in the report)"
        title = t.title if lang == "nl" else t.title_en
        console.print(
            Padding(Text(f"{years} · {title}", style="dim"), (0, 0, 0, 4)),
            width=width,
            overflow="fold",
        )
    console.print(
        Text(
            "<5 masked (1-4) · x secondary suppression · ≈ rounded (IND) · a-b printed as a "
            "range · ? unresolved · audit = acknowledged findings of the disclosure audit",
            style="dim",
        ),
        width=width,
    )
