"""``tables/*.toml``: a table as the report prints it (panels of rows x columns of printed values,
unresolved cells with their candidates, the disclosure rule) as :class:`TableSpec`, and the
published cells (:class:`Cell`) built from its panels. Every panel covers the table's dimensions
(row dimension, column dimension or ``fixed``) and ``period``; every grid row has one printed
value per column; no cell is defined twice (across panels); every ``?`` has exactly one
``[[unresolved]]`` entry and every entry has its ``?``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from opendata_mh.aggregation import Aggregation, parse_aggregation
from opendata_mh.model._collect import _check_keys, _Collector
from opendata_mh.model.codelists import CodeList
from opendata_mh.model.constants import ID_RE, PERIOD, valid_period
from opendata_mh.model.package import PackageMeta
from opendata_mh.model.printed import (
    DEFAULT_GROUP_PROTECTION,
    GROUP_PROTECTIONS,
    ParsedValue,
    SdcRule,
    parse_printed,
)


@dataclass(frozen=True)
class Column:
    code: str
    label: str


@dataclass(frozen=True)
class PanelRow:
    code: str
    label: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Panel:
    id: str
    row_dim: str
    col_dim: str
    fixed: tuple[tuple[str, str], ...]
    columns: tuple[Column, ...]
    rows: tuple[PanelRow, ...]
    title: str | None = None
    title_en: str | None = None


@dataclass(frozen=True)
class Unresolved:
    key: tuple[tuple[str, str], ...]
    candidates: tuple[str, ...]
    reason: str

    def key_dict(self) -> dict[str, str]:
        return dict(self.key)


@dataclass(frozen=True)
class Cell:
    """One published cell: ``key`` is (period, *dimensions) in CSV order; ``labels`` has one
    (dimension, printed Dutch label, English label) per dimension (not period)."""

    table: str
    key: tuple[tuple[str, str], ...]
    labels: tuple[tuple[str, str, str], ...]
    parsed: ParsedValue
    panel: str
    row: int
    column: int
    edition: str = ""

    @property
    def ref(self) -> str:
        return self.table + "".join(f"/{k}={v}" for k, v in self.key)


@dataclass(frozen=True)
class TableSpec:
    id: str
    number: int
    title: str
    title_en: str
    description: str
    description_en: str
    section: str
    source: str
    printed_source: str | None
    unit: str
    sdc: SdcRule
    dimensions: tuple[str, ...]
    available: bool
    notes: tuple[str, ...]
    notes_en: tuple[str, ...]
    inference: str
    panels: tuple[Panel, ...]
    unresolved: tuple[Unresolved, ...]
    cells: tuple[Cell, ...]
    file: str
    aggregation: Aggregation | None = None

    @property
    def key_fields(self) -> tuple[str, ...]:
        return (PERIOD, *self.dimensions)


_TABLE_KEYS = {
    "id",
    "number",
    "title",
    "title_en",
    "description",
    "description_en",
    "section",
    "source",
    "printed_source",
    "unit",
    "sdc",
    "dimensions",
    "available",
    "notes",
    "notes_en",
    "inference",
    "panels",
    "unresolved",
    "aggregation",
}
_PANEL_KEYS = {"id", "fixed", "row_dim", "col_dim", "columns", "rows", "title", "title_en"}


def _load_sdc(raw: Any, f: str, tid: str, col: _Collector, unit: Any = None) -> SdcRule:
    if not isinstance(raw, dict):
        col.add(
            f,
            "'sdc' must be {rule = 'threshold', threshold = 5} or {rule = 'rounding', base = 10}",
            table=tid,
            field="sdc",
        )
        return SdcRule("threshold", threshold=5)
    rule = raw.get("rule")
    if rule == "threshold":
        t = raw.get("threshold")
        if not isinstance(t, int) or isinstance(t, bool) or t < 2:
            col.add(f, "sdc.threshold must be an integer >= 2", table=tid, field="sdc.threshold")
            t = 5
        _check_keys(raw, {"rule", "threshold", "group_protection"}, f, col, table=tid)
        gp = raw.get("group_protection", DEFAULT_GROUP_PROTECTION.get(str(unit), "total"))
        if gp not in GROUP_PROTECTIONS:
            col.add(
                f,
                f"sdc.group_protection {gp!r} must be one of {', '.join(GROUP_PROTECTIONS)}",
                table=tid,
                field="sdc.group_protection",
            )
            gp = "total"
        return SdcRule("threshold", threshold=t, group_protection=gp)
    if rule == "rounding":
        b = raw.get("base")
        if not isinstance(b, int) or isinstance(b, bool) or b < 2:
            col.add(f, "sdc.base must be an integer >= 2", table=tid, field="sdc.base")
            b = 10
        _check_keys(raw, {"rule", "base"}, f, col, table=tid)
        return SdcRule("rounding", base=b)
    col.add(f, f"sdc.rule {rule!r} must be 'threshold' or 'rounding'", table=tid, field="sdc.rule")
    return SdcRule("threshold", threshold=5)


def _code_ok(dim: str, code: str, cls: Mapping[str, CodeList]) -> bool:
    if dim == PERIOD:
        return valid_period(code)
    cl = cls.get(dim)
    return cl is not None and cl.get(code) is not None


def _load_table(
    data: dict[str, Any], f: str, pkg: PackageMeta, cls: Mapping[str, CodeList], col: _Collector
) -> TableSpec | None:
    start = len(col.problems)
    tid = col.str_(data, "id", f)
    if tid and not ID_RE.match(tid):
        col.add(f, f"table id {tid!r} must match [a-z0-9_]+", table=tid, field="id")
    tloc: dict[str, Any] = {"table": tid or None}
    _check_keys(data, _TABLE_KEYS, f, col, **tloc)
    number = data.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        col.add(
            f, "'number' must be a positive integer (order in the report)", field="number", **tloc
        )
        number = 0
    texts = {
        k: col.str_(data, k, f, **tloc)
        for k in ("title", "title_en", "description", "description_en", "section", "inference")
    }
    source = col.str_(data, "source", f, **tloc)
    if source and source not in {s.id for s in pkg.sources}:
        col.add(
            f, f"source {source!r} is not a [[sources]] id in package.toml", field="source", **tloc
        )
    unit = col.str_(data, "unit", f, **tloc)
    if unit and unit not in {u.id for u in pkg.units}:
        col.add(f, f"unit {unit!r} is not a [units.*] key in package.toml", field="unit", **tloc)
    sdc = _load_sdc(data.get("sdc"), f, tid, col, data.get("unit"))
    dims = col.str_list(data, "dimensions", f, required=True, **tloc)
    for d in dims:
        if d == PERIOD:
            col.add(
                f,
                "'period' is built in; do not list it in 'dimensions'",
                field="dimensions",
                **tloc,
            )
        elif d not in cls:
            col.add(
                f, f"dimension {d!r} has no code list in codelists.toml", field="dimensions", **tloc
            )
    if len(set(dims)) != len(dims):
        col.add(f, "duplicate dimension in 'dimensions'", field="dimensions", **tloc)
    available = data.get("available", True)
    if not isinstance(available, bool):
        col.add(f, "'available' must be true or false", field="available", **tloc)
        available = True
    notes = col.str_list(data, "notes", f, **tloc)
    notes_en = col.str_list(data, "notes_en", f, **tloc)
    if len(notes) != len(notes_en):
        col.add(
            f,
            f"'notes' has {len(notes)} entries but 'notes_en' {len(notes_en)}",
            field="notes_en",
            **tloc,
        )
    key_fields = (PERIOD, *[d for d in dims if d != PERIOD])
    panels: list[Panel] = []
    raw_panels = data.get("panels") or []
    if not isinstance(raw_panels, list):
        col.add(f, "'panels' must be an array of tables [[panels]]", field="panels", **tloc)
        raw_panels = []
    if available and not raw_panels:
        col.add(f, "an available table needs at least one [[panels]]", field="panels", **tloc)
    if not available and raw_panels:
        col.add(f, "a table with available = false must not have panels", field="panels", **tloc)
    seen_panels: set[str] = set()
    for pi, rp in enumerate(raw_panels, 1):
        p = _load_panel(rp, pi, f, tid, key_fields, cls, col)
        if p is None:
            continue
        if p.id in seen_panels:
            col.add(f, f"duplicate panel id {p.id!r}", panel=p.id, field="id", **tloc)
        seen_panels.add(p.id)
        panels.append(p)
    # unresolved entries
    unresolved: list[Unresolved] = []
    raw_unres = data.get("unresolved") or []
    for ui, ru in enumerate(raw_unres, 1):
        loc: dict[str, Any] = {"table": tid or None, "row": ui}
        if not isinstance(ru, dict):
            col.add(f, "[[unresolved]] entries must be tables", **loc)
            continue
        _check_keys(ru, {"key", "candidates", "reason"}, f, col, **loc)
        key = ru.get("key")
        if not isinstance(key, dict) or not all(isinstance(v, str) for v in key.values()):
            col.add(
                f,
                "[[unresolved]] key must be a table of strings {period = ..., <dim> = ...}",
                field="key",
                **loc,
            )
            continue
        if set(key) != set(key_fields):
            col.add(
                f,
                f"[[unresolved]] key must give exactly {list(key_fields)}, got {sorted(key)}",
                field="key",
                **loc,
            )
        cands = col.str_list(ru, "candidates", f, required=True, **loc)
        if not cands:
            col.add(f, "[[unresolved]] needs at least one candidate", field="candidates", **loc)
        for c in cands:
            try:
                if parse_printed(c, sdc).cell_type == "unresolved":
                    raise ValueError("a candidate cannot be '?'")
            except ValueError as exc:
                col.add(f, f"candidate: {exc}", field="candidates", **loc)
        reason = col.str_(ru, "reason", f, **loc)
        unresolved.append(
            Unresolved(
                key=tuple((k, key[k]) for k in key_fields if k in key),
                candidates=cands,
                reason=reason,
            )
        )
    cells = _build_cells(tid, key_fields, panels, unresolved, sdc, cls, f, col)
    aggregation = None
    if "aggregation" in data:
        if not available:
            col.add(f, "a table with available = false has no [aggregation]", **tloc)
        aggregation, agg_problems = parse_aggregation(
            data["aggregation"], dims, {d: cl.code_ids for d, cl in cls.items()}
        )
        for fld, msg in agg_problems:
            col.add(f, msg, field=fld, **tloc)
    if len(col.problems) > start:
        return None
    return TableSpec(
        id=tid,
        number=number,
        title=texts["title"],
        title_en=texts["title_en"],
        description=texts["description"],
        description_en=texts["description_en"],
        section=texts["section"],
        source=source,
        printed_source=col.opt_str(data, "printed_source", f),
        unit=unit,
        sdc=sdc,
        dimensions=tuple(dims),
        available=available,
        notes=notes,
        notes_en=notes_en,
        inference=texts["inference"],
        panels=tuple(panels),
        unresolved=tuple(unresolved),
        cells=cells,
        file=f,
        aggregation=aggregation,
    )


def _load_panel(
    rp: Any,
    pi: int,
    f: str,
    tid: str,
    key_fields: tuple[str, ...],
    cls: Mapping[str, CodeList],
    col: _Collector,
) -> Panel | None:
    if not isinstance(rp, dict):
        col.add(f, "[[panels]] entries must be tables", table=tid, row=pi)
        return None
    pid: str = rp["id"] if isinstance(rp.get("id"), str) else f"#{pi}"
    loc: dict[str, Any] = {"table": tid or None, "panel": pid}
    if not isinstance(rp.get("id"), str) or not ID_RE.match(rp["id"]):
        col.add(f, "panel 'id' must be a string matching [a-z0-9_]+", field="id", **loc)
    _check_keys(rp, _PANEL_KEYS, f, col, **loc)
    # row_dim = "" (or col_dim = ""): no dimension along that axis, one row/column with code ""
    row_dim = col.str_(rp, "row_dim", f, empty_ok=True, **loc)
    col_dim = col.str_(rp, "col_dim", f, empty_ok=True, **loc)
    if not row_dim and not col_dim:
        col.add(f, "row_dim and col_dim cannot both be empty", field="row_dim", **loc)
    fixed_raw = rp.get("fixed") or {}
    if not isinstance(fixed_raw, dict) or not all(isinstance(v, str) for v in fixed_raw.values()):
        col.add(f, "'fixed' must be a table of strings {<dim> = <code>}", field="fixed", **loc)
        fixed_raw = {}
    ok = True
    for d in (row_dim, col_dim):
        if d and d not in key_fields:
            col.add(f, f"{d!r} is not 'period' nor one of the table's dimensions", field=d, **loc)
            ok = False
    if row_dim and row_dim == col_dim:
        col.add(f, "row_dim and col_dim must differ", field="col_dim", **loc)
        ok = False
    for d, v in fixed_raw.items():
        if d not in key_fields:
            col.add(
                f,
                f"fixed dimension {d!r} is not 'period' nor a table dimension",
                field=f"fixed.{d}",
                **loc,
            )
            ok = False
        elif d in (row_dim, col_dim):
            col.add(f, f"{d!r} is both fixed and a row/column dimension", field=f"fixed.{d}", **loc)
            ok = False
        elif not _code_ok(d, v, cls):
            col.add(f, f"fixed {d} = {v!r} is not a code of {d!r}", field=f"fixed.{d}", **loc)
            ok = False
    for d in key_fields:
        if d not in (row_dim, col_dim) and d not in fixed_raw:
            col.add(
                f,
                f"dimension {d!r} is not covered: make it row_dim, col_dim or fixed",
                field=d,
                **loc,
            )
            ok = False
    columns: list[Column] = []
    raw_cols = rp.get("columns")
    if not isinstance(raw_cols, list) or not raw_cols:
        col.add(f, "'columns' must be a non-empty list of {code, label}", field="columns", **loc)
        raw_cols = []
    seen: set[str] = set()
    for ci, c in enumerate(raw_cols, 1):
        if not isinstance(c, dict):
            col.add(f, f"column {ci} must be {{code, label}}", field="columns", **loc)
            ok = False
            continue
        code = c.get("code")
        label = c.get("label", "")
        if not isinstance(code, str) or not isinstance(label, str):
            col.add(f, f"column {ci}: code and label must be strings", field="columns", **loc)
            ok = False
            continue
        if col_dim and col_dim in key_fields and not _code_ok(col_dim, code, cls):
            col.add(
                f,
                f"column {ci}: {code!r} is not a code of {col_dim!r}",
                field=f"columns.{code}",
                **loc,
            )
            ok = False
        if not col_dim and code:
            col.add(
                f, f"column {ci}: code must be '' because col_dim is empty", field="columns", **loc
            )
            ok = False
        if code in seen:
            col.add(f, f"duplicate column code {code!r}", field=f"columns.{code}", **loc)
        seen.add(code)
        columns.append(Column(code, label))
    if not col_dim and len(columns) > 1:
        col.add(f, "with an empty col_dim the panel has exactly one column", field="columns", **loc)
        ok = False
    rows: list[PanelRow] = []
    raw_rows = rp.get("rows")
    if not isinstance(raw_rows, list) or not raw_rows:
        col.add(
            f, "'rows' must be a non-empty list of [code, label, values...]", field="rows", **loc
        )
        raw_rows = []
    seen = set()
    for ri, r in enumerate(raw_rows, 1):
        if not isinstance(r, list) or len(r) < 2 or not all(isinstance(x, str) for x in r):
            col.add(f, "a row must be a list of strings [code, label, value, ...]", row=ri, **loc)
            ok = False
            continue
        code, label, values = r[0], r[1], tuple(r[2:])
        if row_dim and row_dim in key_fields and not _code_ok(row_dim, code, cls):
            col.add(
                f, f"row code {code!r} is not a code of {row_dim!r}", row=ri, field=row_dim, **loc
            )
            ok = False
        if not row_dim and code:
            col.add(
                f, "row code must be '' because row_dim is empty", row=ri, field="row_dim", **loc
            )
            ok = False
        if code in seen:
            col.add(f, f"duplicate row code {code!r}", row=ri, field=row_dim or "rows", **loc)
            ok = False
        seen.add(code)
        if len(values) != len(columns):
            col.add(
                f,
                f"row {code!r} has {len(values)} values but the panel has {len(columns)} columns",
                row=ri,
                field="values",
                **loc,
            )
            ok = False
        rows.append(PanelRow(code, label, values))
    if not ok:
        return None
    return Panel(
        id=pid,
        row_dim=row_dim,
        col_dim=col_dim,
        fixed=tuple((d, fixed_raw[d]) for d in key_fields if d in fixed_raw),
        columns=tuple(columns),
        rows=tuple(rows),
        title=rp.get("title") if isinstance(rp.get("title"), str) else None,
        title_en=rp.get("title_en") if isinstance(rp.get("title_en"), str) else None,
    )


def _build_cells(
    tid: str,
    key_fields: tuple[str, ...],
    panels: list[Panel],
    unresolved: list[Unresolved],
    sdc: SdcRule,
    cls: Mapping[str, CodeList],
    f: str,
    col: _Collector,
) -> tuple[Cell, ...]:
    cells: list[Cell] = []
    where: dict[tuple[tuple[str, str], ...], str] = {}
    unres = {u.key: u for u in unresolved}
    used_unres: set[tuple[tuple[str, str], ...]] = set()
    for p in panels:
        for ri, row in enumerate(p.rows, 1):
            for ci, (column, printed) in enumerate(zip(p.columns, row.values, strict=False), 1):
                values = dict(p.fixed)
                if p.row_dim:
                    values[p.row_dim] = row.code
                if p.col_dim:
                    values[p.col_dim] = column.code
                key = tuple((k, values[k]) for k in key_fields)
                loc: dict[str, Any] = {
                    "table": tid,
                    "panel": p.id,
                    "row": ri,
                    "field": f"{p.col_dim or 'column'}={column.code}",
                }
                if key in where:
                    col.add(
                        f, f"cell {_fmt_key(key)} is defined twice (also in {where[key]})", **loc
                    )
                    continue
                where[key] = f"panel {p.id}, row {ri}"
                cands: tuple[str, ...] = ()
                if printed.strip() == "?":
                    u = unres.get(key)
                    if u is None:
                        col.add(
                            f,
                            f"'?' at {_fmt_key(key)} has no [[unresolved]] entry with this key",
                            **loc,
                        )
                        continue
                    used_unres.add(key)
                    cands = u.candidates
                elif key in unres:
                    col.add(
                        f,
                        f"[[unresolved]] {_fmt_key(key)} but the grid prints {printed!r}, not '?'",
                        **loc,
                    )
                    used_unres.add(key)
                try:
                    parsed = parse_printed(printed, sdc, cands)
                except ValueError as exc:
                    col.add(f, str(exc), **loc)
                    continue
                labels = []
                for d in key_fields[1:]:
                    code = values[d]
                    cl = cls[d]
                    c = cl.get(code)
                    printed_label = ""
                    if d == p.row_dim:
                        printed_label = row.label
                    elif d == p.col_dim:
                        printed_label = column.label
                    labels.append(
                        (d, printed_label or (c.label if c else code), c.label_en if c else code)
                    )
                cells.append(Cell(tid, key, tuple(labels), parsed, p.id, ri, ci))
    for ui, u in enumerate(unresolved, 1):
        if u.key not in used_unres and set(dict(u.key)) == set(key_fields):
            col.add(
                f,
                f"[[unresolved]] {_fmt_key(u.key)} matches no cell printed '?'",
                table=tid,
                row=ui,
                field="key",
            )
    return tuple(cells)


def _fmt_key(key: Iterable[tuple[str, str]]) -> str:
    return "/".join(f"{k}={v}" for k, v in key)
