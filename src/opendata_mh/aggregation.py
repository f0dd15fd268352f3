"""The ``[aggregation]`` section of a table: how the table is counted from microdata.

A table TOML (``metadata/tables/NN_<id>.toml``) may say how a new year of it is built from
record-level input (``opendata-mh build``, :mod:`opendata_mh.build`)::

    [aggregation]
    record = "victim"                     # record type: one input file per type (RECORD_TYPES)
    filter = { forms = ["labour"] }       # optional: only records whose field has one of these
    window = 1                            # years per build: 1 = the new year only; 5 = the new
                                          #   year and the 4 before it (revised), plus window panels
    [aggregation.dimensions.form]         # one entry per table dimension
    field = "forms"                       # the record field
    multi = true                          # the field holds several values "a|b": multi-label count
    codes = ["sexual", "labour"]          # table codes to publish (default: keys of map)
    map = { sexual = ["sexual_domestic", "sexual_international"] }   # table code -> record values
                                          #   (default: each code is its own record value)
    all = true                            # when the dimension varies in a panel, also publish its
                                          #   margin "all" (every record once); a panel's `fixed`
                                          #   holds a dimension at "all" without this flag
    top = 10                              # optional: publish the `top` most frequent codes only
    other = ["unknown"]                   # optional: valid record values counted in no published
                                          #   code (only in "all"), e.g. victims of unknown sex
    [[aggregation.panels]]                # the grids of a new year
    id = "per_year"
    period = "year"                       # "year": one column per built year; "window": the total
                                          #   over the window ("2020-2024")
    fixed = { form = "all" }              # dimensions held at their margin "all" in this panel

Counting rules: a record counts once in every cell whose codes it has: for a ``multi`` field a
record with ``a|b`` counts under ``a`` and under ``b`` (multi-label categories, the relations
say ``multilabel``) and once under ``all``; a mapped code counts a record once when the record
has at least one of its values. Records that pass the ``filter`` must have a value in every
dimension field (else the build names the file, line and field).

This module is pure: :func:`parse_aggregation` validates a raw TOML table against the table's
dimensions and code lists and returns the spec plus a list of ``(field, message)`` problems; it
imports nothing from the package (the metadata loader in :mod:`opendata_mh.model` calls it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

RECORD_TYPES: tuple[str, ...] = (
    "victim",
    "ind_reflection",
    "ind_permit",
    "investigation",
    "suspect",
    "om_case",
    "court_case",
    "tried_suspect",
)
"""Record types of the microdata: victim-level registrations (CoMensha), IND decisions, EMM
investigations and suspects, OM (Phoenix) cases, court cases and tried suspects."""

YEAR_FIELD = "year"
MULTI_SEP = "|"
ALL = "all"
FIELD_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_AGG_KEYS = {"record", "filter", "window", "dimensions", "panels"}
_DIM_KEYS = {"field", "multi", "codes", "map", "all", "top", "other"}
_PANEL_KEYS = {"id", "period", "fixed"}


@dataclass(frozen=True)
class AggDimension:
    """How one table dimension is read from a record field.

    ``codes``: the table codes published (without ``all``); ``map``: table code -> the record
    values it covers; ``all``: publish the margin; ``top``: keep only the ``top`` most frequent
    codes of a year (ties by code), which must then be codes of the code list."""

    dim: str
    field: str
    multi: bool
    codes: tuple[str, ...]
    map: tuple[tuple[str, tuple[str, ...]], ...]
    all: bool = False
    top: int | None = None
    other: tuple[str, ...] = ()

    def values_of(self, code: str) -> tuple[str, ...]:
        """The record values that count under table code ``code``."""
        return dict(self.map).get(code, (code,))

    @property
    def record_values(self) -> tuple[str, ...]:
        """Every record value this dimension accepts (``top`` dimensions accept any code)."""
        out: list[str] = []
        for c in self.codes:
            for v in self.values_of(c):
                if v not in out:
                    out.append(v)
        return tuple(out) + tuple(v for v in self.other if v not in out)


@dataclass(frozen=True)
class AggPanel:
    """A grid of a new year: dimensions in ``fixed`` are at ``all``, the others vary."""

    id: str
    period: Literal["year", "window"]
    fixed: tuple[str, ...]


@dataclass(frozen=True)
class Aggregation:
    record: str
    filter: tuple[tuple[str, tuple[str, ...]], ...]
    window: int
    dimensions: tuple[AggDimension, ...]
    panels: tuple[AggPanel, ...]

    def dimension(self, dim: str) -> AggDimension:
        return next(d for d in self.dimensions if d.dim == dim)

    def years(self, year: int) -> tuple[int, ...]:
        """The years a build for ``year`` publishes (the window ending at ``year``)."""
        return tuple(range(year - self.window + 1, year + 1))

    def window_period(self, year: int) -> str:
        """The period code of the window panel, e.g. ``"2020-2024"``."""
        return f"{year - self.window + 1}-{year}"


def _str_list(v: Any) -> list[str] | None:
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return list(v)
    return None


def parse_aggregation(
    raw: Any, dimensions: Sequence[str], codes: Mapping[str, Sequence[str]]
) -> tuple[Aggregation | None, list[tuple[str, str]]]:
    """Validate the raw ``[aggregation]`` table of a table with ``dimensions``.

    Args:
        raw: the parsed TOML value.
        dimensions: the table's dimensions (without ``period``).
        codes: dimension id -> codes of its code list.

    Returns:
        ``(spec or None, problems)``; each problem is ``(field, message)`` with ``field`` like
        ``aggregation.dimensions.form.map``. The spec is ``None`` when there is any problem.
    """
    probs: list[tuple[str, str]] = []

    def bad(fld: str, msg: str) -> None:
        probs.append((f"aggregation{'.' + fld if fld else ''}", msg))

    if not isinstance(raw, dict):
        bad("", "[aggregation] must be a table (see docs/metadata-format.md)")
        return None, probs
    for k in raw:
        if k not in _AGG_KEYS:
            bad(k, f"unknown key '{k}' (typo? allowed: {sorted(_AGG_KEYS)})")
    record = raw.get("record")
    if record not in RECORD_TYPES:
        bad("record", f"record must be one of {list(RECORD_TYPES)}, got {record!r}")
    window = raw.get("window", 1)
    if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= 20:
        bad("window", "window must be an integer 1..20 (years per build)")
        window = 1
    filt: list[tuple[str, tuple[str, ...]]] = []
    raw_filter = raw.get("filter", {})
    if not isinstance(raw_filter, dict):
        bad("filter", "filter must be a table {field = [values]}")
        raw_filter = {}
    for fld, vals in raw_filter.items():
        lst = _str_list(vals)
        if not FIELD_RE.match(fld) or fld == YEAR_FIELD:
            bad(f"filter.{fld}", f"{fld!r} is not a record field name ([a-z][a-z0-9_]*, not year)")
        if not lst:
            bad(f"filter.{fld}", "a filter is a non-empty list of record values")
            continue
        filt.append((fld, tuple(lst)))
    dims: list[AggDimension] = []
    raw_dims = raw.get("dimensions", {})
    if not isinstance(raw_dims, dict):
        bad("dimensions", "dimensions must be tables [aggregation.dimensions.<dim>]")
        raw_dims = {}
    for d in raw_dims:
        if d not in dimensions:
            bad(f"dimensions.{d}", f"{d!r} is not a dimension of the table {list(dimensions)}")
    for d in dimensions:
        rd = raw_dims.get(d)
        if not isinstance(rd, dict):
            bad(f"dimensions.{d}", f"dimension {d!r} needs [aggregation.dimensions.{d}]")
            continue
        loc = f"dimensions.{d}"
        for k in rd:
            if k not in _DIM_KEYS:
                bad(f"{loc}.{k}", f"unknown key '{k}' (allowed: {sorted(_DIM_KEYS)})")
        fld = rd.get("field")
        if not isinstance(fld, str) or not FIELD_RE.match(fld) or fld == YEAR_FIELD:
            bad(f"{loc}.field", "field must be a record field name ([a-z][a-z0-9_]*, not year)")
            fld = ""
        multi = rd.get("multi", False)
        if not isinstance(multi, bool):
            bad(f"{loc}.multi", "multi must be true or false")
            multi = False
        has_all = rd.get("all", False)
        if not isinstance(has_all, bool):
            bad(f"{loc}.all", "all must be true or false")
            has_all = False
        known = set(codes.get(d, ()))
        if has_all and ALL not in known:
            bad(f"{loc}.all", f"the code list of {d!r} has no code 'all'")
        mp: list[tuple[str, tuple[str, ...]]] = []
        raw_map = rd.get("map", {})
        if not isinstance(raw_map, dict):
            bad(f"{loc}.map", "map must be a table {code = [record values]}")
            raw_map = {}
        for code, vals in raw_map.items():
            lst = _str_list(vals)
            if code not in known or code == ALL:
                bad(f"{loc}.map", f"{code!r} is not a code of {d!r} (other than 'all')")
            if not lst:
                bad(f"{loc}.map.{code}", "a mapped code needs a non-empty list of record values")
                continue
            mp.append((code, tuple(lst)))
        top = rd.get("top")
        if top is not None and (not isinstance(top, int) or isinstance(top, bool) or top < 1):
            bad(f"{loc}.top", "top must be a positive integer")
            top = None
        raw_codes = rd.get("codes")
        if raw_codes is None:
            cl = [c for c, _ in mp] or (
                [c for c in codes.get(d, ()) if c != ALL] if top is not None else []
            )
        else:
            cl = _str_list(raw_codes) or []
            if not cl:
                bad(f"{loc}.codes", "codes must be a non-empty list of codes")
        if not cl:
            bad(f"{loc}.codes", "give 'codes' (or 'map', or 'top'): the codes to publish")
        for c in cl:
            if c not in known or c == ALL:
                bad(f"{loc}.codes", f"{c!r} is not a code of {d!r} (other than 'all')")
        if len(set(cl)) != len(cl):
            bad(f"{loc}.codes", "duplicate code")
        for code, _ in mp:
            if code not in cl:
                bad(f"{loc}.map", f"mapped code {code!r} is not in codes")
        if top is not None and mp:
            bad(f"{loc}.top", "'top' and 'map' cannot be combined")
        other = rd.get("other", [])
        if _str_list(other) is None:
            bad(f"{loc}.other", "other must be a list of record values")
            other = []
        dims.append(AggDimension(d, fld, multi, tuple(cl), tuple(mp), has_all, top, tuple(other)))
    fields = [x.field for x in dims]
    if len(set(fields)) != len(fields):
        bad("dimensions", "two dimensions read the same record field")
    panels: list[AggPanel] = []
    raw_panels = raw.get("panels")
    if not isinstance(raw_panels, list) or not raw_panels:
        bad("panels", "at least one [[aggregation.panels]] is required")
        raw_panels = []
    seen: set[str] = set()
    for i, rp in enumerate(raw_panels, 1):
        loc = f"panels.{i}"
        if not isinstance(rp, dict):
            bad(loc, "a panel is a table {id, period, fixed}")
            continue
        for k in rp:
            if k not in _PANEL_KEYS:
                bad(f"{loc}.{k}", f"unknown key '{k}' (allowed: {sorted(_PANEL_KEYS)})")
        pid = rp.get("id")
        if not isinstance(pid, str) or not re.match(r"^[a-z0-9_]+$", pid):
            bad(f"{loc}.id", "panel id must match [a-z0-9_]+")
            pid = f"#{i}"
        if pid in seen:
            bad(f"{loc}.id", f"duplicate panel id {pid!r}")
        seen.add(pid)
        period = rp.get("period", "year")
        if period not in ("year", "window"):
            bad(f"{loc}.period", "period must be 'year' or 'window'")
            period = "year"
        if period == "window" and window < 2:
            bad(f"{loc}.period", "a 'window' panel needs aggregation.window >= 2")
        fixed = rp.get("fixed", {})
        if not isinstance(fixed, dict):
            bad(f"{loc}.fixed", "fixed must be a table {dim = 'all'}")
            fixed = {}
        for fd, fv in fixed.items():
            if fd not in dimensions:
                bad(f"{loc}.fixed.{fd}", f"{fd!r} is not a dimension of the table")
            elif fv != ALL:
                bad(f"{loc}.fixed.{fd}", "a fixed dimension of a built panel is 'all' (the margin)")
            elif ALL not in set(codes.get(fd, ())):
                bad(f"{loc}.fixed.{fd}", f"the code list of {fd!r} has no code 'all'")
        panels.append(AggPanel(pid, period, tuple(d for d in dimensions if d in fixed)))
    if probs:
        return None, probs
    assert isinstance(record, str)
    return Aggregation(record, tuple(filt), window, tuple(dims), tuple(panels)), probs


__all__ = [
    "ALL",
    "MULTI_SEP",
    "RECORD_TYPES",
    "YEAR_FIELD",
    "AggDimension",
    "AggPanel",
    "Aggregation",
    "parse_aggregation",
]
