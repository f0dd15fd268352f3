"""``text_figures.toml``: the figures quoted in the report's prose (:class:`TextFigure`, with the
table cell a figure repeats, if any), and their loader.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from opendata_mh.model._collect import _check_keys, _Collector
from opendata_mh.model.constants import GENERIC_COUNT_UNIT, NON_COUNT_UNITS, valid_period
from opendata_mh.model.package import PackageMeta
from opendata_mh.model.printed import count_bounds
from opendata_mh.model.refs import CellRef


@dataclass(frozen=True)
class TextFigure:
    id: str
    period: str
    printed: str
    value: float | None
    unit: str
    quote: str
    description_en: str
    section: str
    refers_to: CellRef | None
    dimensions: tuple[tuple[str, str], ...] = ()
    """Codes of the figure on the package's dimensions (``dimensions = { region =
    "latin_america", form = "sexual" }``) for a figure that repeats no table cell; a figure that
    refers to a cell takes the cell's codes (the long file of observations)."""

    @property
    def bounds(self) -> tuple[float, float] | None:
        return count_bounds(self.printed, self.value)


def _load_text_figures(
    data: dict[str, Any],
    pkg: PackageMeta,
    col: _Collector,
    codes: Mapping[str, set[str]] | None = None,
) -> list[tuple[TextFigure, str | None, int]]:
    """``codes``: dimension id -> its codes, to check the figures' ``dimensions``."""

    def cls_ok(dims: Mapping[str, str]) -> bool:
        return codes is None or all(k in codes and v in codes[k] for k, v in dims.items())

    f = "text_figures.toml"
    _check_keys(data, {"figures"}, f, col)
    out: list[tuple[TextFigure, str | None, int]] = []
    seen: set[str] = set()
    units = {u.id for u in pkg.units} | set(NON_COUNT_UNITS) | {GENERIC_COUNT_UNIT}
    for i, r in enumerate(data.get("figures") or [], 1):
        if not isinstance(r, dict):
            col.add(f, "[[figures]] entries must be tables", row=i)
            continue
        fid = col.str_(r, "id", f, row=i)
        loc: dict[str, Any] = {"table": fid or None, "row": i}
        if fid and not re.match(r"^[A-Za-z0-9_.\-]+$", fid):
            col.add(f, f"figure id {fid!r} must match [A-Za-z0-9_.-]+", field="id", **loc)
        if fid in seen:
            col.add(f, f"duplicate figure id {fid!r}", field="id", **loc)
        seen.add(fid)
        _check_keys(
            r,
            {
                "id",
                "period",
                "printed",
                "value",
                "unit",
                "quote",
                "description_en",
                "section",
                "refers_to",
                "description",
                "dimensions",
            },
            f,
            col,
            **loc,
        )
        period = col.str_(r, "period", f, required=False, **loc)
        if period and not valid_period(period):
            col.add(f, f"period {period!r} must be YYYY, YYYY-YYYY or ''", field="period", **loc)
        value = r.get("value")
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            col.add(f, "'value' must be a number", field="value", **loc)
            value = None
        unit = col.str_(r, "unit", f, **loc)
        if unit and unit not in units:
            col.add(
                f,
                f"unit {unit!r} is not a package unit nor one of "
                f"{[*NON_COUNT_UNITS, GENERIC_COUNT_UNIT]}",
                field="unit",
                **loc,
            )
        refers = col.opt_str(r, "refers_to", f, **loc)
        dims = r.get("dimensions") or {}
        if not isinstance(dims, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in dims.items()
        ):
            col.add(f, "'dimensions' must map dimension ids to codes", field="dimensions", **loc)
            dims = {}
        if dims and not cls_ok(dims):
            col.add(
                f,
                f"'dimensions' {dims!r}: every key must be a dimension of codelists.toml and "
                "every value one of its codes",
                field="dimensions",
                **loc,
            )
        out.append(
            (
                TextFigure(
                    id=fid,
                    period=period,
                    printed=col.str_(r, "printed", f, **loc),
                    value=float(value) if isinstance(value, float) else value,
                    unit=unit,
                    quote=col.str_(r, "quote", f, **loc),
                    description_en=col.str_(r, "description_en", f, **loc),
                    section=col.str_(r, "section", f, required=False, **loc),
                    refers_to=None,
                    dimensions=tuple(dims.items()),
                ),
                refers,
                i,
            )
        )
    return out
