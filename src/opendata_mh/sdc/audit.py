"""Interval audit: what an attacker can derive from everything published.

Input is generic: cells (one variable each) with an a-priori interval, and
linear relations between them. For every cell not published exactly the audit
computes the feasibility interval ``[min y_k, max y_k]`` over

    lower_i <= y_i <= upper_i        every cell (exact cells: lower = upper)
    sum_i a_ri y_i  = b_r            equality relations  (additive tables, identities)
    sum_i a_ri y_i <= b_r            inequality relations (multi-label, subset)

(the attacker problem of Fischetti & Salazar-González 2000, as restated in
TAU-MAN §2.15 and sdc.md §2.1; a-priori bounds from the printed symbols, sdc.md
§2.3 and :mod:`opendata_mh.sdc.rules`). The relation types (``additive``,
``multilabel``, ..., ``share``) become these rows in :mod:`opendata_mh.sdc.relations`
(:class:`LinearRelation` and the builders are re-exported here).

Method (details in :mod:`opendata_mh.sdc._lp`): exact cells are substituted
into the right-hand sides; relations without free cells are checked for
consistency; the rest splits into connected components (cells linked by
relations), and each component gets one persistent HiGHS model. Bound
tightening gives outer bounds, a pool of LP vertices gives inner bounds, and only
the sides where the two differ get their own LP (warm-started: only the
objective changes). Counts are integers, so LP bounds are rounded inwards
(``ceil``/``floor``) unless ``integral=False``; ``mip=True`` solves the integer
attacker problem exactly with HiGHS MIP.

``pinned_by``: for a side that ends strictly inside its a-priori bound, the
relations (by ``LinearRelation.source``) of an irreducible certificate of the
bound: the rows with a non-zero dual in that side's optimal LP basis, made
irreducible by a deletion filter (with ``shortest=True``, in a component of at most
``_SHRINK_ALL_ROWS`` rows over all its rows, longest first, so that a figure stated
outright wins over a long chain, which a degenerate optimum's dual can name; with
``shortest=False`` over the dual's support only, a few LPs per side). For a cell that
the relations pin exactly, it is the union over both sides.

Infeasibility: if the published figures cannot all hold, the component is
reported with an irreducible infeasible set of relations (deletion filter), and
its cells get ``status="infeasible"`` and no interval.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from . import _lp
from .relations import (
    LinearRelation,
    additive,
    identity,
    multilabel,
    overlap_subset,
    relation,
    subset,
)
from .rules import SDCError

__all__ = [
    "AuditReport",
    "AuditResult",
    "Cell",
    "Infeasibility",
    "LinearRelation",
    "additive",
    "audit",
    "identity",
    "multilabel",
    "overlap_subset",
    "relation",
    "subset",
]

INF = math.inf
CellKind = Literal["exact", "interval", "suppressed"]
Protection = Literal["none", "not_exact", "apriori"]


@dataclass(frozen=True)
class Cell:
    """One published (or masked) figure = one attacker variable.

    Attributes:
        id: unique cell id (e.g. ``"victims_by_form/period=2023/form=labour"``).
        lower: a-priori lower bound (count, >= 0 for counts).
        upper: a-priori upper bound; ``math.inf`` when unknown.
        kind: ``exact`` (published as a number; lower == upper), ``interval``
            (published as a rounded figure or a range) or ``suppressed``
            (masked: ``<5``, secondary symbol).
        protection: what the audit checks for this cell: ``none``; ``not_exact``
            (the interval must have width > 0); ``apriori`` (the interval must stay
            equal to the a-priori one: the publication reveals nothing beyond the
            symbol, the recommended level for ``<5`` cells, sdc.md §2.3).

    Raises:
        SDCError: lower > upper, or an exact cell whose bounds differ.
    """

    id: str
    lower: float = 0
    upper: float = INF
    kind: CellKind = "suppressed"
    protection: Protection = "not_exact"

    def __post_init__(self) -> None:
        if not (self.lower <= self.upper) or math.isnan(self.lower):
            raise SDCError(f"cell {self.id!r}: a-priori lower {self.lower} > upper {self.upper}")
        if self.kind == "exact" and self.lower != self.upper:
            raise SDCError(f"cell {self.id!r}: exact cell needs lower == upper")
        if self.kind not in ("exact", "interval", "suppressed"):
            raise SDCError(f"cell {self.id!r}: unknown kind {self.kind!r}")

    @classmethod
    def exact(cls, id: str, value: float) -> Cell:
        """A figure published as one number."""
        return cls(id, value, value, "exact", "none")

    @property
    def fixed(self) -> bool:
        """True if the cell's value is known exactly a priori."""
        return self.lower == self.upper


@dataclass(frozen=True)
class AuditResult:
    """The feasibility interval of one non-exact cell.

    Attributes:
        lower, upper: the interval (``upper`` may be ``inf``; both ``nan`` if the
            cell's component is infeasible).
        a_priori: the cell's a-priori interval.
        exact: lower == upper (the cell is disclosed).
        narrowed: the interval is strictly inside the a-priori one.
        protected: the cell's ``protection`` requirement is met.
        pinned_by: relation sources that prove the narrowed sides (see module doc).
        status: ``ok`` or ``infeasible``.
    """

    cell_id: str
    lower: float
    upper: float
    a_priori: tuple[float, float]
    exact: bool
    narrowed: bool
    protected: bool
    pinned_by: tuple[str, ...] = ()
    status: str = "ok"


@dataclass(frozen=True)
class Infeasibility:
    """A set of relations that cannot hold together with the a-priori bounds.

    ``relations``: the row ids of an irreducible infeasible subsystem;
    ``sources``: their high-level relation ids; ``cells``: the cells involved.
    """

    relations: tuple[str, ...]
    sources: tuple[str, ...]
    cells: tuple[str, ...]


@dataclass(frozen=True)
class AuditReport:
    """All results, in the order of the input cells (non-exact cells only)."""

    results: tuple[AuditResult, ...]
    infeasible: tuple[Infeasibility, ...] = ()
    stats: Mapping[str, float] = field(default_factory=dict)

    @property
    def by_id(self) -> dict[str, AuditResult]:
        return {r.cell_id: r for r in self.results}

    @property
    def feasible(self) -> bool:
        return not self.infeasible

    def disclosed(self) -> list[AuditResult]:
        """Cells whose value is pinned exactly."""
        return [r for r in self.results if r.exact]

    def narrowed(self) -> list[AuditResult]:
        return [r for r in self.results if r.narrowed]

    def unprotected(self) -> list[AuditResult]:
        return [r for r in self.results if not r.protected]


# ---------------------------------------------------------------------------


@dataclass
class _Reduced:
    free: list[int]  # cell index per column
    comps: list[
        tuple[_lp.Component, list[int], list[int]]
    ]  # (model, cell idx per col, relation idx per row)
    conflicts: list[int]  # relations violated by fixed cells alone


Compiled = list[tuple[np.ndarray, np.ndarray, bool, float]]
"""Relations as (cell index array, coefficient array, is_equality, rhs)."""


def _compile(cells: Sequence[Cell], relations: Sequence[LinearRelation]) -> Compiled:
    pos = {c.id: i for i, c in enumerate(cells)}
    if len(pos) != len(cells):
        seen: set[str] = set()
        for c in cells:
            if c.id in seen:
                raise SDCError(f"duplicate cell id {c.id!r}")
            seen.add(c.id)
    ids: set[str] = set()
    out: Compiled = []
    for rel in relations:
        if rel.id in ids:
            raise SDCError(f"duplicate relation id {rel.id!r}")
        ids.add(rel.id)
        try:
            idx = np.array([pos[c] for c in rel.coeffs], dtype=np.int64)
        except KeyError as exc:
            raise SDCError(f"relation {rel.id!r} refers to unknown cell {exc.args[0]!r}") from None
        out.append(
            (
                idx,
                np.array(list(rel.coeffs.values()), dtype=float),
                rel.kind == "eq",
                float(rel.rhs),
            )
        )
    return out


def _reduce(
    cells: Sequence[Cell], relations: Sequence[LinearRelation], *, integer: bool, tol: float
) -> _Reduced:
    lower = np.array([float(c.lower) for c in cells])
    upper = np.array([float(c.upper) for c in cells])
    return _reduce_arrays(lower, upper, _compile(cells, relations), integer=integer, tol=tol)


def _reduce_arrays(
    lower: np.ndarray, upper: np.ndarray, rels: Compiled, *, integer: bool, tol: float
) -> _Reduced:
    """Substitute fixed cells (lower == upper), drop empty rows (recording the
    violated ones) and split the rest into connected components."""
    n = len(lower)
    fixed = lower == upper
    parent = np.arange(n)

    def find(a: int) -> int:
        root = a
        while parent[root] != root:
            root = parent[root]
        while parent[a] != root:
            parent[a], a = root, parent[a]
        return int(root)

    rows: list[tuple[int, np.ndarray, np.ndarray, float, float]] = []
    conflicts: list[int] = []
    for ri, (idx, cv, eq, rhs0) in enumerate(rels):
        nz = cv != 0
        fx = fixed[idx] & nz
        const = float(np.dot(cv[fx], lower[idx[fx]]))
        keep = nz & ~fx
        vi = idx[keep]
        rhs = rhs0 - const
        if len(vi) == 0:
            if (abs(rhs) > tol) if eq else (rhs < -tol):
                conflicts.append(ri)
            continue
        rows.append((ri, vi, cv[keep], rhs if eq else -INF, rhs))
        r0 = find(int(vi[0]))
        for i in vi[1:]:
            b = find(int(i))
            if b != r0:
                if b < r0:
                    parent[r0] = b
                    r0 = b
                else:
                    parent[b] = r0
    free = [int(i) for i in np.flatnonzero(~fixed)]
    groups: dict[int, list[int]] = {}
    for i in free:
        groups.setdefault(find(i), []).append(i)
    rows_by: dict[int, list[int]] = {}
    for k, row in enumerate(rows):
        rows_by.setdefault(find(int(row[1][0])), []).append(k)
    comps = []
    colpos = np.full(n, -1, dtype=np.int64)
    for root in sorted(groups):
        cols = groups[root]
        rk = rows_by.get(root, [])
        if not rk:
            continue
        colpos[cols] = np.arange(len(cols))
        crow = []
        rlo = []
        rhi = []
        rel_idx = []
        for k in rk:
            ri, vi, vv, lo, hi = rows[k]
            crow.append((colpos[vi].astype(np.int32), vv))
            rlo.append(lo)
            rhi.append(hi)
            rel_idx.append(ri)
        comp = _lp.Component(
            lo=lower[cols].copy(),
            hi=upper[cols].copy(),
            rows=crow,
            rlo=np.array(rlo, dtype=float),
            rhi=np.array(rhi, dtype=float),
            integer=integer,
        )
        comps.append((comp, cols, rel_idx))
    return _Reduced(free, comps, conflicts)


def _ordered_unique(xs: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(xs))


_SHRINK_ALL_ROWS = 300
"""Components with at most this many rows get their explanations filtered over all rows."""


def _shrink_certificates(
    comp: _lp.Component, res: _lp.SideResult, *, integral: bool, tol: float, all_rows: bool
) -> None:
    """Make every explanation of ``res`` irreducible (in place): the dual support of an LP
    is *a* certificate of a bound, but when the optimum is degenerate (several relations pin
    the same bound) HiGHS may return a large one. Deletion filter over the certificate's rows,
    the others switched off, longest rows first: a row stays out when the bound (rounded
    inwards if ``integral``) still holds without it. One LP per row of the certificate."""
    n_rows = len(comp.rows)
    for rows_by, side, bound in ((res.lo_rows, 1.0, res.lo), (res.hi_rows, -1.0, res.hi)):
        for j, rows in list(rows_by.items()):
            if len(rows) <= 1:
                continue
            want = float(bound[j])
            if integral and math.isfinite(want):
                want = math.ceil(want - tol) if side > 0 else math.floor(want + tol)
            # every row of the component, not only the dual's support (a degenerate optimum
            # can name a long chain where one short row would do); longest rows first: a
            # short row (a figure stated outright) is the better reason
            cand = range(n_rows) if all_rows and n_rows <= _SHRINK_ALL_ROWS else rows
            keep = set(cand)
            for r in range(n_rows):
                if r not in keep:
                    comp.set_row_active(r, False)
            for r in sorted(cand, key=lambda r: (-len(comp.rows[r][0]), -r)):
                comp.set_row_active(r, False)
                st, obj, _, _ = comp.solve({j: side})
                got = obj * side if st == "optimal" else (-INF if side > 0 else INF)
                if integral and math.isfinite(got):
                    got = math.ceil(got - tol) if side > 0 else math.floor(got + tol)
                if (got >= want - tol) if side > 0 else (got <= want + tol):
                    keep.discard(r)
                else:
                    comp.set_row_active(r, True)
            for r in range(n_rows):
                comp.set_row_active(r, True)
            rows_by[j] = tuple(sorted(keep))


def audit(
    cells: Sequence[Cell],
    relations: Sequence[LinearRelation],
    *,
    targets: Iterable[str] | None = None,
    integral: bool = True,
    mip: bool = False,
    explain: bool = True,
    shortest: bool = True,
    tol: float = 1e-6,
) -> AuditReport:
    """Feasibility interval of every non-exact cell (see module docstring).

    Args:
        cells: all cells, each with its a-priori interval; ids unique.
        relations: linear relations over cell ids (build them with
            :func:`additive`, :func:`multilabel`, :func:`subset`,
            :func:`overlap_subset`, :func:`identity` or :func:`relation`).
        targets: only these cell ids (default: every non-exact cell). The global
            consistency check then covers only components holding a target.
        integral: the attacker knows the cells are integers: round LP bounds
            inwards (ceil/floor).
        mip: solve the integer attacker problem exactly (HiGHS MIP); slower.
        explain: name the relations that pin narrowed sides (the support of the optimal
            LP's duals).
        shortest: the deletion filter that makes each explanation irreducible runs over
            every row of a small component, longest rows first, so that a short row (a figure
            stated outright) wins over a chain (most of the LPs of a large audit); with
            ``False`` it runs over the dual's support only (an irreducible subset of the
            relations the LP duals name; a few LPs per narrowed side).
        tol: tolerance for exactness and narrowing, in count units.

    Returns:
        :class:`AuditReport`, results in input order; ``stats`` holds the number
        of components, LPs solved and variables.

    Raises:
        SDCError: duplicate ids, unknown cell in a relation, bad bounds.
    """
    red = _reduce(cells, relations, integer=mip, tol=tol)
    want = None if targets is None else set(targets)
    if want is not None:
        unknown = want - {c.id for c in cells}
        if unknown:
            raise SDCError(f"unknown target cells: {sorted(unknown)[:5]}")
    infeas: list[Infeasibility] = []
    for ri in red.conflicts:
        rel = relations[ri]
        infeas.append(Infeasibility((rel.id,), (rel.source,), tuple(rel.coeffs)))
    lo = {i: float(cells[i].lower) for i in red.free}
    hi = {i: float(cells[i].upper) for i in red.free}
    pins: dict[int, list[str]] = {}
    bad: set[int] = set()
    n_lp = 0
    for comp, cols, rel_idx in red.comps:
        tgt = [j for j, i in enumerate(cols) if want is None or cells[i].id in want]
        if not tgt:
            continue
        if not comp.feasible():
            keep = _lp.deletion_filter(comp)
            rel_rows = [relations[rel_idx[r]] for r in keep]
            infeas.append(
                Infeasibility(
                    tuple(r.id for r in rel_rows),
                    _ordered_unique(r.source for r in rel_rows),
                    _ordered_unique(c for r in rel_rows for c in r.coeffs),
                )
            )
            bad.update(cols)
            n_lp += comp.lp_count
            continue
        res = _lp.intervals(comp, tgt, explain=explain)
        if explain and not comp.integer:
            _shrink_certificates(comp, res, integral=integral, tol=tol, all_rows=shortest)
        n_lp += comp.lp_count
        for j in tgt:
            i = cols[j]
            lo[i] = float(res.lo[j])
            hi[i] = float(res.hi[j])
            srcs = [relations[rel_idx[r]].source for r in res.lo_rows.get(j, ())]
            srcs += [relations[rel_idx[r]].source for r in res.hi_rows.get(j, ())]
            if srcs:
                pins[i] = srcs
    results = []
    for i in red.free:
        c = cells[i]
        if want is not None and c.id not in want:
            continue
        ap = (float(c.lower), float(c.upper))
        if i in bad:
            results.append(
                AuditResult(c.id, math.nan, math.nan, ap, False, False, False, (), "infeasible")
            )
            continue
        a, b = lo[i], hi[i]
        if integral or mip:
            a = math.ceil(a - tol) if math.isfinite(a) else a
            b = math.floor(b + tol) if math.isfinite(b) else b
        exact = b - a <= tol
        narrowed = a > ap[0] + tol or b < ap[1] - tol
        if c.protection == "none":
            protected = True
        elif c.protection == "not_exact":
            protected = not exact
        else:
            protected = not narrowed
        results.append(
            AuditResult(
                c.id, a, b, ap, exact, narrowed, protected, _ordered_unique(pins.get(i, ()))
            )
        )
    stats = {
        "cells": len(cells),
        "free": len(red.free),
        "components": len(red.comps),
        "largest_component": max((len(c[1]) for c in red.comps), default=0),
        "lps": n_lp,
    }
    return AuditReport(tuple(results), tuple(infeas), stats)
