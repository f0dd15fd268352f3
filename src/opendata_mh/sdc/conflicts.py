"""Audit of contradictory publications: what an attacker derives from any consistent subset.

When the published figures contradict each other (a *known discrepancy*: a set of relations
that cannot all hold), the plain audit has to leave the conflicting relations out, or the
attacker problem is infeasible. An attacker does not: they pick a subset of the relations that
is consistent and use all of it. So a masked cell counts as disclosed (or narrowed) if **any**
consistent subset of the relations discloses (narrows) it.

:func:`audit_consistent_subsets` enumerates the maximal consistent subsets of each conflict the
way a deletion search does: start with every relation of the conflict back in; while the system
is infeasible, take an irreducible infeasible set (IIS, deletion filter) and branch on leaving
out each of the conflict's relations in it, one at a time; audit every consistent system found
(only the components the conflict's relations touch). Each result names the conflict and the
relations left out, so a finding can say "when X is left out, the other relations give the cell
away".

Public for every reader of contradictory figures: the package audit
(:mod:`opendata_mh.audit`) and the narrative check of a report's text reuse it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from . import _lp
from .audit import AuditReport, AuditResult, Cell, LinearRelation, _reduce, audit

__all__ = ["SubsetAudit", "audit_consistent_subsets", "worst_subset_results"]


@dataclass(frozen=True)
class SubsetAudit:
    """The audit of one consistent subset of a conflict's relations.

    Attributes:
        conflict: the conflict's id (e.g. a known discrepancy).
        dropped: sources of the conflict's relations left out (possibly none: the conflict
            is consistent with these bounds).
        kept: sources of the conflict's relations kept.
        report: the audit of the cells the conflict's relations touch, under every relation
            given plus ``kept``.
    """

    conflict: str
    dropped: tuple[str, ...]
    kept: tuple[str, ...]
    report: AuditReport


def _touched(
    cells: Sequence[Cell], system: Sequence[LinearRelation], first: int, tol: float
) -> tuple[list[int] | None, set[int]]:
    """(rows of an IIS, or None if the touched part is consistent; cell indices of the
    components that rows ``first..`` touch)."""
    red = _reduce(cells, system, integer=False, tol=tol)
    for ri in red.conflicts:
        if ri >= first:
            return [ri], set()
    touched: set[int] = set()
    for comp, cols, rel_idx in red.comps:
        if not any(ri >= first for ri in rel_idx):
            continue
        if not comp.feasible():
            return [rel_idx[r] for r in _lp.deletion_filter(comp)], set()
        touched.update(cols)
    return None, touched


def _connected(
    cells: Sequence[Cell], base: Sequence[LinearRelation], members: Sequence[LinearRelation]
) -> list[LinearRelation]:
    """The rows of ``base`` in the components the conflict's rows touch (linked through cells
    not published exactly): the rest cannot change the audit of those components, and leaving
    it out keeps each subset's audit small."""
    fixed = {c.id for c in cells if c.fixed}
    by_cell: dict[str, list[int]] = {}
    for i, r in enumerate(base):
        for x in r.coeffs:
            if x not in fixed:
                by_cell.setdefault(x, []).append(i)
    todo = list(dict.fromkeys(x for r in members for x in r.coeffs if x not in fixed))
    seen = set(todo)
    keep: set[int] = set()
    while todo:
        for i in by_cell.get(todo.pop(), ()):
            if i in keep:
                continue
            keep.add(i)
            for y in base[i].coeffs:
                if y not in fixed and y not in seen:
                    seen.add(y)
                    todo.append(y)
    return [base[i] for i in sorted(keep)]


def audit_consistent_subsets(
    cells: Sequence[Cell],
    relations: Sequence[LinearRelation],
    conflicts: Mapping[str, Sequence[LinearRelation]],
    *,
    targets: Iterable[str] | None = None,
    explain: bool = True,
    shortest: bool = False,
    max_subsets: int = 64,
    tol: float = 1e-6,
) -> list[SubsetAudit]:
    """Audit every maximal consistent subset of each conflict (module docstring).

    Args:
        cells: every cell with its a-priori interval (as for :func:`~.audit.audit`).
        relations: the consistent relations (the conflicts' relations left out).
        conflicts: conflict id -> its relations (rows; a relation is identified by its
            ``source``, and leaving it out leaves out all its rows).
        targets: audit only these cells (default: every non-exact cell the conflict touches).
        explain, shortest: as for :func:`~.audit.audit`.
        max_subsets: per conflict, stop after this many systems examined.

    Returns:
        One :class:`SubsetAudit` per consistent subset found, conflicts in input order.
    """
    want = None if targets is None else set(targets)
    base = list(relations)
    out: list[SubsetAudit] = []
    for cid, members in conflicts.items():
        sources = list(dict.fromkeys(r.source for r in members))
        near = _connected(cells, base, members)
        seen: set[frozenset[str]] = set()
        stack: list[tuple[str, ...]] = [()]
        examined = 0
        while stack and examined < max_subsets:
            dropped = stack.pop(0)
            key = frozenset(dropped)
            if key in seen:
                continue
            seen.add(key)
            examined += 1
            kept_rows = [r for r in members if r.source not in key]
            system = near + kept_rows
            iis, touched = _touched(cells, system, len(near), tol)
            if iis is not None:
                in_conflict = [
                    system[i].source for i in iis if i >= len(near) and system[i].source in sources
                ]
                for s in dict.fromkeys(in_conflict):
                    stack.append((*dropped, s))
                continue
            tgt = [
                cells[i].id
                for i in sorted(touched)
                if not cells[i].fixed and (want is None or cells[i].id in want)
            ]
            if not tgt:
                continue
            rep = audit(cells, system, targets=tgt, explain=explain, shortest=shortest)
            out.append(
                SubsetAudit(
                    cid,
                    tuple(s for s in sources if s in key),
                    tuple(s for s in sources if s not in key),
                    rep,
                )
            )
    return out


def worst_subset_results(
    subsets: Sequence[SubsetAudit],
) -> dict[str, tuple[SubsetAudit, AuditResult]]:
    """Per cell, the subset that gives away most: an exact result first, then the narrowest
    narrowed one (cell id -> (subset, its :class:`~.audit.AuditResult`))."""
    best: dict[str, tuple[SubsetAudit, AuditResult]] = {}
    for s in subsets:
        for r in s.report.results:
            if r.status != "ok" or not (r.exact or r.narrowed):
                continue
            cur = best.get(r.cell_id)
            if cur is None:
                best[r.cell_id] = (s, r)
                continue
            c = cur[1]
            if (not c.exact and r.exact) or (
                r.exact == c.exact and r.upper - r.lower < c.upper - c.lower
            ):
                best[r.cell_id] = (s, r)
    return best
