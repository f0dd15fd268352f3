"""Editions protected together: a new edition that revises cells a published edition
already printed.

Every edition re-counts earlier years (late registrations), so a reader who holds both
editions has two printed versions of the same cell. Each version alone may be safe and the
pair not: with the attacker model *monotone revisions* (a late registration only adds, so
``old <= new`` per cell) the old edition's ``<5`` next to the new edition's figures pins
cells that each edition protects on its own. Minimal case (inner cells of a 3x3 table with
margins): old ``[[0, 1, 2], [4, 1, 3], [3, 0, 4]]``, new ``[[1, 1, 2], [5, 1, 3], [3, 0, 4]]``,
each protected alone: five ``<5`` cells become exactly 1.

Attacker models (:func:`revision_relations`): the change ``new - old`` of every revised cell
lies in ``[min_change, max_change]``. ``min_change=0, max_change=None`` (default): monotone
revisions (old <= new). ``min_change=-k, max_change=k``: revisions in either direction by at
most k. ``min_change=None, max_change=None``: no link (the editions are independent; nothing
to protect jointly).

:func:`protect_revision` protects the new edition *jointly* with the published ones: the
published edition is fixed (what it printed cannot change), its ``<5`` cells keep their
requirement ([1, n-1] under the joint attacker) and its ``x`` cells are known as [1, inf);
secondary suppression is chosen among the new edition's cells only. The true values of the
old edition's masked cells are not needed (nor, in general, known to the builder): any integer
table consistent with the old printed figures, the old relations and the revision model
(:func:`feasible_values`) serves as the starting point of the complement LPs, since the
protection requirements do not depend on which consistent table is used.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from . import _lp
from .audit import Cell, LinearRelation, _reduce
from .rules import SDCError
from .suppress import SuppressionResult, suppress

__all__ = [
    "RevisionResult",
    "contradicted_rows",
    "feasible_values",
    "protect_revision",
    "revision_relations",
]


def revision_relations(
    pairs: Iterable[tuple[str, str]],
    *,
    min_change: float | None = 0,
    max_change: float | None = None,
    prefix: str = "revision",
) -> list[LinearRelation]:
    """Rows of the revision model for each (old cell, new cell) pair:
    ``min_change <= new - old <= max_change`` (a ``None`` end is left open)."""
    out: list[LinearRelation] = []
    for old, new in pairs:
        src = f"{prefix}:{old}->{new}"
        if min_change is not None:  # old - new <= -min_change
            out.append(
                LinearRelation(f"{src}#min", "le", {old: 1.0, new: -1.0}, -float(min_change), src)
            )
        if max_change is not None:  # new - old <= max_change
            out.append(
                LinearRelation(f"{src}#max", "le", {new: 1.0, old: -1.0}, float(max_change), src)
            )
    return out


def feasible_values(
    cells: Sequence[Cell], relations: Sequence[LinearRelation]
) -> dict[str, int] | None:
    """An integer value for every cell within its a-priori interval that satisfies every
    relation (an integer program per connected component), or ``None`` if there is none."""
    red = _reduce(cells, relations, integer=True, tol=1e-6)
    if red.conflicts:
        return None
    out = {c.id: int(c.lower) for c in cells if c.lower == c.upper}
    for i in red.free:  # unconstrained free cells: their lower end
        out[cells[i].id] = math.ceil(cells[i].lower)
    for comp, cols, _ in red.comps:
        st, _, x, _ = comp.solve({})
        if st != "optimal" or x is None:
            return None
        for j, i in enumerate(cols):
            out[cells[i].id] = round(float(x[j]))
    return {c.id: out[c.id] for c in cells}


def contradicted_rows(
    cells: Sequence[Cell], relations: Sequence[LinearRelation], revision: Sequence[LinearRelation]
) -> set[str]:
    """Sources of the revision rows with a positive slack in the elastic LP (every relation
    holds, each revision row may be violated by a slack >= 0, the sum of slacks minimised)."""
    pos = {c.id: i for i, c in enumerate(cells)}
    n, m = len(cells), len(revision)
    lo = np.r_[[float(c.lower) for c in cells], np.zeros(m)]
    hi = np.r_[[float(c.upper) for c in cells], np.full(m, math.inf)]
    rows: list[tuple[np.ndarray, np.ndarray]] = []
    rlo: list[float] = []
    rhi: list[float] = []
    for k, r in enumerate([*relations, *revision]):
        idx = [pos[c] for c in r.coeffs]
        val = list(r.coeffs.values())
        if k >= len(relations):
            idx.append(n + k - len(relations))
            val.append(-1.0)
        rows.append((np.array(idx, dtype=np.int32), np.array(val, dtype=float)))
        rlo.append(r.rhs if r.kind == "eq" else -math.inf)
        rhi.append(r.rhs)
    comp = _lp.Component(lo=lo, hi=hi, rows=rows, rlo=np.array(rlo), rhi=np.array(rhi))
    st, _, x, _ = comp.solve({n + j: 1.0 for j in range(m)})
    if st != "optimal" or x is None:
        return set()
    return {revision[j].source for j in range(m) if x[n + j] > 1e-7}


@dataclass(frozen=True)
class RevisionResult:
    """Outcome of :func:`protect_revision`.

    Attributes:
        joint: the suppression over both editions (old cells fixed).
        secondary: the new edition's cells printed ``x`` (secondary suppressions and
            upgraded primaries), input order.
        cost, suppressed_value: cost and true total of the new edition's secondaries.
        alone_cost, alone_value, alone_secondary: the same when the new edition is
            protected on its own (``None`` unless ``compare=True``).
        contradicted: pairs left out with ``drop_contradicted``.
    """

    joint: SuppressionResult
    secondary: tuple[str, ...]
    cost: float
    suppressed_value: int
    alone_cost: float | None = None
    alone_value: int | None = None
    alone_secondary: int | None = None
    contradicted: tuple[tuple[str, str], ...] = ()

    def printed(self, new_values: Mapping[str, int], threshold: int = 5) -> dict[str, str]:
        """How each new cell is printed: the count, ``<n`` or ``x``."""
        ps = self.joint.printed_suppressed()
        out = {}
        for c, v in new_values.items():
            p = ps.get(c)
            out[c] = str(v) if p is None else ("x" if p == "secondary" else f"<{threshold}")
        return out


def protect_revision(
    new_values: Mapping[str, int],
    new_relations: Sequence[LinearRelation],
    old_cells: Sequence[Cell],
    old_relations: Sequence[LinearRelation],
    pairs: Iterable[tuple[str, str]],
    *,
    threshold: int = 5,
    primary: Iterable[str] | None = None,
    min_change: float | None = 0,
    max_change: float | None = None,
    cost: str | Mapping[str, float] = "value",
    candidates: Iterable[str] | None = None,
    initial_secondary: Iterable[str] = (),
    forced_upgrades: Iterable[str] = (),
    masked_zeros: Iterable[str] = (),
    zero_candidates: Iterable[str] = (),
    drop_contradicted: bool = False,
    compare: bool = False,
    method: Literal["mip", "heuristic"] = "mip",
    time_limit: float = 40.0,
) -> RevisionResult:
    """Protect a new edition jointly with a published one (module docstring).

    Args:
        new_values: true counts of the new edition's cells (totals included).
        new_relations: the relations among them.
        old_cells: what the published edition printed, one :class:`Cell` per cell, ids
            distinct from the new ones: exact (a number or 0); ``<n`` as ``[1, n-1]`` with
            protection ``apriori`` (a protected cell: its interval must stay [1, n-1]); ``x``
            as ``[L, inf)`` with L >= 1; any other cell (a ``<n`` the published edition
            already gave away, a rounded figure, a latent total) as its published interval
            (known, not a protected target).
        old_relations: the relations among the old cells.
        pairs: (old cell, new cell) for every revised cell.
        primary: the new edition's primary cells (default: every new count in 1..n-1).
        min_change, max_change: the attacker's revision model (:func:`revision_relations`).
        cost: as in :func:`~opendata_mh.sdc.suppress.suppress` (for the new cells).
        candidates: new cells that may become secondary (default: every new cell >= n).
        initial_secondary: new cells suppressed whatever happens (e.g. latent totals).
        forced_upgrades, masked_zeros, zero_candidates: as in
            :func:`~opendata_mh.sdc.suppress.suppress` (new cells; group protection of
            :mod:`opendata_mh.build`).
        drop_contradicted: leave out the revision row of a pair whose published figure
            already contradicts the model (its lower end above the new count plus
            ``max(min_change, 0)``: a reader sees that this cell went down and does not apply
            the model to it); the pairs left out are in ``RevisionResult.contradicted``.
        compare: also protect the new edition alone, for the cost comparison.

    Raises:
        SDCError: the editions contradict the revision model (no table fits both, e.g. a
            cell that went down under the monotone model), an id in both editions, or no
            protecting pattern exists.
    """
    pairs = list(pairs)
    contradicted: list[tuple[str, str]] = []
    if drop_contradicted and min_change is not None:
        lower = {c.id: c.lower for c in old_cells}
        contradicted = [(o, n) for o, n in pairs if lower[o] > new_values[n] - min_change]
        pairs = [p for p in pairs if p not in set(contradicted)]
    clash = {c.id for c in old_cells} & set(new_values)
    if clash:
        raise SDCError(f"cells in both editions: {sorted(clash)[:5]}")
    rev = revision_relations(pairs, min_change=min_change, max_change=max_change)
    known = [*old_cells, *(Cell.exact(c, v) for c, v in new_values.items())]
    point = feasible_values(known, [*old_relations, *rev])
    if point is None and drop_contradicted:
        # a reader whose model contradicts the figures keeps the revision rows some table
        # satisfies: the fewest-violations subset (an elastic LP: one slack per revision row,
        # their sum minimised); the rows with a positive slack are left out
        gone = contradicted_rows(known, list(old_relations), rev)
        contradicted += [p for p in pairs if f"revision:{p[0]}->{p[1]}" in gone]
        rev = [r for r in rev if r.source not in gone]
        point = feasible_values(known, [*old_relations, *rev])
    if point is None:
        raise SDCError(
            "the published edition, the new counts and the revision model contradict each "
            f"other (min_change={min_change}, max_change={max_change}): no table fits both; "
            "a cell that went down needs the model 'either direction'"
        )
    old_vals = {c.id: point[c.id] for c in old_cells}
    values = {**new_values, **old_vals}
    new_prim = (
        [c for c, v in new_values.items() if 1 <= v < threshold]
        if primary is None
        else list(primary)
    )
    old_prim = [
        c.id
        for c in old_cells
        if c.kind == "suppressed" and c.protection == "apriori" and c.upper <= threshold - 1
    ]
    old_x = [
        c.id
        for c in old_cells
        if c.kind == "suppressed"
        and c.protection != "apriori"
        and c.upper == math.inf
        and c.lower >= 1
    ]
    for c in old_prim:
        if not 1 <= old_vals[c] <= threshold - 1:  # pragma: no cover - bounds guarantee it
            raise SDCError(f"old cell {c!r}: no consistent value in 1..{threshold - 1}")
    known_iv = {
        c.id: (float(c.lower), float(c.upper))
        for c in old_cells
        if c.kind != "exact" and c.id not in set(old_prim) and c.id not in set(old_x)
    }
    cand = [c for c, v in new_values.items() if v >= threshold]
    if candidates is not None:
        allowed = set(candidates)
        cand = [c for c in cand if c in allowed]
    joint = suppress(
        values,
        [*new_relations, *old_relations, *rev],
        threshold=threshold,
        primary=[*new_prim, *old_prim],
        cost=cost if isinstance(cost, str) else {**dict.fromkeys(old_vals, 1.0), **cost},
        candidates=cand,
        initial_secondary=[*old_x, *initial_secondary],
        upgradable=new_prim,
        forced_upgrades=list(forced_upgrades),
        masked_zeros=list(masked_zeros),
        zero_candidates=list(zero_candidates),
        known=known_iv,
        method=method,
        time_limit=time_limit,
    )
    newset = set(new_values)
    sec = tuple(c for c in joint.secondary if c in newset)
    up = tuple(c for c in joint.upgraded if c in newset)
    cst = cost if not isinstance(cost, str) else None
    w = {c: (1.0 if cost == "unit" else float(max(new_values[c], 1))) for c in sec}
    if cst is not None:
        w = {c: float(cst[c]) for c in sec}
    out = RevisionResult(
        joint=joint,
        secondary=tuple(c for c in new_values if c in set(sec) | set(up)),
        cost=float(sum(w.values())),
        suppressed_value=int(sum(new_values[c] for c in sec)),
        contradicted=tuple(contradicted),
    )
    if compare:
        alone = suppress(
            new_values,
            new_relations,
            threshold=threshold,
            cost=cost,
            candidates=cand,
            initial_secondary=list(initial_secondary),
            method=method,
            time_limit=time_limit,
        )
        fixed = set(initial_secondary)
        a_sec = [c for c in alone.secondary if c not in fixed]
        out = RevisionResult(
            joint=joint,
            secondary=out.secondary,
            cost=out.cost,
            suppressed_value=out.suppressed_value,
            alone_cost=float(
                sum(
                    (1.0 if cost == "unit" else float(max(new_values[c], 1)))
                    if isinstance(cost, str)
                    else float(cost[c])
                    for c in a_sec
                )
            ),
            alone_value=int(sum(new_values[c] for c in a_sec)),
            alone_secondary=len(a_sec),
            contradicted=tuple(contradicted),
        )
    return out
