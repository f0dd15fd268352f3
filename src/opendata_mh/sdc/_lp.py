"""The attacker LP engine: one persistent HiGHS model per connected component.

Internal module; the public entry points are :func:`opendata_mh.sdc.audit.audit`
and :func:`opendata_mh.sdc.suppress.suppress`. This is the only place that
imports ``highspy`` (house style: one home module per third-party library).

Problem solved (per component, reduced to its non-fixed cells):

    lo_j <= y_j <= hi_j            a-priori bounds (hi_j may be +inf)
    rlo_r <= sum_j A_rj y_j <= rhi_r

For a set of targets j the engine finds ``min y_j`` and ``max y_j`` with as few
LP solves as it can:

1. **Outer bounds** by feasibility-based bound tightening (FBBT, one row at a
   time, a few passes). They are valid LP bounds: min y_j >= out_lo_j.
2. **Inner bounds** from a pool of feasible points (witnesses): every LP solution
   is a vertex; min y_j <= min over witnesses of y_j. A side is *resolved* when the
   witness reaches the outer bound. A few "batch" LPs whose objective pushes all
   unresolved variables at once towards their open sides fill the pool cheaply.
3. One LP per still-unresolved side, on the same model: only the objective
   changes, so HiGHS starts from the previous optimal basis (warm start, primal
   simplex, presolve off).

Explanations ("which relations pin it"): for a side whose optimum is strictly
inside the a-priori bound, the rows with a non-zero dual in the optimal basic
solution of that side's LP. A basic dual solution is a vertex of the dual
polyhedron, so its support is a minimal set of rows whose combination (with the
variable bounds) proves the bound: a Farkas-type certificate, not necessarily
the unique one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np

INF = math.inf
_TOL = 1e-7


def _new_highs() -> highspy.Highs:
    # The core binding, not the ``highspy.Highs`` wrapper: the wrapper installs
    # Python callbacks and prints a banner on stdout at construction (highspy
    # 1.16), which would corrupt a CLI's JSON output. Same methods otherwise.
    cls = getattr(getattr(highspy, "_core", None), "_Highs", highspy.Highs)
    h = cls()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("presolve", "off")
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    return h


def _hinf(x: float) -> float:
    return highspy.kHighsInf if x == INF else (-highspy.kHighsInf if x == -INF else float(x))


@dataclass
class Component:
    """A reduced LP: ``n`` columns, rows in CSR form (``start``, ``index``, ``value``).

    Attributes:
        lo, hi: a-priori column bounds, shape (n,), ``hi`` may hold ``inf``.
        rows: list of (col-index array, coefficient array) per row.
        rlo, rhi: row bounds, shape (m,).
        integer: pass integrality to HiGHS (MIP attacker).
    """

    lo: np.ndarray
    hi: np.ndarray
    rows: list[tuple[np.ndarray, np.ndarray]]
    rlo: np.ndarray
    rhi: np.ndarray
    integer: bool = False
    lp_count: int = 0
    _h: highspy.Highs | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return len(self.lo)

    # -- model ---------------------------------------------------------------
    def model(self) -> highspy.Highs:
        if self._h is not None:
            return self._h
        h = _new_highs()
        lp = highspy.HighsLp()
        lp.num_col_ = self.n
        lp.num_row_ = len(self.rows)
        lp.col_cost_ = np.zeros(self.n)
        lp.col_lower_ = np.array([_hinf(x) for x in self.lo])
        lp.col_upper_ = np.array([_hinf(x) for x in self.hi])
        lp.row_lower_ = np.array([_hinf(x) for x in self.rlo])
        lp.row_upper_ = np.array([_hinf(x) for x in self.rhi])
        starts = [0]
        idx: list[np.ndarray] = []
        val: list[np.ndarray] = []
        for ci, cv in self.rows:
            idx.append(ci)
            val.append(cv)
            starts.append(starts[-1] + len(ci))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_ = self.n
        lp.a_matrix_.num_row_ = len(self.rows)
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = (
            np.concatenate(idx).astype(np.int32) if idx else np.zeros(0, dtype=np.int32)
        )
        lp.a_matrix_.value_ = np.concatenate(val).astype(float) if val else np.zeros(0)
        if self.integer:
            lp.integrality_ = [highspy.HighsVarType.kInteger] * self.n
        h.passModel(lp)
        self._h = h
        return h

    def solve(
        self, cost: dict[int, float]
    ) -> tuple[str, float, np.ndarray | None, np.ndarray | None]:
        """Minimise ``sum cost[j] * y_j``. Returns (status, objective, x, row_dual);
        status is ``optimal``, ``infeasible`` or ``unbounded``."""
        h = self.model()
        idx = np.fromiter(cost.keys(), dtype=np.int32, count=len(cost))
        vals = np.fromiter(cost.values(), dtype=float, count=len(cost))
        if len(idx):
            h.changeColsCost(len(idx), idx, vals)
        h.run()
        self.lp_count += 1
        st = h.getModelStatus()
        if st == highspy.HighsModelStatus.kOptimal:
            sol = h.getSolution()
            x = np.array(sol.col_value)
            dual = None if self.integer else np.array(sol.row_dual)
            obj = float(np.dot(vals, x[idx])) if len(idx) else 0.0
        if len(idx):
            h.changeColsCost(len(idx), idx, np.zeros(len(idx)))
        if st == highspy.HighsModelStatus.kOptimal:
            return "optimal", obj, x, dual
        if st == highspy.HighsModelStatus.kInfeasible:
            return "infeasible", math.nan, None, None
        if st in (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return "unbounded", -INF, None, None
        raise RuntimeError(f"HiGHS returned {h.modelStatusToString(st)}")  # pragma: no cover

    def feasible(self) -> bool:
        return self.solve({})[0] == "optimal"

    def set_col_bounds(self, j: int, lo: float, hi: float) -> None:
        """Change one column's bounds in the model (``lo``/``hi`` keep the a-priori ones)."""
        self.model().changeColBounds(j, _hinf(lo), _hinf(hi))

    def set_row_active(self, r: int, active: bool) -> None:
        h = self.model()
        if active:
            h.changeRowBounds(r, _hinf(self.rlo[r]), _hinf(self.rhi[r]))
        else:
            h.changeRowBounds(r, -highspy.kHighsInf, highspy.kHighsInf)

    # -- bound tightening ----------------------------------------------------
    def fbbt(self, passes: int = 8) -> tuple[np.ndarray, np.ndarray]:
        """Outer bounds on every column implied row by row (valid for the LP)."""
        lo = self.lo.astype(float).copy()
        hi = self.hi.astype(float).copy()
        for _ in range(passes):
            changed = False
            for r, (ci, cv) in enumerate(self.rows):
                clo, chi = lo[ci], hi[ci]
                pos = cv > 0
                mn = np.where(pos, cv * clo, cv * chi)  # min contribution
                mx = np.where(pos, cv * chi, cv * clo)
                mn_inf = ~np.isfinite(mn)
                mx_inf = ~np.isfinite(mx)
                n_mn_inf = int(mn_inf.sum())
                n_mx_inf = int(mx_inf.sum())
                s_mn = float(mn[~mn_inf].sum())
                s_mx = float(mx[~mx_inf].sum())
                rhi, rlo = self.rhi[r], self.rlo[r]
                for k in range(len(ci)):
                    j, a = ci[k], cv[k]
                    # from sum <= rhi: a*y_j <= rhi - (min activity of others)
                    if rhi < INF:
                        if n_mn_inf == 0:
                            rest = s_mn - mn[k]
                        elif n_mn_inf == 1 and mn_inf[k]:
                            rest = s_mn
                        else:
                            rest = None
                        if rest is not None:
                            b = (rhi - rest) / a
                            if a > 0 and b < hi[j] - 1e-9:
                                hi[j] = b
                                changed = True
                            elif a < 0 and b > lo[j] + 1e-9:
                                lo[j] = b
                                changed = True
                    if rlo > -INF:
                        if n_mx_inf == 0:
                            rest = s_mx - mx[k]
                        elif n_mx_inf == 1 and mx_inf[k]:
                            rest = s_mx
                        else:
                            rest = None
                        if rest is not None:
                            b = (rlo - rest) / a
                            if a > 0 and b > lo[j] + 1e-9:
                                lo[j] = b
                                changed = True
                            elif a < 0 and b < hi[j] - 1e-9:
                                hi[j] = b
                                changed = True
            if not changed:
                break
        return lo, hi


@dataclass
class SideResult:
    """Interval found for the targets. ``lo``/``hi`` are exact LP (or MIP) optima
    where ``lo_done``/``hi_done``; ``lo_rows``/``hi_rows`` hold the rows of the
    certificate when an LP with duals was solved for that side."""

    lo: np.ndarray
    hi: np.ndarray
    lo_done: np.ndarray
    hi_done: np.ndarray
    lo_rows: dict[int, tuple[int, ...]]
    hi_rows: dict[int, tuple[int, ...]]


def intervals(
    comp: Component,
    targets: Sequence[int],
    *,
    explain: bool = True,
    stop_width: float | None = None,
    want_lo: np.ndarray | None = None,
    want_hi: np.ndarray | None = None,
) -> SideResult:
    """min and max of every target column (see module docstring).

    Args:
        comp: a feasible component.
        targets: column indices.
        explain: solve an LP (with duals) for every side that ends strictly inside
            its a-priori bound, to name the rows that pin it.
        stop_width: if given, a target is done as soon as witnesses show a width
            >= stop_width (its reported interval is then only the witness range).
        want_lo, want_hi: if given (shape (n,)), a side is done as soon as a witness
            reaches ``want_lo[j]`` (resp. ``want_hi[j]``); the side's reported bound is
            then the witness value, not the optimum. Used by secondary suppression
            to check protection levels with fewer LPs.
    """
    n = comp.n
    out_lo, out_hi = comp.fbbt()
    w_lo = np.full(n, INF)
    w_hi = np.full(n, -INF)
    tset = np.zeros(n, dtype=bool)
    tset[list(targets)] = True
    lo_rows: dict[int, tuple[int, ...]] = {}
    hi_rows: dict[int, tuple[int, ...]] = {}
    exact_lo = np.full(n, math.nan)
    exact_hi = np.full(n, math.nan)

    def add(x: np.ndarray) -> None:
        np.minimum(w_lo, x, out=w_lo)
        np.maximum(w_hi, x, out=w_hi)

    def lo_done() -> np.ndarray:
        d: np.ndarray = ~np.isnan(exact_lo) | (w_lo <= out_lo + _TOL)
        if want_lo is not None:
            d |= w_lo <= want_lo + _TOL
        if stop_width is not None:
            d |= (w_hi - w_lo) >= stop_width - _TOL
        return np.asarray(d, dtype=bool)

    def hi_done() -> np.ndarray:
        d: np.ndarray = ~np.isnan(exact_hi) | (w_hi >= out_hi - _TOL)
        if want_hi is not None:
            d |= w_hi >= want_hi - _TOL
        if stop_width is not None:
            d |= (w_hi - w_lo) >= stop_width - _TOL
        return np.asarray(d, dtype=bool)

    # a first point
    st, _, x, _ = comp.solve({})
    if st != "optimal" or x is None:
        raise RuntimeError("component is infeasible")  # caller checks feasibility first
    add(x)

    # batch rounds: push all open sides at once
    if not comp.integer:
        open_prev = None
        for rnd in range(12):
            ol = tset & ~lo_done()
            oh = tset & ~hi_done() & np.isfinite(out_hi)
            n_open = int(ol.sum() + oh.sum())
            if n_open == 0 or (
                open_prev is not None and open_prev - n_open < max(2, 0.02 * open_prev)
            ):
                break
            open_prev = n_open
            cost: dict[int, float] = {}
            both = ol & oh
            # alternate the direction of columns open on both sides
            for jn in np.flatnonzero(ol):
                cost[int(jn)] = 1.0
            for jn in np.flatnonzero(oh):
                if both[jn] and (rnd + int(jn)) % 2 == 0:
                    continue
                cost[int(jn)] = -1.0
            st, _, x, _ = comp.solve(cost)
            if st == "optimal" and x is not None:
                add(x)
            else:
                break

    # one LP per open side
    for jj in targets:
        j = int(jj)
        for side in (0, 1):
            done = lo_done()[j] if side == 0 else hi_done()[j]
            if done:
                continue
            st, obj, x, dual = comp.solve({j: 1.0 if side == 0 else -1.0})
            if st == "unbounded":
                if side == 0:
                    exact_lo[j] = -INF
                else:
                    exact_hi[j] = INF
                continue
            assert x is not None
            add(x)
            val = obj if side == 0 else -obj
            if side == 0:
                exact_lo[j] = val
            else:
                exact_hi[j] = val
            if explain and dual is not None:
                rows = tuple(int(r) for r in np.flatnonzero(np.abs(dual) > 1e-9))
                (lo_rows if side == 0 else hi_rows)[j] = rows

    lo = np.where(~np.isnan(exact_lo), exact_lo, np.where(w_lo <= out_lo + _TOL, out_lo, w_lo))
    hi = np.where(~np.isnan(exact_hi), exact_hi, np.where(w_hi >= out_hi - _TOL, out_hi, w_hi))
    lo_d = lo_done()
    hi_d = hi_done()

    # explanations for narrowed sides resolved without an LP
    if explain and not comp.integer:
        for jj in targets:
            j = int(jj)
            if lo[j] > comp.lo[j] + 1e-6 and j not in lo_rows and lo_d[j]:
                st, obj, x, dual = comp.solve({j: 1.0})
                if st == "optimal" and dual is not None:
                    lo_rows[j] = tuple(int(r) for r in np.flatnonzero(np.abs(dual) > 1e-9))
            if hi[j] < comp.hi[j] - 1e-6 and j not in hi_rows and hi_d[j]:
                st, obj, x, dual = comp.solve({j: -1.0})
                if st == "optimal" and dual is not None:
                    hi_rows[j] = tuple(int(r) for r in np.flatnonzero(np.abs(dual) > 1e-9))
    return SideResult(lo, hi, lo_d, hi_d, lo_rows, hi_rows)


def deletion_filter(comp: Component) -> list[int]:
    """Rows of an irreducible infeasible subsystem (IIS) of an infeasible component,
    with the column bounds kept as hard facts.

    Deletion filtering (Chinneck): drop each row in turn; if the rest is still
    infeasible the row stays dropped, otherwise it is necessary and is restored.
    The rows left form an IIS: infeasible, and feasible without any one of them.
    One LP per row.
    """
    keep: list[int] = []
    for r in range(len(comp.rows)):
        comp.set_row_active(r, False)
        if comp.feasible():
            comp.set_row_active(r, True)
            keep.append(r)
    for r in range(len(comp.rows)):
        comp.set_row_active(r, True)
    return keep
