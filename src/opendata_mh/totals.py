"""Totals as published data: the resource ``totals`` (``data/totals.csv``).

The report's totals (registered victims per year, investigations, suspects, cases disposed of by
the Public Prosecution Service, five-year totals of tables 17-21, ...) are *latent quantities*
of ``relations.toml``: the relations use them, no table prints them as a cell. Researchers need
them as denominators (a share of victims is a share of the yearly total, not of the sum over
reporters, which counts a victim with several reporters more than once).

``metadata/totals.toml`` lists the quantities to publish. A value of one is published only where

* the report prints it: a text figure whose ``refers_to`` is the quantity and whose relation
  ``text.<figure id>`` holds in this edition (``derived_by = text:<figure id>``), bounds from
  its printed qualifier (:func:`opendata_mh.qualifiers.figure_bounds`); or
* exact cells alone determine it: an ``additive`` relation whose total is the quantity and whose
  parts are all ``exact``/``zero`` table cells, the value is their sum
  (``derived_by = <relation id>``; every such relation is listed, space-separated).

Nothing else: no value derived from a derived value, no interval of the disclosure audit (that
would be an attacker's work, published). Where both sources exist and disagree the total is not
published: :class:`~opendata_mh.errors.MetadataError` names them (a quantity whose printed
figure is known to be wrong is left out of ``totals.toml``).

Each published total is tied to its quantity by a generated ``identity`` relation
``totals.<name>.<period>.<code>`` (``origin = "totals.toml"``), so ``opendata-mh check`` checks
the totals against the tables and the disclosure audit sees them; since every value follows
from printed figures by the rules above, no audit interval changes (tests/unit/test_totals.py).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opendata_mh.errors import MetadataError, MetadataProblem
from opendata_mh.model import ALL, PERIOD, PERIOD_RE, CellRef, Metadata
from opendata_mh.qualifiers import figure_bounds

TOTALS = "totals"
TOTALS_FILE = "totals.toml"


@dataclass(frozen=True)
class TotalSpec:
    """A quantity of ``totals.toml``."""

    name: str
    title: str
    title_en: str
    unit: str
    description_en: str


@dataclass(frozen=True)
class Total:
    """One published total."""

    spec: TotalSpec
    ref: CellRef
    period: str
    dimension: str
    code: str
    value: int | None
    lower: int
    upper: int | None
    printed: str
    derived_by: tuple[str, ...]
    edition: str

    @property
    def cell_type(self) -> str:
        return (
            "exact"
            if self.value is not None and self.value > 0
            else ("zero" if self.value == 0 else "range")
        )

    @property
    def row_ref(self) -> str:
        return f"{TOTALS}/quantity={self.spec.name}/period={self.period}/code={self.code}"

    @property
    def relation_id(self) -> str:
        return f"{TOTALS}.{self.spec.name}.{self.period}.{self.code}"


def load_specs(root: str | Path) -> tuple[TotalSpec, ...]:
    """Read ``<root>/totals.toml`` (absent: nothing is published). Raises
    :class:`~opendata_mh.errors.MetadataError` with every problem found."""
    path = Path(root) / TOTALS_FILE
    if not path.is_file():
        return ()
    problems: list[MetadataProblem] = []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MetadataError([MetadataProblem(TOTALS_FILE, f"cannot read: {exc}")]) from exc
    specs: list[TotalSpec] = []
    keys = ("name", "title", "title_en", "unit", "description_en")
    for i, q in enumerate(data.get("quantities") or [], 1):
        if not isinstance(q, dict):
            problems.append(MetadataProblem(TOTALS_FILE, "[[quantities]] must be tables", row=i))
            continue
        for k in sorted(set(q) - set(keys)):
            problems.append(MetadataProblem(TOTALS_FILE, f"unknown key {k!r}", row=i, field=k))
        bad = [k for k in keys if not isinstance(q.get(k), str) or not q[k].strip()]
        for k in bad:
            problems.append(
                MetadataProblem(TOTALS_FILE, f"'{k}' must be a non-empty string", row=i, field=k)
            )
        if not bad:
            specs.append(TotalSpec(*(q[k] for k in keys)))
    names = [s.name for s in specs]
    for n in sorted({n for n in names if names.count(n) > 1}):
        problems.append(MetadataProblem(TOTALS_FILE, f"quantity {n!r} is listed twice"))
    if problems:
        raise MetadataError(problems)
    return tuple(specs)


def check_specs(specs: tuple[TotalSpec, ...], meta: Metadata) -> None:
    """Every listed quantity is a latent quantity of the relations and its unit a package
    unit; raises :class:`~opendata_mh.errors.MetadataError`."""
    latent = {q.ref.name for q in meta.latent}
    units = {u.id for u in meta.package.units}
    problems = []
    for s in specs:
        if s.name not in latent:
            problems.append(
                MetadataProblem(
                    TOTALS_FILE,
                    f"quantity {s.name!r} is not a latent quantity of relations.toml "
                    f"(known: {', '.join(sorted(latent))})",
                    field="name",
                )
            )
        if s.unit not in units:
            problems.append(
                MetadataProblem(TOTALS_FILE, f"unit {s.unit!r} is not a package unit", field="unit")
            )
    if problems:
        raise MetadataError(problems)


def _window(periods: list[str]) -> str:
    years = []
    for p in periods:
        m = PERIOD_RE.match(p)
        if m:
            years += [int(m.group(1)), int(m.group(2) or m.group(1))]
    if not years:
        return ""
    lo, hi = min(years), max(years)
    return str(lo) if lo == hi else f"{lo}-{hi}"


def _conflict(message: str) -> MetadataError:
    return MetadataError(
        [
            MetadataProblem(
                TOTALS_FILE,
                message + "; leave the quantity out of totals.toml or record the discrepancy",
            )
        ]
    )


def derive(meta: Metadata, specs: tuple[TotalSpec, ...]) -> list[Total]:
    """The published totals, in the order of ``specs`` then of the latent quantities."""
    check_specs(specs, meta)
    cells = {c.ref: c for t in meta.tables for c in t.cells}
    base_edition = meta.package.edition or ""
    printed: dict[str, list[tuple[str, tuple[float, float], str, str]]] = {}
    live = {r.id for r in meta.relations}
    for f in meta.text_figures:
        # a figure whose relation lapsed (a later edition revised the cells of its quantity)
        # no longer states the quantity
        if f.refers_to is None or f.refers_to.kind != "latent" or f"text.{f.id}" not in live:
            continue
        b = figure_bounds(f)
        if b is not None:
            printed.setdefault(str(f.refers_to), []).append((f.id, b, f.printed, f.period))
    sums: dict[str, list[tuple[str, int, list[str], str]]] = {}
    for r in meta.relations:
        if r.type != "additive" or r.total is None or r.total.kind != "latent":
            continue
        parts = [cells.get(str(p)) if p.kind == "cell" else None for p in r.parts]
        if not parts or any(
            c is None or c.parsed.cell_type not in ("exact", "zero") or c.parsed.value is None
            for c in parts
        ):
            continue
        ok = [c for c in parts if c is not None]
        total = sum(int(c.parsed.value or 0) for c in ok)
        periods = [dict(c.key)[PERIOD] for c in ok]
        edition = max((c.edition for c in ok), default=base_edition) or base_edition
        sums.setdefault(str(r.total), []).append((r.id, total, periods, edition))
    out: list[Total] = []
    for spec in specs:
        for q in (q for q in meta.latent if q.ref.name == spec.name):
            ref = str(q.ref)
            key = dict(q.ref.key)
            dims = [(k, v) for k, v in q.ref.key if k != PERIOD]
            dimension, code = dims[0] if dims else ("", ALL)
            pr = printed.get(ref, [])
            sm = sums.get(ref, [])
            if pr:
                fid, (lo, hi), text, fperiod = pr[0]
                agree = [rid for rid, v, _p, _e in sm if lo <= v <= hi]
                if len(agree) != len(sm):
                    raise _conflict(
                        f"total {ref}: printed {text!r} (text:{fid}) and the sums of "
                        f"{', '.join(rid for rid, v, _p, _e in sm if rid not in agree)} disagree"
                    )
                period = (
                    key.get(PERIOD) or fperiod or _window([p for _r, _v, ps, _e in sm for p in ps])
                )
                exact = lo == hi
                out.append(
                    Total(
                        spec=spec,
                        ref=q.ref,
                        period=period,
                        dimension=dimension,
                        code=code,
                        value=int(lo) if exact else None,
                        lower=int(lo),
                        upper=None if hi == float("inf") else int(hi),
                        printed=text,
                        derived_by=(f"text:{fid}", *agree),
                        edition=base_edition,
                    )
                )
            elif sm:
                values = {v for _r, v, _p, _e in sm}
                if len(values) > 1:
                    raise _conflict(
                        f"total {ref}: the sums of "
                        f"{', '.join(f'{rid} ({v})' for rid, v, _p, _e in sm)} disagree"
                    )
                v = values.pop()
                period = key.get(PERIOD) or _window([p for _r, _v, ps, _e in sm for p in ps])
                out.append(
                    Total(
                        spec=spec,
                        ref=q.ref,
                        period=period,
                        dimension=dimension,
                        code=code,
                        value=v,
                        lower=v,
                        upper=v,
                        printed="",
                        derived_by=tuple(rid for rid, _v, _p, _e in sm),
                        edition=max(e for _r, _v, _p, e in sm),
                    )
                )
    return out


HEADER = (
    "quantity",
    "quantity_label",
    "quantity_label_en",
    "year_from",
    "year_to",
    "dimension",
    "code",
    "value",
    "value_lower",
    "value_upper",
    "cell_type",
    "derived_by",
    "unit",
    "edition",
)
KEY = ("quantity", "year_from", "year_to", "code")
"""``totals.csv`` has the columns of a table CSV: no ``period``, ``value_printed``, ``obs_status``
or ``conf_status`` (:data:`opendata_mh.model.constants.LONG_ONLY_COLUMNS`; the text figure
named in ``derived_by`` is the printed total, the long file ``observations.csv`` has them)."""


def _s(x: int | None) -> str:
    return "" if x is None else str(x)


def rows(
    totals: list[Total],
    edition_label: Callable[[str], str],
    period_years: Callable[[str], tuple[str, str]],
) -> list[list[str]]:
    """Header + rows of ``totals.csv`` (strings), with the edition and year columns written
    as in the tables (``opendata_mh.generate.edition_label``, ``period_years``)."""
    out = [list(HEADER)]
    for t in totals:
        out.append(
            [
                t.spec.name,
                t.spec.title,
                t.spec.title_en,
                *period_years(t.period),
                t.dimension,
                t.code,
                _s(t.value),
                _s(t.lower),
                _s(t.upper),
                t.cell_type,
                " ".join(t.derived_by),
                t.spec.unit,
                edition_label(t.edition),
            ]
        )
    return out


def relations(totals: list[Total]) -> list[dict[str, Any]]:
    """The generated ``identity`` relations that tie each published total to its quantity."""
    return [
        {
            "id": t.relation_id,
            "type": "identity",
            "cells": [t.row_ref, str(t.ref)],
            "description_en": f"The published total is the quantity {t.ref} "
            f"(derived by {', '.join(t.derived_by)}).",
            "origin": TOTALS_FILE,
        }
        for t in totals
    ]


def latent_relations(totals: list[Total]) -> Mapping[str, list[str]]:
    """Latent quantity id -> ids of the generated relations that use it."""
    out: dict[str, list[str]] = {}
    for t in totals:
        out.setdefault(str(t.ref), []).append(t.relation_id)
    return out
