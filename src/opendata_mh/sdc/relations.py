"""Relations between published figures as linear rows: the one place of their semantics.

Every relation of a package becomes rows ``sum(coeffs[x] * y_x) == rhs`` (``eq``) or
``<= rhs`` (``le``) over variables ``y`` (cells, figures of the prose, latent totals; any
hashable id). The consistency check (:mod:`opendata_mh.validate`: interval reasoning on these
rows, :func:`propagate` and :func:`holds`), the disclosure audit (:func:`opendata_mh.sdc.audit`:
linear programs over the same rows) and secondary suppression read them; what a relation type
*means* is written here only.

==================  ===================================================  ===============
type                meaning (parts p_i, total t)                         rows
==================  ===================================================  ===============
``additive``        disjoint, exhaustive: ``t = sum p_i``                1 eq
``subset``          disjoint, not exhaustive: ``sum p_i <= t``           1 le
``overlap_subset``  overlapping, not exhaustive: each ``p_i <= t``       1 le per part
``multilabel``      one person, several labels: each ``p_i <= t`` and    1 le per part,
                    ``t <= sum p_i`` (and ``sum p_i <= m t`` with at      +1 (+1)
                    most m labels per person)
``identity``        the same figure in several places: all equal         n-1 eq
``share``           a printed percentage p of two sums of counts:        2 le
                    ``100 N / D`` rounded half up to p (:func:`share_rows`)
``change``          a printed change p: ``100 (N - D) / D`` rounded      2 le
                    half up to p
==================  ===================================================  ===============

A latent quantity (a total the report does not print) is a variable like any other, with
a-priori interval ``[0, inf)``; a relation that names one constrains it.

Pure Python (no numpy, no HiGHS): importing this module is cheap.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from .rules import SDCError

__all__ = [
    "RELATION_TYPES",
    "SHARE_TYPES",
    "Interval",
    "LinearRelation",
    "additive",
    "holds",
    "identity",
    "implied_bounds",
    "multilabel",
    "overlap_subset",
    "propagate",
    "relation",
    "share",
    "share_rows",
    "subset",
]

INF = math.inf
TOL = 1e-9
"""Tolerance of :func:`holds` (rows of counts have integer coefficients; share rows too)."""

RELATION_TYPES: tuple[str, ...] = (
    "additive",
    "multilabel",
    "subset",
    "overlap_subset",
    "identity",
    "share",
    "change",
)
"""Every relation type of ``docs/metadata-format.md``."""

SHARE_TYPES: tuple[str, ...] = ("share", "change")
"""Relation types between a printed percentage and two sums of counts (:func:`share_rows`)."""

Interval = tuple[float, float]
"""``(lower, upper)`` of a variable; ``upper`` may be ``math.inf``."""

_K = TypeVar("_K", bound=Hashable)


@dataclass(frozen=True)
class LinearRelation:
    """``sum(coeffs[c] * y_c) == rhs`` (kind ``eq``) or ``<= rhs`` (kind ``le``).

    Attributes:
        id: unique row id.
        coeffs: variable id -> coefficient (variables are cell ids in the audit; any hashable
            works for the interval functions of this module).
        source: id of the high-level relation it comes from (reported in ``pinned_by`` and in
            conflicts); defaults to ``id``.
    """

    id: str
    kind: Literal["eq", "le"]
    coeffs: Mapping[Any, float]
    rhs: float = 0.0
    source: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("eq", "le"):
            raise SDCError(f"relation {self.id!r}: kind must be 'eq' or 'le', got {self.kind!r}")
        if not self.source:
            object.__setattr__(self, "source", self.id)


# --------------------------------------------------------------------------------------------
# Relation types -> rows
# --------------------------------------------------------------------------------------------


def _merge(
    total: Any, parts: Sequence[Any], sign_total: float, sign_part: float
) -> dict[Any, float]:
    c: dict[Any, float] = {}
    for p in parts:
        c[p] = c.get(p, 0.0) + sign_part
    c[total] = c.get(total, 0.0) + sign_total
    return {k: v for k, v in c.items() if v != 0}


def additive(id: str, total: Any, parts: Sequence[Any]) -> list[LinearRelation]:
    """Disjoint, exhaustive parts: ``total = sum(parts)`` (one equality)."""
    return [LinearRelation(id, "eq", _merge(total, parts, -1.0, 1.0), 0.0, id)]


def subset(id: str, total: Any, parts: Sequence[Any]) -> list[LinearRelation]:
    """Disjoint, not exhaustive: ``sum(parts) <= total``."""
    return [LinearRelation(id, "le", _merge(total, parts, -1.0, 1.0), 0.0, id)]


def overlap_subset(id: str, total: Any, parts: Sequence[Any]) -> list[LinearRelation]:
    """Overlapping, not exhaustive: each ``part <= total``."""
    return [
        LinearRelation(f"{id}#part<=total:{p}", "le", _merge(total, [p], -1.0, 1.0), 0.0, id)
        for p in parts
        if p != total
    ]


def multilabel(
    id: str, total: Any, parts: Sequence[Any], max_labels: int | None = None
) -> list[LinearRelation]:
    """Overlapping, exhaustive (one person, several labels):
    each ``part <= total <= sum(parts)``, and ``sum(parts) <= max_labels * total``
    when at most ``max_labels`` labels per person are possible."""
    rels = overlap_subset(id, total, parts)
    rels.append(LinearRelation(f"{id}#total<=sum", "le", _merge(total, parts, 1.0, -1.0), 0.0, id))
    if max_labels is not None:
        rels.append(
            LinearRelation(
                f"{id}#sum<=m*total", "le", _merge(total, parts, -float(max_labels), 1.0), 0.0, id
            )
        )
    return rels


def identity(id: str, cells: Sequence[Any]) -> list[LinearRelation]:
    """The same figure in several places: all cells equal (chain of equalities)."""
    if len(cells) < 2:
        raise SDCError(f"identity {id!r} needs at least two cells")
    return [
        LinearRelation(f"{id}#{i}", "eq", {cells[0]: 1.0, c: -1.0}, 0.0, id)
        for i, c in enumerate(cells[1:], 1)
        if c != cells[0]
    ]


def share_rows(
    rtype: str,
    percent: float,
    decimals: int,
    numerator: Sequence[_K],
    denominator: Sequence[_K],
) -> list[tuple[dict[_K, float], float]]:
    """The two linear inequalities of a ``share`` or ``change`` relation, each
    ``(coefficients, rhs)`` meaning ``sum(coefficients[x] * y_x) <= rhs``.

    Args:
        rtype: ``share`` (the figure is ``100 * N / D`` rounded) or ``change`` (the figure is
            ``100 * (N - D) / D`` rounded: N the new count, D the old one).
        percent: the printed percentage ``p`` (signed for a change: a decrease is negative).
        decimals: decimals printed (0: a whole percent); ``p * 10**decimals`` must be an integer.
        numerator, denominator: variable ids (any hashable: ids, cell references); N and D
            are their sums. An id may appear in both (a share of a part in a sum that includes
            it): the coefficients add up.

    Returns:
        ``[(lower_row, 0.0), (upper_row, -1.0)]``.

    A printed p with ``d`` decimals is taken as rounded **half up** (towards +inf: the true
    value x = 100 N / D, or 100 (N - D) / D, lies in ``[p - h, p + h)`` with h = 0.5 * 10**-d);
    the report does not say how it rounds. With ``k = 10**d`` and ``P = p + 100`` for a change
    (``p`` for a share), multiplying by ``2 k D`` (D > 0) gives

        (2 k P - 1) * D - 200 k * N <= 0          (lower side, closed)
        200 k * N - (2 k P + 1) * D <= -1         (upper side: strict, and every term is an
                                                   integer for counts N, D, so ``< 0`` is
                                                   ``<= -1``)

    linear in the counts. D = 0 makes the upper row fail (a percentage of nothing). The ``-1``
    is exact for integer counts and a valid cut for the LP relaxation of the audit.
    """
    k = 10**decimals
    q = round(2 * k * (percent + (100 if rtype == "change" else 0)))
    c = float(200 * k)
    lower: dict[_K, float] = {}
    upper: dict[_K, float] = {}
    for x in numerator:
        lower[x] = lower.get(x, 0.0) - c
        upper[x] = upper.get(x, 0.0) + c
    for x in denominator:
        lower[x] = lower.get(x, 0.0) + (q - 1)
        upper[x] = upper.get(x, 0.0) - (q + 1)
    return [
        ({x: v for x, v in lower.items() if v != 0}, 0.0),
        ({x: v for x, v in upper.items() if v != 0}, -1.0),
    ]


def share(
    id: str,
    type: str,
    percent: float,
    decimals: int,
    numerator: Sequence[Any],
    denominator: Sequence[Any],
) -> list[LinearRelation]:
    """A ``share`` or ``change`` relation as its two ``le`` rows (:func:`share_rows`), with
    ids ``<id>#lower`` and ``<id>#upper``. The coefficients are integers (exact in floating
    point); an LP may scale them (the audit divides by ``200 * 10**decimals``)."""
    if type not in SHARE_TYPES:
        raise SDCError(f"relation {id!r}: {type!r} is not a share type")
    return [
        LinearRelation(f"{id}#{side}", "le", coeffs, rhs, id)
        for side, (coeffs, rhs) in zip(
            ("lower", "upper"),
            share_rows(type, percent, decimals, numerator, denominator),
            strict=True,
        )
    ]


def relation(
    type: str,
    id: str,
    *,
    total: Any | None = None,
    parts: Sequence[Any] = (),
    cells: Sequence[Any] = (),
    max_labels: int | None = None,
    percent: float | None = None,
    decimals: int = 0,
    numerator: Sequence[Any] = (),
    denominator: Sequence[Any] = (),
) -> list[LinearRelation]:
    """Linear rows of a high-level relation of ``docs/metadata-format.md`` (any type).

    Args:
        type: one of :data:`RELATION_TYPES`.
        total, parts: for ``additive``, ``multilabel``, ``subset``, ``overlap_subset``;
            ``cells``: for ``identity``; ``percent``, ``decimals``, ``numerator``,
            ``denominator``: for ``share`` and ``change``.

    Raises:
        SDCError: unknown type, a missing total or percentage, an identity of fewer than two
            cells.
    """
    if type == "identity":
        return identity(id, list(cells))
    if type in SHARE_TYPES:
        if percent is None or not numerator or not denominator:
            raise SDCError(f"relation {id!r} of type {type!r} needs a percent and two sums")
        return share(id, type, percent, decimals, list(numerator), list(denominator))
    if total is None:
        raise SDCError(f"relation {id!r} of type {type!r} needs a total")
    if type == "multilabel":
        return multilabel(id, total, list(parts), max_labels)
    builders = {"additive": additive, "subset": subset, "overlap_subset": overlap_subset}
    if type not in builders:
        raise SDCError(f"relation {id!r}: unknown type {type!r}")
    return builders[type](id, total, list(parts))


# --------------------------------------------------------------------------------------------
# Interval reasoning on the rows (the consistency check's fast pass; sound, not complete)
# --------------------------------------------------------------------------------------------


def _le_rows(rel: LinearRelation) -> list[tuple[Mapping[Any, float], float]]:
    """``rel`` as ``<=`` rows: an equality is two."""
    if rel.kind == "le":
        return [(rel.coeffs, rel.rhs)]
    return [(rel.coeffs, rel.rhs), ({x: -a for x, a in rel.coeffs.items()}, -rel.rhs)]


def _row_min(
    coeffs: Mapping[Any, float], values: Mapping[Any, Interval], skip: Any = None
) -> float:
    """The least value of ``sum(coeffs[x] * y_x)`` over the intervals (may be -inf), without
    the variable ``skip``."""
    total = 0.0
    for x, a in coeffs.items():
        if x == skip and skip is not None:
            continue
        lo, up = values[x]
        b = lo if a > 0 else up
        if math.isinf(b):
            return -INF
        total += a * b
    return total


def holds(rel: LinearRelation, values: Mapping[Any, Interval], tol: float = TOL) -> bool:
    """Can the row hold for some values within the intervals (each variable independently)?"""
    return all(_row_min(c, values) <= rhs + tol for c, rhs in _le_rows(rel))


def implied_bounds(
    rel: LinearRelation, values: Mapping[Any, Interval]
) -> list[tuple[Any, Interval]]:
    """The bounds the row implies for each of its variables given the others' intervals
    (bounds propagation of one linear row; an equality in both directions). Not intersected
    with ``values``; a side the row does not bound is ``-inf``/``inf``."""
    out: list[tuple[Any, Interval]] = []
    for coeffs, rhs in _le_rows(rel):
        for x, a in coeffs.items():
            rest = _row_min(coeffs, values, skip=x)
            if math.isinf(rest):
                continue
            bound = (rhs - rest) / a
            out.append((x, (-INF, bound) if a > 0 else (bound, INF)))
    return out


def propagate(
    relations: Sequence[LinearRelation],
    values: Mapping[Any, Interval],
    *,
    max_rounds: int = 200,
) -> tuple[dict[Any, Interval], set[str]]:
    """Narrow every interval to what ``relations`` imply, to a fixpoint (bounds propagation).

    The rows of one source (a high-level relation) are applied together: the bounds they imply
    are computed from the intervals as they stand, then intersected in. A bound that would
    empty an interval is not applied and the row's ``source`` is recorded as a conflict (the
    relation then fails :func:`holds` on the result).

    Returns:
        The narrowed intervals (every variable of ``values``) and the sources in conflict.
    """
    out = dict(values)
    conflicts: set[str] = set()
    by_source: dict[str, list[LinearRelation]] = {}
    for rel in relations:
        by_source.setdefault(rel.source, []).append(rel)
    groups = list(by_source.items())
    of_var: dict[Any, list[int]] = {}
    for g, (_source, rows) in enumerate(groups):
        for x in dict.fromkeys(x for rel in rows for x in rel.coeffs):
            of_var.setdefault(x, []).append(g)
    # a group whose variables did not change since it was last applied would imply the same
    # bounds again (no change, the same conflicts): only the others are applied, in order
    dirty = set(range(len(groups)))
    for _ in range(max_rounds):
        changed = False
        for g, (source, rows) in enumerate(groups):
            if g not in dirty:
                continue
            dirty.discard(g)
            pairs = [p for rel in rows for p in implied_bounds(rel, out)]
            for x, (ilo, iup) in pairs:
                lo0, up0 = out[x]
                lo, up = max(lo0, ilo), min(up0, iup)
                if lo > up:
                    conflicts.add(source)
                    continue
                if (lo, up) != (lo0, up0):
                    out[x] = (lo, up)
                    changed = True
                    dirty.update(of_var[x])
        if not changed:
            break
    return out, conflicts


def variables(relations: Iterable[LinearRelation]) -> list[Any]:
    """The variables of ``relations``, in order of first appearance."""
    return list(dict.fromkeys(x for rel in relations for x in rel.coeffs))
