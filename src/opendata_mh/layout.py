"""The printed layout of a table extended to every published cell, including later editions.

The panels of a table TOML (``[[panels]]``) are transcribed from the 2023 report: they know its
periods only. A later edition (``metadata/editions/<id>/``) adds cells for new periods (a year,
a window ``2020-2024``) that no panel holds. :func:`extend_layout` takes the panels as templates
and returns a layout in which every cell appears exactly once:

1. A panel with ``period`` as its row or column dimension (e.g. ``per_year``) gets the new periods
   of the same kind (single years, or windows), in order, for the cells that match its ``fixed``
   dimensions; codes of its other dimension that the panel does not print yet are appended.
2. A panel whose ``fixed`` period is one year (``per_form_2023``) gets a sibling panel for each
   other year with cells of that structure (same other ``fixed`` dimensions): ``per_form_2024``,
   placed after the template and its earlier siblings; a panel fixed to a window
   (``per_form_2019_2023``) gets one per other window (``per_form_2020_2024``). Rows and columns
   keep the template's order for the codes that have cells, then new codes in cell order. The id
   and the titles are the template's with the period replaced (appended to the id if absent).
3. A cell that fits no template (a dimension combination the report never printed) lands in a
   fallback panel ``other_<period>`` (rows: the first dimension; columns: the second, or period).

A layout (the ``printedLayout`` of ``datapackage.json``) is a list of dicts ``{"panel": id,
"title"?: str, "title_en"?: str, "fixed": {dimension: code}, "rows": {"dimension": d, "codes":
[...]}, "columns": {...}}``; the row dimension is ``""`` (codes ``[""]``) for a table without
dimensions. Cells are given by their keys (``{"period": ..., <dimension>: code}``). When every
cell is already placed the input layout is returned unchanged (same dicts, same order), so a
package without editions keeps its bytes.

Pure: no I/O, imports nothing from the package; used by :mod:`opendata_mh.generate` (writing
``printedLayout``) and :mod:`opendata_mh.views` (reading a package written before this module).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PERIOD = "period"
_YEAR = re.compile(r"\d{4}")
_WINDOW = re.compile(r"\d{4}-\d{4}")


def period_kind(period: str) -> str:
    """``"year"`` for ``2024``, ``"window"`` for ``2020-2024``, ``"other"`` otherwise."""
    if _YEAR.fullmatch(period):
        return "year"
    if _WINDOW.fullmatch(period):
        return "window"
    return "other"


def _period_order(period: str) -> tuple[int, str]:
    return (len(period), period) if period_kind(period) == "window" else (0, period)


@dataclass
class _Panel:
    src: Mapping[str, Any]  # the template dict (returned as is when unchanged)
    fixed: dict[str, str]
    rdim: str
    cdim: str
    rcodes: list[str]
    ccodes: list[str]
    id: str = ""
    title: str | None = None
    title_en: str | None = None
    changed: bool = False
    siblings: dict[str, _Panel] = field(default_factory=dict)  # period -> sibling

    @classmethod
    def of(cls, lay: Mapping[str, Any]) -> _Panel:
        return cls(
            src=lay,
            fixed={str(k): str(v) for k, v in (lay.get("fixed") or {}).items()},
            rdim=str(lay["rows"]["dimension"]),
            cdim=str(lay["columns"]["dimension"]),
            rcodes=[str(c) for c in lay["rows"]["codes"]],
            ccodes=[str(c) for c in lay["columns"]["codes"]],
            id=str(lay["panel"]),
            title=lay.get("title"),
            title_en=lay.get("title_en"),
        )

    def cell_keys(self) -> list[tuple[tuple[str, str], ...]]:
        return [
            _norm({**self.fixed, self.rdim: r, self.cdim: c})
            for r in self.rcodes
            for c in self.ccodes
        ]

    def fits(self, key: Mapping[str, str]) -> bool:
        """The cell's non-period fixed dimensions match and it has the row / column dims."""
        return all(key.get(d, "") == v for d, v in self.fixed.items() if d != PERIOD) and all(
            d == "" or d in key for d in (self.rdim, self.cdim)
        )

    def add(self, key: Mapping[str, str]) -> None:
        for dim, codes in ((self.rdim, self.rcodes), (self.cdim, self.ccodes)):
            code = key.get(dim, "")
            if code not in codes:
                codes.append(code)
                self.changed = True

    def to_dict(self) -> dict[str, Any]:
        if not self.changed:
            return dict(self.src)
        return {
            "panel": self.id,
            **({"title": self.title} if self.title else {}),
            **({"title_en": self.title_en} if self.title_en else {}),
            "fixed": dict(self.fixed),
            "rows": {"dimension": self.rdim, "codes": list(self.rcodes)},
            "columns": {"dimension": self.cdim, "codes": list(self.ccodes)},
        }


def _norm(key: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in key.items() if k != ""))


def _replace_period(text: str, old: str, new: str) -> str:
    variants = [(old, new)]
    if "-" in old:
        variants += [(old.replace("-", "–"), new.replace("-", "–"))]
        variants += [(old.replace("-", "_"), new.replace("-", "_"))]
    for a, b in variants:
        text = text.replace(a, b)
    return text


def _sibling(t: _Panel, period: str, taken: set[str]) -> _Panel:
    old = t.fixed[PERIOD]
    pid = _replace_period(t.id, old, period)
    if pid == t.id:
        pid = f"{t.id}_{period.replace('-', '_')}"
    base, n = pid, 2
    while pid in taken:
        pid, n = f"{base}_{n}", n + 1
    taken.add(pid)
    return _Panel(
        src={},
        fixed={**t.fixed, PERIOD: period},
        rdim=t.rdim,
        cdim=t.cdim,
        rcodes=[],
        ccodes=[],
        id=pid,
        title=_replace_period(t.title, old, period) if t.title else None,
        title_en=_replace_period(t.title_en, old, period) if t.title_en else None,
        changed=True,
    )


def extend_layout(
    layout: Sequence[Mapping[str, Any]],
    cells: Sequence[Mapping[str, str]],
    dimensions: Sequence[str],
) -> list[dict[str, Any]]:
    """``layout`` extended so that each of ``cells`` (keys: ``period`` + ``dimensions``) appears
    in one panel (see the module docstring). Returns the panels in print order: each template,
    then its siblings by period, then fallback panels. Unchanged panels are copies of the input.
    """
    panels = [_Panel.of(lay) for lay in layout]
    placed: set[tuple[tuple[str, str], ...]] = {k for p in panels for k in p.cell_keys()}
    left = [c for c in cells if _norm(c) not in placed]
    if not left:
        return [dict(lay) for lay in layout]
    taken = {p.id for p in panels}
    fallback: dict[tuple[str, ...], _Panel] = {}
    for key in left:
        period = key.get(PERIOD, "")
        kind = period_kind(period)
        home: _Panel | None = None
        # 1. a panel with period as its row or column dimension, same kind of period; one that
        # prints the cell's code already first (a row printed in a panel of its own, such as
        # table 7's 30-day row, keeps to that panel)
        cands = []
        for p in panels:
            if PERIOD in (p.rdim, p.cdim) and PERIOD not in p.fixed and p.fits(key):
                pcodes = p.rcodes if p.rdim == PERIOD else p.ccodes
                if not pcodes or any(period_kind(c) == kind for c in pcodes):
                    cands.append(p)
        own = [
            p
            for p in cands
            if (
                key.get(p.cdim, "") in p.ccodes
                if p.rdim == PERIOD
                else key.get(p.rdim, "") in p.rcodes
            )
        ]
        home = (own or cands)[0] if cands else None
        # 2. a sibling of a panel fixed to one period of the same kind
        if home is None:
            fixed = [
                p
                for p in panels
                if PERIOD in p.fixed and period_kind(p.fixed[PERIOD]) == kind and p.fits(key)
            ]
            exact = [p for p in fixed if key.get(p.rdim, "") in p.rcodes]
            exact = [p for p in exact if key.get(p.cdim, "") in p.ccodes] or exact
            tpl = (exact or fixed)[0] if (exact or fixed) else None
            if tpl is not None:
                if tpl.fixed[PERIOD] == period:
                    home = tpl  # a new code in the template's own period
                else:
                    if period not in tpl.siblings:
                        tpl.siblings[period] = _sibling(tpl, period, taken)
                    home = tpl.siblings[period]
        # 3. fallback
        if home is None:
            dims = [d for d in dimensions if d in key]
            rdim = dims[0] if dims else ""
            cdim = dims[1] if len(dims) > 1 else PERIOD
            rest = dims[2:]
            fkey = (period, *(key[d] for d in rest))
            if fkey not in fallback:
                fixed_d = {d: key[d] for d in rest}
                if cdim != PERIOD:
                    fixed_d = {PERIOD: period, **fixed_d}
                pid = f"other_{period.replace('-', '_')}" + "".join(f"_{key[d]}" for d in rest)
                base, n = pid, 2
                while pid in taken:
                    pid, n = f"{base}_{n}", n + 1
                taken.add(pid)
                fallback[fkey] = _Panel({}, fixed_d, rdim, cdim, [], [], id=pid, changed=True)
            home = fallback[fkey]
        home.add(key)
    out: list[dict[str, Any]] = []
    for p in panels:
        for codes, dim in ((p.rcodes, p.rdim), (p.ccodes, p.cdim)):
            if dim == PERIOD and p.changed:
                codes.sort(key=_period_order)
        out.append(p.to_dict())
        for period in sorted(p.siblings, key=_period_order):
            s = p.siblings[period]
            s.rcodes = _template_order(s.rcodes, p.rcodes)
            s.ccodes = _template_order(s.ccodes, p.ccodes)
            out.append(s.to_dict())
    out += [fb.to_dict() for fb in fallback.values()]
    return out


def _template_order(codes: Sequence[str], template: Sequence[str]) -> list[str]:
    """``codes`` in the template's order, then those the template lacks in their own order."""
    have = set(codes)
    return [c for c in template if c in have] + [c for c in codes if c not in set(template)]


__all__ = ["extend_layout", "period_kind"]
