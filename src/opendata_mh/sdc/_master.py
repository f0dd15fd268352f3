"""Exact secondary suppression: a MIP master problem with attacker cuts.

Internal module of :func:`opendata_mh.sdc.suppress.suppress` (``method="mip"``).
HiGHS is reached through :mod:`._lp` (``_lp.highspy``, ``_lp._new_highs``), the
subpackage's one home of ``highspy``.

Model (Fischetti & Salazar-González 2001, "Solving the cell suppression problem
on tabular data with linear constraints", Management Science 47(7); TAU-MAN
§2.11 OPT). One binary x_j per candidate cell (1 = secondary suppression),

    min  sum_j w_j x_j
    s.t. attacker cuts  sum_j alpha_j x_j >= beta,   x in {0, 1}.

Attacker sub-problem of a primary k and a side, for a pattern x: the deviations
d = y - a of a table y consistent with every relation (``A d = 0`` for
equalities, ``A d <= slack`` for ``le`` rows), with the informed attacker's bounds
(``<n`` cells in [1 - a, n-1 - a], suppressed secondaries and upgraded cells in
[L - a, inf), published cells at 0). The side is protected iff
``max (+/-) d_k >= need`` (need = n-1-a_k upwards, a_k-1 downwards, n-a_k for an
upgraded cell). For ``min c.d`` (c = -e_k up, +e_k down) and *any* row
multipliers y, with z = c - A^T y, weak duality gives

    min c.d >= sum_r [y_r>0: y_r rlo_r; y_r<0: y_r rhi_r]
               + sum_j [z_j>0: z_j lo_j(x); z_j<0: z_j hi_j(x)],

and lo_j(x) = -(a_j - L) x_j, hi_j(x) = +inf * x_j for a candidate. A pattern
protecting the side has -min c.d >= need, hence the cut

    sum_cand alpha_j x_j >= need + F,   alpha_j = z_j (a_j - L) if z_j > 0,
                                         alpha_j = +inf if z_j < 0,

with F the finite part of the bound for the non-candidate cells; alpha_j is then
capped at the right-hand side (valid for binaries). The cut is valid for every
safe pattern whatever y is (weak duality), so the master's optimum is a lower
bound on the cost of any safe pattern; y = the optimal row duals of the
sub-problem at the master's current x makes the cut violated by that x (strong
duality). Initial cuts use one relation at a time (y = a unit vector scaled so
that z_k = 0): "each relation of k must leave k room to move".

Loop: solve the master (1 % gap until a pattern passes, then exact), audit
its pattern with the caller's exact check, add one cut per violated side, repeat
until the pattern passes the audit (then it is optimal if the master was solved
to optimality) or the time limit is hit (the best safe pattern is kept). The
final full audit of :func:`suppress` remains the proof of safety; this module
only proposes patterns.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import _lp
from .audit import LinearRelation

INF = math.inf


@dataclass
class MasterResult:
    """Best safe pattern found: ``secondary`` (bool mask over all cells), its cost,
    ``optimal`` (proven optimal under the LP attacker), ``lower_bound`` (master's
    best bound: no safe pattern is cheaper), and counters."""

    secondary: np.ndarray
    cost: float
    optimal: bool
    lower_bound: float
    rounds: int
    cuts: int
    cut_lps: int
    seconds: float
    repairs: int = 0
    repaired_best: int = 0


class _Attacker:
    """The deviation LP over all cells (columns d_i, one row per relation)."""

    def __init__(
        self, ids: Sequence[str], vals: np.ndarray, relations: Sequence[LinearRelation]
    ) -> None:
        n = len(ids)
        pos = {c: i for i, c in enumerate(ids)}
        rows: list[tuple[np.ndarray, np.ndarray]] = []
        rlo: list[float] = []
        rhi: list[float] = []
        for rel in relations:
            ci = np.array([pos[c] for c in rel.coeffs], dtype=np.int32)
            cv = np.array(list(rel.coeffs.values()), dtype=float)
            rows.append((ci, cv))
            if rel.kind == "eq":
                rlo.append(0.0)
                rhi.append(0.0)
            else:
                rlo.append(-INF)
                rhi.append(max(rel.rhs - float(np.dot(cv, vals[ci])), 0.0))
        self.n = n
        self.rows = rows
        self.rlo = np.array(rlo)
        self.rhi = np.array(rhi)
        # rows containing each cell, with the coefficient
        self.cell_rows: list[list[tuple[int, float]]] = [[] for _ in range(n)]
        for r, (ci, cv) in enumerate(rows):
            for j, a in zip(ci, cv, strict=True):
                self.cell_rows[int(j)].append((r, float(a)))
        self._where = np.full(n, -1, dtype=np.int64)
        self._ridx = np.zeros(0, dtype=np.int64)
        self._sub: _lp.Component | None = None

    def restrict(self, lo: np.ndarray, hi: np.ndarray) -> None:
        """Set the attacker's bounds; the LP keeps only the non-fixed columns
        (published cells are 0 and drop out), rows without them are dropped."""
        keep = np.flatnonzero((lo != 0) | (hi != 0))
        where = np.full(self.n, -1, dtype=np.int64)
        where[keep] = np.arange(len(keep))
        rows = []
        ridx = []
        for r, (ci, cv) in enumerate(self.rows):
            m = where[ci] >= 0
            if m.any():
                rows.append((where[ci[m]].astype(np.int32), cv[m]))
                ridx.append(r)
        self._where = where
        self._ridx = np.array(ridx, dtype=np.int64)
        self._sub = _lp.Component(
            lo=lo[keep], hi=hi[keep], rows=rows, rlo=self.rlo[ridx], rhi=self.rhi[ridx]
        )

    def duals(self, k: int, side: int) -> tuple[float, np.ndarray] | None:
        """(max of +/-d_k, row multipliers y over all rows for ``min c.d``), None if
        unbounded; after :meth:`restrict`."""
        assert self._sub is not None
        st, obj, _, dual = self._sub.solve({int(self._where[k]): 1.0 if side == 0 else -1.0})
        if st != "optimal" or dual is None:
            return None
        y = np.zeros(len(self.rows))
        y[self._ridx] = dual
        return -obj, y

    def cut(
        self,
        k: int,
        side: int,
        y: np.ndarray,
        need: float,
        lo: np.ndarray,
        hi: np.ndarray,
        var: np.ndarray,
        sec_lo: float | np.ndarray,
        vals: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, float] | None:
        """The cut of row multipliers ``y`` (see module docstring) as (variable
        indices, coefficients, rhs); ``var[j]`` is the master column of cell j or
        -1 when cell j's bounds are fixed (``lo``/``hi``). None if trivial."""
        F = 0.0
        for r in np.flatnonzero(y):
            yr = float(y[r])
            b = self.rlo[r] if yr > 0 else self.rhi[r]
            if not math.isfinite(b):
                return None  # bound -inf: every pattern satisfies the cut
            F += yr * b
        z = np.zeros(self.n)
        z[k] = 1.0 if side == 0 else -1.0
        for r in np.flatnonzero(y):
            ci, cv = self.rows[r]
            np.subtract.at(z, ci, y[r] * cv)
        z[np.abs(z) < 1e-9] = 0.0
        fixed = var < 0
        zp = fixed & (z > 0)
        zm = fixed & (z < 0)
        if np.any(np.isinf(hi[zm])) or np.any(np.isinf(lo[zp])):
            return None
        F += float(np.dot(z[zp], lo[zp]) + np.dot(z[zm], hi[zm]))
        rhs = need + F
        if rhs <= 1e-6:
            return None
        free = np.flatnonzero(~fixed & (z != 0))
        sl = np.broadcast_to(np.asarray(sec_lo, dtype=float), vals.shape)
        coef = np.where(z[free] > 0, z[free] * (vals[free] - sl[free]), rhs)
        coef = np.minimum(coef, rhs)
        keep = coef > 1e-9
        if not keep.any():
            return np.zeros(0, dtype=np.int32), np.zeros(0), rhs
        return var[free[keep]].astype(np.int32), coef[keep], rhs


class _Master:
    """The MIP over the candidate binaries (HiGHS, single thread, seed 0)."""

    def __init__(self, w: np.ndarray) -> None:
        hs = getattr(_lp, "highspy")  # noqa: B009 - _lp is highspy's home module
        h = _lp._new_highs()
        h.setOptionValue("presolve", "on")
        h.setOptionValue("mip_rel_gap", 0.01)
        h.setOptionValue("mip_abs_gap", 1e-6)
        lp = hs.HighsLp()
        m = len(w)
        lp.num_col_ = m
        lp.num_row_ = 0
        lp.col_cost_ = np.asarray(w, dtype=float)
        lp.col_lower_ = np.zeros(m)
        lp.col_upper_ = np.ones(m)
        lp.a_matrix_.num_col_ = m
        lp.a_matrix_.num_row_ = 0
        lp.a_matrix_.start_ = np.zeros(m + 1, dtype=np.int32)
        lp.integrality_ = [hs.HighsVarType.kInteger] * m
        h.passModel(lp)
        self.h = h
        self.m = m
        self.rows = 0

    def add(self, idx: np.ndarray, coef: np.ndarray, rhs: float) -> None:
        self.h.addRow(rhs - 1e-6, _lp._hinf(INF), len(idx), idx, coef)
        self.rows += 1

    def exact(self) -> None:
        """From now on solve to optimality (the first rounds stop at a 1 % gap)."""
        self.h.setOptionValue("mip_rel_gap", 1e-9)
        self.gap = 1e-9

    gap = 0.01

    def solve(self, start: np.ndarray, time_limit: float) -> tuple[str, np.ndarray | None, float]:
        """(status, x or None, best bound); status ``optimal``, ``time_limit``,
        ``infeasible`` or ``other``."""
        hs = getattr(_lp, "highspy")  # noqa: B009 - _lp is highspy's home module
        h = self.h
        h.setOptionValue("time_limit", max(float(time_limit), 0.01))
        # no setSolution(start): with highspy 1.16 the solution read back after a
        # re-solve was then the start vector, not the reported optimum
        del start
        h.run()
        st = h.getModelStatus()
        info = h.getInfo()
        bound = float(getattr(info, "mip_dual_bound", -INF))
        x = None
        if int(getattr(info, "primal_solution_status", 0)) == 2:
            x = np.array(h.getSolution().col_value) > 0.5
        if st == hs.HighsModelStatus.kOptimal:
            return "optimal", x, bound
        if st == hs.HighsModelStatus.kInfeasible:
            return "infeasible", None, bound
        if st == hs.HighsModelStatus.kTimeLimit:
            return "time_limit", x, bound
        return "other", x, bound


def improve(
    *,
    vals: np.ndarray,
    relations: Sequence[LinearRelation],
    ids: Sequence[str],
    w: np.ndarray,
    cand: np.ndarray,
    fixed_supp: np.ndarray,
    small: np.ndarray,
    upg: np.ndarray,
    threshold: int,
    sec_lo: float | np.ndarray,
    floor: np.ndarray,
    incumbent: np.ndarray,
    known: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    zeros: np.ndarray | None = None,
    check: Callable[[np.ndarray], list[tuple[int, int]]],
    repair: Callable[[np.ndarray], np.ndarray | None] | None,
    time_limit: float,
    max_rounds: int = 500,
) -> MasterResult:
    """Search the cheapest safe set of secondaries (module docstring).

    Args:
        vals: true values, shape (n,).
        w: cost per cell, shape (n,), > 0.
        cand: cells that may become secondary (bool, shape (n,)).
        fixed_supp: cells suppressed whatever the master says (primaries, upgraded
            and initial secondaries).
        small: primaries printed ``<n`` ([1, n-1]); upg: upgraded primaries
            ([L, inf), need upper end >= n and lower end <= ``floor``).
        incumbent: a safe set of secondaries (bool mask), the fallback and the
            master's first incumbent.
        zeros: masked zeros (in ``fixed_supp``): [0, inf), need upper end >= 1.
        check: pattern (bool mask of all suppressed cells) -> violated (cell, side)
            pairs, side 0 lower, 1 upper; empty means safe.
        repair: unsafe pattern -> a safe set of secondaries (the heuristic's
            complement loop from that pattern, then pruning), or None; run on every master
            pattern that fails ``check`` once a quarter of ``time_limit`` has
            passed, so that a time-limited search still improves on the incumbent.
        time_limit: seconds for the whole search.

    Returns:
        :class:`MasterResult`; its ``secondary`` is safe (``check`` passed) and
        costs at most the incumbent.
    """
    t0 = time.perf_counter()
    n = len(vals)
    free = cand & ~fixed_supp
    cols = np.flatnonzero(free)
    var = np.full(n, -1, dtype=np.int64)
    var[cols] = np.arange(len(cols))
    best = incumbent.copy()
    best_cost = float(w[best].sum())
    att = _Attacker(ids, vals, relations)
    master = _Master(w[cols])
    res = MasterResult(best, best_cost, False, -INF, 0, 0, 0, 0.0)

    zs = np.zeros(n, dtype=bool) if zeros is None else zeros

    def need_of(k: int, side: int) -> float:
        if zs[k]:
            return float(1.0 - vals[k]) if side == 1 else 0.0
        if upg[k]:
            return float(threshold - vals[k]) if side == 1 else float(vals[k] - floor[k])
        return float(vals[k] - 1.0) if side == 0 else float(threshold - 1.0 - vals[k])

    def bounds(supp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sec = supp & ~small
        lo = np.where(small, 1.0 - vals, np.where(sec, sec_lo - vals, 0.0))
        hi = np.where(small, threshold - 1.0 - vals, np.where(sec, INF, 0.0))
        if known is not None:
            km, klo, khi = known
            lo = np.where(km, klo - vals, lo)
            hi = np.where(km, khi - vals, hi)
        lo = np.where(zs, -vals, lo)
        hi = np.where(zs, INF, hi)
        return lo, hi

    # initial cuts: one relation at a time, bounds of the non-candidate cells
    lo0, hi0 = bounds(fixed_supp)
    prim = small | upg | zs
    for k in (int(i) for i in np.flatnonzero(prim)):
        for side in (0, 1):
            need = need_of(k, side)
            if need <= 0:
                continue
            for r, a in att.cell_rows[k]:
                y = np.zeros(len(att.rows))
                y[r] = (1.0 if side == 0 else -1.0) / a
                c = att.cut(k, side, y, need, lo0, hi0, var, sec_lo, vals)
                if c is not None:
                    master.add(*c)
                    res.cuts += 1
    start = best[cols].astype(float)
    for _ in range(max_rounds):
        left = time_limit - (time.perf_counter() - t0)
        if left <= 0:
            break
        res.rounds += 1
        st, x, bound = master.solve(start, left)
        res.lower_bound = max(res.lower_bound, bound) if st != "infeasible" else res.lower_bound
        if x is None:
            break
        sec = np.zeros(n, dtype=bool)
        sec[cols] = x
        supp = fixed_supp | sec
        viol = check(supp)
        if not viol:
            cost = float(w[sec].sum())
            if cost < best_cost - 1e-9:
                best, best_cost = sec, cost
                start = best[cols].astype(float)
            if st == "optimal" and master.gap > 1e-9 and cost > bound + 1e-6:
                master.exact()  # safe but maybe not the cheapest: close the gap
                continue
            res.optimal = st == "optimal"
            break
        elapsed = time.perf_counter() - t0
        # a master that converges fast needs no repairs; one that does not gets a
        # repair per round from a quarter of the time limit on
        if repair is not None and 0.25 * time_limit <= elapsed < time_limit:
            fixed_sec = repair(supp)
            res.repairs += 1
            if fixed_sec is not None:
                cost = float(w[fixed_sec].sum())
                if cost < best_cost - 1e-9:
                    best, best_cost = fixed_sec, cost
                    res.repaired_best += 1
        lo, hi = bounds(supp)
        att.restrict(lo, hi)
        added = 0
        for k, side in viol:
            need = need_of(k, side)
            if need <= 0:
                continue
            d = att.duals(k, side)
            res.cut_lps += 1
            if d is None or d[0] >= need - 1e-6:
                continue
            c = att.cut(k, side, d[1], need, lo, hi, np.where(free, var, -1), sec_lo, vals)
            if c is None:
                continue
            idx, coef, rhs = c
            # only a cut that the master's pattern violates makes progress
            if float(coef[x[idx]].sum()) < rhs - 1e-6:
                master.add(idx, coef, rhs)
                added += 1
        res.cuts += added
        if added == 0:
            break
    res.secondary = best
    res.cost = best_cost
    res.seconds = time.perf_counter() - t0
    return res
