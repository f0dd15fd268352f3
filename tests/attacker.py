"""An independent attacker for tests and benchmarks of the SDC engine.

Written apart from :mod:`opendata_mh.sdc` on purpose: it shares no code with the
engine (no HiGHS wrapper, no bound tightening, no component split, no relation
builders). It takes plain data (what each printed figure tells, linear equations
and inequalities over cell ids) and solves the attacker's integer programs with
``scipy.optimize.milp``, one minimisation and one maximisation per target cell.

Knowledge of one cell (:class:`Known`): an interval ``[lo, hi]`` (``hi`` may be
``inf``), or, with ``gap``, the non-convex set ``{0} U [lo, hi]`` (a symbol that
may hide a zero or a count >= lo), modelled with one binary per cell.

Table generators (:func:`table_2d`, :func:`table_nd`, :func:`hierarchical`,
:func:`multilabel_table`, :func:`linked_pair`, :func:`revision_pair`) return the
true values and the relations as plain tuples; ``engine_relations`` converts them
to the engine's :class:`~opendata_mh.sdc.LinearRelation` (a plain record).

:func:`printed_knowledge` reads a protected table the way a reader of the package
does: exact numbers, ``<n`` in [1, n-1], ``x`` in [1, inf) (the project's
convention: zeros are always shown), zeros fixed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

INF = math.inf
BIG = 1.0e6
"""Upper bound standing in for 'unbounded' (counts here stay far below it)."""

Rel = tuple[str, Mapping[str, float], str, float]
"""(id, coefficients, sense ``"=="`` or ``"<="``, right-hand side)."""


@dataclass(frozen=True)
class Known:
    """What the attacker knows of one cell a priori."""

    lo: float
    hi: float = INF
    gap: bool = False  # true set {0} U [lo, hi]

    @property
    def exact(self) -> bool:
        return self.lo == self.hi and not self.gap


def intervals(
    known: Mapping[str, Known],
    relations: Sequence[Rel],
    targets: Iterable[str],
    *,
    integer: bool = True,
) -> dict[str, tuple[float, float]]:
    """Feasibility interval of every target (``hi`` = inf when unbounded).

    Raises:
        ValueError: the knowledge and relations admit no table.
    """
    ids = list(known)
    pos = {c: i for i, c in enumerate(ids)}
    gaps = [c for c in ids if known[c].gap]
    nv = len(ids) + len(gaps)
    lo = np.zeros(nv)
    hi = np.zeros(nv)
    for c in ids:
        k = known[c]
        lo[pos[c]] = 0.0 if k.gap else k.lo
        hi[pos[c]] = min(k.hi, BIG)
    rows: list[np.ndarray] = []
    rlo: list[float] = []
    rhi: list[float] = []
    for _, coeffs, sense, rhs in relations:
        r = np.zeros(nv)
        for c, a in coeffs.items():
            r[pos[c]] += a
        rows.append(r)
        rlo.append(rhs if sense == "==" else -np.inf)
        rhi.append(rhs)
    for g, c in enumerate(gaps):
        b = len(ids) + g  # y_c <= BIG z, y_c >= lo z
        lo[b], hi[b] = 0.0, 1.0
        r1 = np.zeros(nv)
        r1[pos[c]], r1[b] = 1.0, -min(known[c].hi, BIG)
        r2 = np.zeros(nv)
        r2[pos[c]], r2[b] = 1.0, -known[c].lo
        rows += [r1, r2]
        rlo += [-np.inf, 0.0]
        rhi += [0.0, np.inf]
    cons = LinearConstraint(np.array(rows), rlo, rhi) if rows else None
    integrality = np.ones(nv) if integer else np.r_[np.zeros(len(ids)), np.ones(len(gaps))]
    out: dict[str, tuple[float, float]] = {}
    for t in targets:
        ends = []
        for sign in (1.0, -1.0):
            c = np.zeros(nv)
            c[pos[t]] = sign
            res = milp(
                c,
                constraints=cons,
                integrality=integrality,
                bounds=Bounds(lo, hi),
                options={"presolve": True},
            )
            if res.status == 2 or res.x is None:
                raise ValueError(f"no table fits the published figures ({res.message})")
            v = float(res.x[pos[t]])
            ends.append(round(v) if integer else v)
        a, b = ends
        out[t] = (a, INF if b >= BIG - 1 else b)
    return out


# -- reading a protected table ----------------------------------------------------------


def printed_knowledge(
    values: Mapping[str, int],
    printed: Mapping[str, str],
    *,
    threshold: int = 5,
    x_lower: int = 1,
) -> dict[str, Known]:
    """Knowledge from printed figures: numbers exact, ``<n`` [1, n-1], ``x`` [x_lower, inf)."""
    out = {}
    for c in values:
        p = printed.get(c, str(values[c]))
        if p == "x":
            out[c] = Known(x_lower)
        elif p.startswith("<"):
            out[c] = Known(1, threshold - 1)
        else:
            out[c] = Known(int(p), int(p))
    return out


def findings(
    values: Mapping[str, int],
    printed: Mapping[str, str],
    relations: Sequence[Rel],
    *,
    threshold: int = 5,
    sensitive: Iterable[str] | None = None,
) -> dict[str, list[str]]:
    """Cells a reader can narrow: ``exact`` and ``narrowed`` lists of sensitive cells
    (default: every cell printed ``<n``; a cell printed ``x`` whose true value is small
    is sensitive too: its interval must not be pinned, nor prove it is below n).

    ``narrowed`` for a ``<n`` cell: its interval is not [1, n-1]; for a small ``x``:
    its upper end is below n (the reader knows it is small)."""
    know = printed_knowledge(values, printed, threshold=threshold)
    if sensitive is None:
        sensitive = [
            c
            for c, p in printed.items()
            if p.startswith("<") or (p == "x" and values[c] < threshold)
        ]
    tgt = list(sensitive)
    iv = intervals(know, relations, tgt)
    out: dict[str, list[str]] = {"exact": [], "narrowed": [], "wrong": []}
    for c in tgt:
        a, b = iv[c]
        if not a <= values[c] <= b:
            out["wrong"].append(c)
        if a == b:
            out["exact"].append(c)
        elif (printed[c].startswith("<") and (a > 1 or b < threshold - 1)) or (
            printed[c] == "x" and b < threshold
        ):
            out["narrowed"].append(c)
    return out


# -- generators (plain relations, written here, not with the engine's builders) ---------


def _sum_rel(rid: str, total: str, parts: Sequence[str]) -> Rel:
    coeffs: dict[str, float] = {total: -1.0}
    for p in parts:
        coeffs[p] = coeffs.get(p, 0.0) + 1.0
    return (rid, coeffs, "==", 0.0)


def table_nd(
    inner: np.ndarray, prefix: str = "", dims: Sequence[str] | None = None
) -> tuple[dict[str, int], list[Rel]]:
    """An N-way table with every margin: each cell with a total ``T`` in dimension d
    equals the sum over d. Cell ids ``{prefix}i|j|...`` with ``T`` for a total."""
    a = np.asarray(inner, dtype=np.int64)
    nd = a.ndim
    axes = [[*map(str, range(s)), "T"] for s in a.shape]
    vals: dict[str, int] = {}
    for key in itertools.product(*axes):
        sl = tuple(slice(None) if k == "T" else int(k) for k in key)
        vals[prefix + "|".join(key)] = int(np.asarray(a[sl]).sum())
    rels: list[Rel] = []
    for key in itertools.product(*axes):
        for d in range(nd):
            if key[d] != "T":
                continue
            parts = [
                prefix + "|".join((*key[:d], str(i), *key[d + 1 :])) for i in range(a.shape[d])
            ]
            rels.append(_sum_rel(f"{prefix}sum{d}:{'|'.join(key)}", prefix + "|".join(key), parts))
    return vals, rels


def table_2d(inner: np.ndarray, prefix: str = "") -> tuple[dict[str, int], list[Rel]]:
    """Two-way table with all margins (:func:`table_nd` for 2-D)."""
    return table_nd(np.asarray(inner), prefix)


def hierarchical(
    leaves: np.ndarray, groups: Sequence[int], prefix: str = ""
) -> tuple[dict[str, int], list[Rel]]:
    """Rows in a hierarchy (Total -> groups -> leaves) x columns with a total.

    ``groups``: number of leaves per group (sum = number of rows of ``leaves``)."""
    a = np.asarray(leaves, dtype=np.int64)
    R, C = a.shape
    assert sum(groups) == R
    cols = [*map(str, range(C)), "T"]

    def col(v: np.ndarray, c: str) -> int:
        return int(v.sum()) if c == "T" else int(v[int(c)])

    vals: dict[str, int] = {}
    rels: list[Rel] = []
    start = 0
    gids = []
    for g, size in enumerate(groups):
        rows = [f"g{g}l{i}" for i in range(size)]
        block = a[start : start + size]
        for i, r in enumerate(rows):
            for c in cols:
                vals[f"{prefix}{r}|{c}"] = col(block[i], c)
            rels.append(
                _sum_rel(
                    f"{prefix}row:{r}", f"{prefix}{r}|T", [f"{prefix}{r}|{j}" for j in cols[:-1]]
                )
            )
        gid = f"g{g}"
        gids.append(gid)
        for c in cols:
            vals[f"{prefix}{gid}|{c}"] = col(block.sum(axis=0), c)
            rels.append(
                _sum_rel(
                    f"{prefix}grp:{gid}|{c}",
                    f"{prefix}{gid}|{c}",
                    [f"{prefix}{r}|{c}" for r in rows],
                )
            )
        start += size
    for c in cols:
        vals[f"{prefix}T|{c}"] = col(a.sum(axis=0), c)
        rels.append(
            _sum_rel(f"{prefix}tot:{c}", f"{prefix}T|{c}", [f"{prefix}{g}|{c}" for g in gids])
        )
    for g in ["T", *gids]:
        rels.append(
            _sum_rel(
                f"{prefix}rowsum:{g}", f"{prefix}{g}|T", [f"{prefix}{g}|{j}" for j in cols[:-1]]
            )
        )
    return vals, rels


def multilabel_table(
    rng: np.random.Generator, groups: int, labels: int, persons: int
) -> tuple[dict[str, int], list[Rel]]:
    """Persons with one or two labels, counted per group: per group a total of persons
    and one count per label (overlapping: part <= total <= sum of parts <= 2 total),
    plus label totals over the groups (additive) and the grand total (additive)."""
    g = rng.integers(0, groups, persons)
    first = rng.integers(0, labels, persons)
    second = np.where(rng.random(persons) < 0.3, rng.integers(0, labels, persons), first)
    vals: dict[str, int] = {}
    rels: list[Rel] = []
    for k in range(groups):
        sel = g == k
        vals[f"g{k}|T"] = int(sel.sum())
        parts = []
        for lab in range(labels):
            c = f"g{k}|l{lab}"
            vals[c] = int((sel & ((first == lab) | (second == lab))).sum())
            parts.append(c)
            rels.append((f"ml:{c}", {c: 1.0, f"g{k}|T": -1.0}, "<=", 0.0))
        rels.append((f"ml:g{k}|T<=sum", {f"g{k}|T": 1.0, **dict.fromkeys(parts, -1.0)}, "<=", 0.0))
        rels.append((f"ml:g{k}|sum<=2T", {f"g{k}|T": -2.0, **dict.fromkeys(parts, 1.0)}, "<=", 0.0))
    for lab in range(labels):
        vals[f"T|l{lab}"] = sum(vals[f"g{k}|l{lab}"] for k in range(groups))
        rels.append(_sum_rel(f"lab:{lab}", f"T|l{lab}", [f"g{k}|l{lab}" for k in range(groups)]))
    vals["T|T"] = persons
    rels.append(_sum_rel("total", "T|T", [f"g{k}|T" for k in range(groups)]))
    return vals, rels


def linked_pair(cube: np.ndarray) -> tuple[dict[str, int], list[Rel]]:
    """Two two-way tables from one 3-D array (year x form, year x region) that share
    their year totals (the same figure printed twice: one cell)."""
    a = np.asarray(cube, dtype=np.int64)
    v1, r1 = table_nd(a.sum(axis=2), "A:")
    v2, r2 = table_nd(a.sum(axis=1), "B:")
    vals = {**v1, **v2}
    rels = r1 + r2
    for y in [*map(str, range(a.shape[0])), "T"]:
        rels.append((f"same:{y}", {f"A:{y}|T": 1.0, f"B:{y}|T": -1.0}, "==", 0.0))
    return vals, rels


def revision_pair(
    old_inner: np.ndarray, new_inner: np.ndarray, monotone: bool = True
) -> tuple[dict[str, int], dict[str, int], list[Rel]]:
    """Two editions of one two-way table (``old:`` and ``new:`` cells) with the
    attacker's revision model: old <= new per cell when ``monotone``.

    Returns:
        (old values, new values, relations of both tables plus the revision rows)."""
    vo, ro = table_nd(np.asarray(old_inner), "old:")
    vn, rn = table_nd(np.asarray(new_inner), "new:")
    rels = ro + rn
    if monotone:
        for c in vo:
            rels.append((f"rev:{c}", {c: 1.0, "new:" + c[4:]: -1.0}, "<=", 0.0))
    return vo, vn, rels


def engine_relations(relations: Sequence[Rel]):  # type: ignore[no-untyped-def]
    """The same relations as the engine's records (``LinearRelation``: plain data)."""
    from opendata_mh.sdc import LinearRelation

    return [
        LinearRelation(rid, "eq" if s == "==" else "le", dict(co), float(rhs))
        for rid, co, s, rhs in relations
    ]


# -- random cases of every kind -----------------------------------------------------------

KINDS = ("2d", "3d", "hierarchical", "multilabel", "linked")


def _small_counts(rng: np.random.Generator, shape: tuple[int, ...], mean: float) -> np.ndarray:
    a = rng.poisson(mean, shape)
    mask = rng.random(shape) < 0.25
    a[mask] = rng.integers(0, 5, int(mask.sum()))
    return a


def random_case(kind: str, rng: np.random.Generator) -> tuple[dict[str, int], list[Rel]]:
    """A random table of ``kind`` (:data:`KINDS`) with at least one count in 1..4."""
    while True:
        vals, rels = _random_case(kind, rng)
        if any(1 <= v <= 4 for v in vals.values()):
            return vals, rels


def _random_case(kind: str, rng: np.random.Generator) -> tuple[dict[str, int], list[Rel]]:
    if kind == "2d":
        r, c = (int(x) for x in rng.integers(2, 6, 2))
        return table_2d(_small_counts(rng, (r, c), 8.0))
    if kind == "3d":
        shape = tuple(int(x) for x in rng.integers(2, 4, 3))
        return table_nd(_small_counts(rng, shape, 6.0))
    if kind == "hierarchical":
        groups = [int(x) for x in rng.integers(1, 4, int(rng.integers(2, 4)))]
        return hierarchical(_small_counts(rng, (sum(groups), int(rng.integers(2, 4))), 7.0), groups)
    if kind == "multilabel":
        return multilabel_table(
            rng, int(rng.integers(2, 5)), int(rng.integers(2, 4)), int(rng.integers(15, 60))
        )
    if kind == "linked":
        shape = (int(rng.integers(2, 4)), int(rng.integers(2, 4)), int(rng.integers(2, 4)))
        return linked_pair(_small_counts(rng, shape, 4.0))
    raise ValueError(f"unknown kind {kind!r}")


def protect_and_print(
    values: Mapping[str, int], relations: Sequence[Rel], **kw: object
) -> tuple[dict[str, str], object]:
    """Protect with the engine's defaults (the build's convention) and print the result:
    ``<5`` for primaries, ``x`` for secondaries and upgraded primaries."""
    from opendata_mh.sdc import suppress

    res = suppress(values, engine_relations(relations), cost="value", **kw)  # type: ignore[arg-type]
    printed = {c: ("<5" if p == "primary" else "x") for c, p in res.printed_suppressed().items()}
    return printed, res


def old_edition_cells(printed: Mapping[str, str], threshold: int = 5):  # type: ignore[no-untyped-def]
    """A published edition's printed figures as the engine's cells (plain records)."""
    from opendata_mh.sdc import Cell

    out = []
    for c, p in printed.items():
        if p == "x":
            out.append(Cell(c, 1, INF, "suppressed", "none"))
        elif p.startswith("<"):
            out.append(Cell(c, 1, threshold - 1, "suppressed", "apriori"))
        else:
            out.append(Cell.exact(c, int(p)))
    return out


def edition_relations(relations: Sequence[Rel]) -> tuple[list[Rel], list[Rel]]:
    """The relations of :func:`revision_pair`'s old table and of its new one (without the
    revision rows)."""
    return (
        [r for r in relations if r[0].startswith("old:")],
        [r for r in relations if r[0].startswith("new:")],
    )


def printed_alone(values: Mapping[str, int], relations: Sequence[Rel]) -> dict[str, str]:
    """Every cell as its edition prints it when protected alone (:func:`protect_and_print`):
    ``<5``, ``x`` or the count."""
    masks, _ = protect_and_print(values, relations)
    return {c: masks.get(c, str(v)) for c, v in values.items()}


def masked(printed: Mapping[str, str]) -> dict[str, str]:
    """The suppressed cells of ``printed`` (``<5`` and ``x``): what :func:`findings` reads."""
    return {c: p for c, p in printed.items() if p in ("x", "<5")}


def protect_jointly(
    old_values: Mapping[str, int],
    new_values: Mapping[str, int],
    relations: Sequence[Rel],
    old_printed: Mapping[str, str],
    **kw: object,
):  # type: ignore[no-untyped-def]
    """The new edition of :func:`revision_pair` protected jointly with the old one as printed
    (:func:`opendata_mh.sdc.protect_revision`); the engine's result."""
    from opendata_mh.sdc import protect_revision

    ro, rn = edition_relations(relations)
    return protect_revision(
        new_values,
        engine_relations(rn),
        old_edition_cells(old_printed),
        engine_relations(ro),
        [(c, "new:" + c[4:]) for c in old_values],
        **kw,
    )


def revision_case(
    old_inner: np.ndarray, new_inner: np.ndarray, *, joint: bool, compare: bool = False
) -> tuple[dict[str, list[str]], object]:
    """Protect the old edition alone, then the new one alone (``joint=False``) or jointly
    with the old one (``joint=True``, :func:`opendata_mh.sdc.protect_revision`); return the
    independent attacker's findings over both editions under the monotone model, and the
    engine's result of the new edition."""
    vo, vn, rels = revision_pair(old_inner, new_inner)
    ro, rn = edition_relations(rels)
    old_printed = printed_alone(vo, ro)
    if joint:
        res = protect_jointly(vo, vn, rels, old_printed, compare=compare)
        p_new = masked(res.printed(vn))  # type: ignore[attr-defined]
    else:
        p_new, res = protect_and_print(vn, rn)
    return findings({**vo, **vn}, {**masked(old_printed), **p_new}, rels), res
