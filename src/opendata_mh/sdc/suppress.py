"""Secondary cell suppression that holds against the *informed* attacker.

The attacker knows what the symbols say (sdc.md §2.3): a primary cell (``<n``)
lies in [1, n-1]; a cell printed with the secondary symbol lies in its
*a-priori interval* [L, inf), where L is

* 1 by default (``secondary_lower=1``), the convention of ``opendata-mh build``:
  the symbol means "not published; at least 1 (zeros are always shown)". A
  publisher that may print a small count with the secondary symbol (an
  *upgraded* primary, below) cannot let the symbol imply >= n, so the attacker's
  a-priori interval of every such cell is [1, inf);
* ``n`` with ``secondary_lower=n``: a publisher that never prints a small count
  with the symbol (nothing is upgradable then). A pattern safe for L = n stays
  safe for L = 1 only if it is read with L = n; the defaults are the build's.

Zeros are never masked: a symbol that may hide a zero or a count >= n stands for
the non-convex set {0} U [n, inf), and an integer attacker narrows ``<n`` cells
that its convex hull [0, inf) leaves alone (inner ``[[5, 6], [0, 2]]``). The
exceptions are ``masked_zeros`` and ``zero_candidates``: zeros printed with the
symbol in a table whose every symbol reads [0, inf) ({0} U [1, inf) is an
interval), the whole breakdown of a small group (group disclosure,
:mod:`opendata_mh.build`) and the zeros that may be suppressed to protect it. A
masked zero's requirement is that the upper end of its audit interval reaches 1
(the attacker cannot prove it is 0); every suppressed zero reads [0, inf). The
other cells are modelled as if the symbol read [L, inf): a pattern safe for that
stronger knowledge is safe for the weaker one (the attacker's feasible set only
grows).

Every other cell is published exactly. The tables are given as cells plus
linear relations (additive, hierarchical, linked, multi-label:
:mod:`opendata_mh.sdc.audit`).

Protection level per primary cell k with true value a_k:

* ``"apriori"`` (default, recommended in sdc.md §2.3): the audit interval must
  stay [1, n-1]: the publication says nothing beyond the symbol.
* ``"not_exact"``: the interval must not be a single value.
* an **upgraded** primary (one of ``upgradable``, printed with the secondary
  symbol instead of ``<n``): its a-priori interval is the symbol's [L, inf)
  (L <= 1 is required) and its protection level is two-sided: the attacker
  cannot prove it is a small count (the upper end of its audit interval must
  reach n, hence it is never exactly disclosed), and its lower end stays at its
  *floor*: the lowest value any pattern can leave it, min y_k when every
  non-zero cell is unknown (>= 1), the other primaries ``<n`` and k in [1, inf).
  The floor is 1 unless the published zeros and ``<n`` parts alone already prove
  more (a total of two non-zero parts is >= 2 whatever is masked), so the
  attacker never learns "4 or >= 5" where the zeros allow [1, ...].
  Example: T = 3 = 1 + 2, all three primary: with ``<5`` everywhere, T = p1 + p2
  gives T in [2, 4] and p1, p2 in [1, 3] (narrowed); with T upgraded to ``x``
  ([1, inf)) the parts stay [1, 4] and T's interval is [2, 8] (floor 2).

A primary cell is upgraded only when no pattern of secondary suppressions can
keep another primary's [1, n-1] (or its own): a small count that is the sum of
other small counts cannot be protected otherwise.

Algorithm (a Fischetti–Salazar-style cut loop with a network-flow complement
heuristic, in the spirit of τ-ARGUS NET/OPT, TAU-MAN §2.9–2.12):

1. S = primary cells (plus ``initial_secondary``).
2. Audit every primary under the informed attacker for the current pattern
   (:func:`opendata_mh.sdc._lp.intervals`, stopping a side as soon as a feasible
   point reaches the required value).
3. For every violated side (cell order, deterministic) solve the *complement
   LP*: find a perturbation d of the true table, consistent with all relations,
   that moves y_k to the required value while every suppressed cell stays inside
   its attacker bounds, minimising sum_i cost_i * |d_i| over published cells.
   All published cells with d_i != 0 become secondary. The perturbed table is
   then feasible for the new attacker problem, so this side is protected for good
   (enlarging S only enlarges the attacker's feasible set).
   If no such perturbation exists and ``upgradable`` is not empty: (a) solve it
   again letting every other not yet upgraded upgradable primary j exceed n-1 by
   an excess e_j >= 0 at cost cost_j * e_j (secondaries and upgrades compete on
   cost); every j with e_j > 0 is upgraded; (b) if that is infeasible too and
   k itself is upgradable, upgrade k (its requirement becomes the upgraded one).
4. Repeat 2–3 until no violation remains (the final audit is the proof).
5. Prune: try to print each upgraded cell as ``<n`` again (cell order), then to
   publish each secondary again, most expensive first, keeping each change when
   every primary is still protected.

6. ``method="mip"`` (default, protection ``"apriori"``): an exact master problem
   (:mod:`opendata_mh.sdc._master`, Fischetti–Salazar): min sum cost_j x_j over
   binaries of the candidate cells, with attacker cuts sum alpha_j x_j >= beta
   from the duals of the attacker LP of every violated side (valid for every
   safe pattern by weak duality), solved by HiGHS MIP, audited, cut again until
   the pattern passes the audit. After a quarter of ``time_limit`` every unsafe
   master pattern is also repaired by steps 3–5 (a safe pattern, kept if
   cheaper). The upgrades of step 3 are kept fixed. Within ``time_limit`` the
   result is the proven cheapest pattern
   under the LP attacker (``stats["mip_optimal"] == 1``); otherwise the cheapest
   safe pattern found, never dearer than the heuristic's
   (``stats["heuristic_cost"]``), with ``stats["mip_lower_bound"]`` a lower
   bound on any safe pattern's cost.

Zeros are never suppressed (but ``masked_zeros`` and ``zero_candidates``). The result is
deterministic (HiGHS single-threaded, seed 0, fixed order) as long as the
master finishes within ``time_limit`` (a time-limited run depends on the
machine's speed). ``method="heuristic"`` (steps 1–5 only) gives a safe,
locally minimal pattern, not a proven optimum. On the 100x100 bench tables of
``scripts/bench_sdc.py`` at 5 % primaries the MIP proves the optimum in
about 1–3 s after the heuristic; at 1 % it stops at the time limit.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from . import _lp, _master
from .audit import (
    AuditReport,
    Cell,
    Compiled,
    LinearRelation,
    _compile,
    _reduce_arrays,
    _Reduced,
    audit,
)
from .rules import CONF_STATUS, CellStatus, SDCError, is_primary

__all__ = ["SuppressionResult", "published_cells", "suppress"]

INF = math.inf


@dataclass(frozen=True)
class SuppressionResult:
    """Outcome of :func:`suppress`.

    Attributes:
        status: cell id -> :class:`CellStatus`, in input order. An upgraded primary
            keeps ``PRIMARY`` (SDMX CONF_STATUS ``A``: its own value is small).
        primary, secondary: the suppressed cell ids, in input order (``primary``
            includes the upgraded ones).
        cost: total cost of the secondary cells.
        suppressed_value: sum of the true values of the secondary cells.
        audit: the final audit of the published pattern (all masked cells; upgraded
            cells with their a-priori interval [L, inf)).
        upgraded: the primary cells printed with the secondary symbol instead of
            ``<n`` (a subset of ``primary``, input order; empty unless ``upgradable``).
        stats: rounds, complement LPs, audits, pruned cells, upgrades,
            ``heuristic_cost``; with the MIP ``mip_optimal`` (1.0/0.0),
            ``mip_lower_bound``, ``mip_rounds``, ``mip_cuts``, ``mip_cut_lps``,
            ``mip_seconds``, ``mip_repaired_best``.
    """

    status: Mapping[str, CellStatus]
    primary: tuple[str, ...]
    secondary: tuple[str, ...]
    cost: float
    suppressed_value: int
    audit: AuditReport
    stats: Mapping[str, float] = field(default_factory=dict)
    upgraded: tuple[str, ...] = ()

    def conf_status(self) -> dict[str, str]:
        """SDMX CONF_STATUS per cell: F published, A primary (also when upgraded),
        D secondary. Internal record of the publisher: publishing ``A`` next to a
        secondary symbol would tell the attacker that the cell is 1..n-1."""
        return {k: CONF_STATUS[v] for k, v in self.status.items()}

    def printed_suppressed(self) -> dict[str, Literal["primary", "secondary"]]:
        """How each suppressed cell is printed: ``primary`` (``<n``) or ``secondary``
        (the secondary symbol: secondary suppressions and upgraded primaries)."""
        up = set(self.upgraded)
        out: dict[str, Literal["primary", "secondary"]] = {}
        for c, st in self.status.items():
            if st == CellStatus.PRIMARY:
                out[c] = "secondary" if c in up else "primary"
            elif st == CellStatus.SECONDARY:
                out[c] = "secondary"
        return out


def _secondary_lower(threshold: int, secondary_lower: int) -> float:
    """A-priori lower bound of a cell printed with the secondary symbol."""
    if isinstance(secondary_lower, bool) or not isinstance(secondary_lower, int):
        raise SDCError(f"secondary_lower must be an int, got {secondary_lower!r}")
    if not 1 <= secondary_lower <= threshold:
        raise SDCError(f"secondary_lower must be in 1..{threshold}, got {secondary_lower}")
    return float(secondary_lower)


def published_cells(
    values: Mapping[str, int],
    suppressed: Mapping[str, CellStatus] | Iterable[str],
    *,
    threshold: int = 5,
    protection: Literal["none", "not_exact", "apriori"] = "apriori",
    secondary_lower: int = 1,
    upgraded: Iterable[str] = (),
) -> list[Cell]:
    """The attacker's view of a protected table (sdc.md §2.3).

    Args:
        values: cell id -> true count.
        suppressed: cell id -> status (primary/secondary), or an iterable of
            suppressed cell ids (a value 1..n-1 is primary, others secondary).
        protection: the requirement put on primary cells.
        secondary_lower: a-priori lower bound L of the secondary symbol (default 1:
            "not published; at least 1"; see the module docstring).
        upgraded: primary cells printed with the secondary symbol.

    Returns:
        One :class:`Cell` per cell: exact for published ones, [1, n-1] for
        primaries, [L, inf) for secondaries and upgraded primaries (protection
        ``not_exact``; :func:`suppress` also checks that their upper end reaches n).

    Raises:
        SDCError: inconsistent ``secondary_lower`` (see :func:`suppress`).
    """
    if isinstance(suppressed, Mapping):
        st = dict(suppressed)
    else:
        st = {
            c: (CellStatus.PRIMARY if is_primary(values[c], threshold) else CellStatus.SECONDARY)
            for c in suppressed
        }
    up = set(upgraded)
    out = []
    sec_lo = _secondary_lower(threshold, secondary_lower)
    for cid, v in values.items():
        s = st.get(cid)
        if s == CellStatus.PRIMARY and cid in up:
            out.append(Cell(cid, sec_lo, INF, "suppressed", "not_exact"))
        elif s == CellStatus.PRIMARY:
            out.append(Cell(cid, 1, threshold - 1, "suppressed", protection))
        elif s == CellStatus.SECONDARY:
            out.append(Cell(cid, sec_lo, INF, "suppressed", "none"))
        else:
            out.append(Cell.exact(cid, v))
    return out


def _costs(values: Mapping[str, int], cost: str | Mapping[str, float]) -> dict[str, float]:
    if cost == "unit":
        return dict.fromkeys(values, 1.0)
    if cost == "value":
        return {c: float(max(v, 1)) for c, v in values.items()}
    if isinstance(cost, Mapping):
        missing = [c for c in values if c not in cost]
        if missing:
            raise SDCError(f"no cost given for cells {missing[:5]}")
        return {c: float(cost[c]) for c in values}
    raise SDCError(f"cost must be 'unit', 'value' or a mapping, got {cost!r}")


class _Complement:
    """The complement LP over all cells: deviation variables p_i, m_i >= 0 and the
    excess e_i >= 0 of an upgradable primary above n-1 (d_i = p_i + e_i - m_i)."""

    def __init__(
        self,
        ids: Sequence[str],
        vals: np.ndarray,
        relations: Sequence[LinearRelation],
        w: np.ndarray,
    ) -> None:
        n = len(ids)
        pos = {c: i for i, c in enumerate(ids)}
        rows = []
        rlo = []
        rhi = []
        for rel in relations:
            ci = np.array([pos[c] for c in rel.coeffs], dtype=np.int32)
            cv = np.array(list(rel.coeffs.values()), dtype=float)
            slack = rel.rhs - float(np.dot(cv, vals[ci]))
            # columns: p_i at i, m_i at n + i, e_i at 2n + i
            rows.append((np.concatenate([ci, ci + n, ci + 2 * n]), np.concatenate([cv, -cv, cv])))
            if rel.kind == "eq":
                rlo.append(0.0)
                rhi.append(0.0)
            else:
                rlo.append(-INF)
                rhi.append(slack)
        self.n = n
        self.w = w
        self.comp = _lp.Component(
            lo=np.zeros(3 * n),
            hi=np.zeros(3 * n),
            rows=rows,
            rlo=np.array(rlo),
            rhi=np.array(rhi),
        )
        h = self.comp.model()
        self.h = h

    def set_bounds(
        self,
        p_hi: np.ndarray,
        m_hi: np.ndarray,
        p_lo: np.ndarray,
        m_lo: np.ndarray,
        e_hi: np.ndarray | None = None,
    ) -> None:
        n = self.n
        idx = np.arange(3 * n, dtype=np.int32)
        e_hi = np.zeros(n) if e_hi is None else e_hi
        lo = np.concatenate([p_lo, m_lo, np.zeros(n)])
        hi = np.concatenate([p_hi, m_hi, e_hi])
        hi = np.where(np.isinf(hi), _lp._hinf(INF), hi)
        self.h.changeColsBounds(3 * n, idx, lo, hi)

    def solve(
        self, cost_mask: np.ndarray, excess_mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Minimise sum w_i (p_i + m_i) over cells with cost_mask plus sum w_j e_j
        over cells with excess_mask; returns (|d| without excess, excess)."""
        c = np.where(cost_mask, self.w, 0.0)
        cost = {}
        for i in np.flatnonzero(c):
            cost[int(i)] = float(c[i])
            cost[int(i) + self.n] = float(c[i])
        if excess_mask is not None:
            for i in np.flatnonzero(excess_mask):
                cost[int(i) + 2 * self.n] = float(self.w[i])
        st, _, x, _ = self.comp.solve(cost)
        if st != "optimal" or x is None:
            return None
        n = self.n
        dev: np.ndarray = np.abs(x[:n]) + np.abs(x[n : 2 * n])
        exc: np.ndarray = np.abs(x[2 * n :])
        return dev, exc


class _Floors:
    """The floor of an upgraded primary k: the lowest lower end any pattern can leave
    it, min y_k when every candidate and suppressed cell is unknown (>= 1; zeros stay 0),
    the other primaries printed ``<n`` ([1, n-1]), k itself in [1, inf) and every other
    cell as published (exact, or its known interval). Suppressing every candidate reaches
    it, so it is a requirement a pattern can always meet. Computed lazily (one LP per
    upgraded cell)."""

    def __init__(
        self,
        vals: np.ndarray,
        rels: Compiled,
        prim: np.ndarray,
        threshold: int,
        open_: np.ndarray | None = None,
        known: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ):
        self.vals = vals
        self.rels = rels
        self.prim = prim
        self.threshold = threshold
        self.open = np.ones(len(vals), dtype=bool) if open_ is None else open_
        self.known = known
        self.floor = np.ones(len(vals))
        self.done = np.zeros(len(vals), dtype=bool)
        self._red: _Reduced | None = None

    def ensure(self, cells: np.ndarray) -> np.ndarray:
        todo = cells & ~self.done
        if todo.any():
            if self._red is None:
                pos = self.vals > 0
                lower = np.where(pos, 1.0, 0.0)
                upper = np.where(pos, np.where(self.prim, self.threshold - 1.0, INF), 0.0)
                shut = ~self.open & ~self.prim  # never suppressed: as published
                lower = np.where(shut, self.vals, lower)
                upper = np.where(shut, self.vals, upper)
                if self.known is not None:
                    km, klo, khi = self.known
                    lower = np.where(km, klo, lower)
                    upper = np.where(km, khi, upper)
                self._red = _reduce_arrays(lower, upper, self.rels, integer=False, tol=1e-6)
            for comp, cols, _ in self._red.comps:
                for j, i in enumerate(cols):
                    if not todo[i]:
                        continue
                    comp.set_col_bounds(j, float(comp.lo[j]), INF)
                    st, obj, _, _ = comp.solve({j: 1.0})
                    comp.set_col_bounds(j, float(comp.lo[j]), float(comp.hi[j]))
                    if st == "optimal":
                        self.floor[i] = max(1.0, math.ceil(obj - 1e-6))
            self.done |= todo
        return self.floor


def _check(
    vals: np.ndarray,
    rels: Compiled,
    supp: np.ndarray,
    prim: np.ndarray,
    *,
    threshold: int,
    sec_lo: float | np.ndarray,
    protection: str,
    upg: np.ndarray | None = None,
    floor: np.ndarray | None = None,
    known: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    zeros: np.ndarray | None = None,
) -> tuple[list[tuple[int, int]], int]:
    """Violated (cell index, side) pairs of primary cells; side 0 = lower side
    not reaching its requirement, 1 = upper side. Also returns LPs used.

    ``upg``: upgraded primaries: a-priori [sec_lo, inf), requirement upper >= n and
    lower <= ``floor`` (:class:`_Floors`). ``zeros``: masked zeros: a-priori [0, inf),
    requirement upper >= 1."""
    if upg is None:
        upg = np.zeros(len(vals), dtype=bool)
    if zeros is None:
        zeros = np.zeros(len(vals), dtype=bool)
    if floor is None:
        floor = np.full(len(vals), -INF)
    small = prim & ~upg  # printed <n
    lower = np.where(small, 1.0, np.where(supp, sec_lo, vals))
    upper = np.where(small, threshold - 1.0, np.where(supp, INF, vals))
    if known is not None:  # published intervals (not protected, never suppressed)
        km, klo, khi = known
        lower = np.where(km, klo, lower)
        upper = np.where(km, khi, upper)
    lower = np.where(zeros, 0.0, lower)
    upper = np.where(zeros, INF, upper)
    red = _reduce_arrays(lower, upper, rels, integer=False, tol=1e-6)
    viol: list[tuple[int, int]] = []
    lps = 0
    for comp, cols, _ in red.comps:
        tgt = [j for j, i in enumerate(cols) if prim[i] or zeros[i]]
        if not tgt:
            continue
        cols_a = np.array(cols)
        a = vals[cols_a]
        sm = small[cols_a]
        up = upg[cols_a]
        fl = floor[cols_a]
        zs = zeros[cols_a]
        tz = [j for j in tgt if zs[j]]
        if tz:  # a masked zero: the attacker cannot prove it is 0
            res = _lp.intervals(
                comp,
                tz,
                explain=False,
                want_lo=np.full(len(cols), -INF),
                want_hi=np.where(zs, 1.0, INF),
            )
            viol += [(cols[j], 1) for j in tz if math.floor(res.hi[j] + 1e-6) < 1]
            tgt = [j for j in tgt if not zs[j]]
            if not tgt:
                lps += comp.lp_count
                continue
        if protection == "apriori":
            want_lo = np.where(sm, 1.0, np.where(up, fl, -INF))
            want_hi = np.where(sm, threshold - 1.0, np.where(up, float(threshold), INF))
            res = _lp.intervals(comp, tgt, explain=False, want_lo=want_lo, want_hi=want_hi)
            for j in tgt:
                if sm[j] and math.ceil(res.lo[j] - 1e-6) > 1:
                    viol.append((cols[j], 0))
                if sm[j] and math.floor(res.hi[j] + 1e-6) < threshold - 1:
                    viol.append((cols[j], 1))
                if up[j] and math.ceil(res.lo[j] - 1e-6) > fl[j]:
                    viol.append((cols[j], 0))
                if up[j] and math.floor(res.hi[j] + 1e-6) < threshold:
                    viol.append((cols[j], 1))
        else:
            tsm = [j for j in tgt if sm[j]]
            if tsm:
                res = _lp.intervals(comp, tsm, explain=False, stop_width=1.0)
                for j in tsm:
                    if math.floor(res.hi[j] + 1e-6) - math.ceil(res.lo[j] - 1e-6) < 1:
                        viol.append((cols[j], 1 if a[j] < threshold - 1 else 0))
            tup = [j for j in tgt if up[j]]
            if tup:
                want_hi = np.where(up, float(threshold), INF)
                want_lo = np.where(up, fl, -INF)
                res = _lp.intervals(comp, tup, explain=False, want_lo=want_lo, want_hi=want_hi)
                for j in tup:
                    if math.ceil(res.lo[j] - 1e-6) > fl[j]:
                        viol.append((cols[j], 0))
                    if math.floor(res.hi[j] + 1e-6) < threshold:
                        viol.append((cols[j], 1))
        lps += comp.lp_count
    # primaries not in any component are unconstrained: protected
    viol.sort()
    return viol, lps


def suppress(
    values: Mapping[str, int],
    relations: Sequence[LinearRelation],
    *,
    threshold: int = 5,
    primary: Iterable[str] | None = None,
    cost: str | Mapping[str, float] = "unit",
    protection: Literal["apriori", "not_exact"] = "apriori",
    candidates: Iterable[str] | None = None,
    initial_secondary: Iterable[str] = (),
    prune: bool = True,
    max_rounds: int = 50,
    secondary_lower: int = 1,
    upgradable: Collection[str] | None = None,
    forced_upgrades: Iterable[str] = (),
    known: Mapping[str, tuple[float, float]] | None = None,
    method: Literal["mip", "heuristic"] = "mip",
    time_limit: float = 40.0,
    masked_zeros: Iterable[str] = (),
    zero_candidates: Iterable[str] = (),
) -> SuppressionResult:
    """Choose secondary suppressions so that every primary cell is protected
    under the full audit with the informed attacker (module docstring).

    Args:
        values: cell id -> true count (non-negative int), every cell of every
            table (totals included); the relations must hold for these values.
        relations: linear relations (:mod:`opendata_mh.sdc.audit` builders).
        threshold: n; counts 1..n-1 are primary (unless ``primary`` is given).
        primary: explicit primary cells (default: the threshold rule).
        cost: ``"unit"`` (number of cells), ``"value"`` (sum of suppressed
            counts) or a mapping cell id -> cost (> 0). An upgrade of a primary j
            costs cost_j per unit of excess above n-1 in the complement LP.
        protection: ``"apriori"`` or ``"not_exact"`` (for the ``<n`` cells).
        candidates: cells that may become secondary (default: every non-zero,
            non-primary cell).
        initial_secondary: cells already suppressed (kept; never pruned).
        prune: try to print upgraded cells as ``<n`` and to publish secondaries
            again after the loop.
        max_rounds: safety limit on audit/complement rounds.
        secondary_lower: the attacker's a-priori lower bound L of a cell printed
            with the secondary symbol: 1 (default, the build's convention: "not
            published; at least 1"), or n for a publisher that never prints a small
            count with the symbol (then nothing is upgradable). Zeros are never
            masked (a symbol hiding {0} U [n, inf) is not an interval).
        upgradable: primary cells that may be printed with the secondary symbol
            instead of ``<n`` when no secondary pattern keeps the other
            primaries' (or their own) [1, n-1]; each upgraded cell's a-priori
            interval is then [L, inf) and its protection level: upper end >= n and
            lower end no higher than its *floor* (module docstring). ``None``
            (default): every primary when L <= 1, none otherwise.
        forced_upgrades: primary cells printed with the symbol whatever happens (kept, never
            pruned; same protection level as an upgrade), e.g. a small group's total and its one
            non-zero category, so that a reader cannot tell the group is small (group
            disclosure, :mod:`opendata_mh.build`). Requires L <= 1.
        known: cells published as an interval (not exactly, not protected, never
            suppressed): cell id -> (lower, upper) the attacker knows, e.g. a rounded figure,
            a latent total, or a cell of a published edition (:func:`~.revisions.protect_revision`).
        method: ``"mip"`` (default): improve the heuristic's pattern with the exact
            master problem (step 6; ``protection="apriori"`` only, ``not_exact``
            keeps the heuristic); ``"heuristic"``: steps 1–5.
        time_limit: seconds for the master problem (step 6), after the heuristic.
        masked_zeros: zeros printed with the secondary symbol (module docstring: the
            whole breakdown of a small group); a-priori [0, inf), requirement: the upper
            end of the audit interval reaches 1. Their status is ``SECONDARY``.
        zero_candidates: zeros that may become secondary (printed with the symbol, a-priori
            [0, inf): a table whose symbol reads [0, inf), module docstring), so that a masked
            zero of a linked table can move; with ``cost="value"`` one costs ``threshold``.

    Returns:
        :class:`SuppressionResult`; its ``audit`` shows no primary cell that
        violates ``protection``, no upgraded cell whose interval stays below n and no
        masked zero whose interval is [0, 0].

    Raises:
        SDCError: unknown ``method``, negative count, relation violated by the true values, unknown
            cell, an upgradable cell that is not primary, ``upgradable`` with
            L > 1 (a small count printed as the symbol would contradict it), or no
            protecting pattern exists (e.g. a primary cell whose relations involve
            only cells that may not be suppressed).
    """
    if method not in ("mip", "heuristic"):
        raise SDCError(f"method must be 'mip' or 'heuristic', got {method!r}")
    ids = list(values)
    pos = {c: i for i, c in enumerate(ids)}
    n = len(ids)
    for c, v in values.items():
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
            raise SDCError(f"cell {c!r}: count must be a non-negative integer, got {v!r}")
    vals = np.array([float(values[c]) for c in ids])
    for rel in relations:
        for c in rel.coeffs:
            if c not in pos:
                raise SDCError(f"relation {rel.id!r} refers to unknown cell {c!r}")
        lhs = sum(a * values[c] for c, a in rel.coeffs.items())
        if (rel.kind == "eq" and abs(lhs - rel.rhs) > 1e-6) or (
            rel.kind == "le" and lhs > rel.rhs + 1e-6
        ):
            raise SDCError(
                f"relation {rel.id!r} does not hold for the true values (lhs {lhs}, rhs {rel.rhs})"
            )
    if primary is None:
        prim = np.array([is_primary(int(values[c]), threshold) for c in ids])
    else:
        prim = np.zeros(n, dtype=bool)
        for c in primary:
            if c not in pos:
                raise SDCError(f"unknown primary cell {c!r}")
            if not 1 <= values[c] <= threshold - 1:
                raise SDCError(
                    f"primary cell {c!r} has value {values[c]} outside 1..{threshold - 1}"
                )
            prim[pos[c]] = True
    sec_lo = _secondary_lower(threshold, secondary_lower)
    if upgradable is None:
        upgradable = [c for i, c in enumerate(ids) if prim[i]] if sec_lo <= 1 else []
    can_up = np.zeros(n, dtype=bool)
    for c in upgradable:
        if c not in pos:
            raise SDCError(f"unknown upgradable cell {c!r}")
        if not prim[pos[c]]:
            raise SDCError(f"upgradable cell {c!r} is not a primary cell")
        can_up[pos[c]] = True
    if can_up.any() and sec_lo > 1:
        raise SDCError(
            f"upgradable primaries need secondary_lower <= 1 (got {sec_lo:g}): a small count "
            "printed with the secondary symbol would contradict a symbol that means >= "
            f"{sec_lo:g}"
        )
    cst = _costs(values, cost)
    w = np.array([cst[c] for c in ids])
    if np.any(w <= 0):
        raise SDCError("costs must be > 0")
    fixed_sec = np.zeros(n, dtype=bool)
    for c in initial_secondary:
        if c not in pos:
            raise SDCError(f"unknown initial secondary cell {c!r}")
        if values[c] == 0:
            raise SDCError(f"initial secondary {c!r} is a zero; zeros are never masked")
        if values[c] < sec_lo:
            raise SDCError(
                f"initial secondary {c!r} has value {values[c]} below the symbol's a-priori "
                f"lower bound {sec_lo:g}"
            )
        fixed_sec[pos[c]] = not prim[pos[c]]
    cand = (vals >= threshold) & ~prim
    if candidates is not None:
        allowed = np.zeros(n, dtype=bool)
        for c in candidates:
            allowed[pos[c]] = True
        cand &= allowed
    supp = prim | fixed_sec
    upg = np.zeros(n, dtype=bool)
    forced = np.zeros(n, dtype=bool)
    for c in forced_upgrades:
        if c not in pos or not prim[pos[c]]:
            raise SDCError(f"forced upgrade {c!r} is not a primary cell")
        if sec_lo > 1:
            raise SDCError("forced upgrades need secondary_lower <= 1")
        forced[pos[c]] = True
    upg |= forced
    can_up |= forced
    zmask = np.zeros(n, dtype=bool)
    for c in masked_zeros:
        if c not in pos or values[c] != 0:
            raise SDCError(f"masked zero {c!r} is not a cell whose value is 0")
        zmask[pos[c]] = True
    fixed_sec |= zmask  # printed with the symbol whatever happens: never pruned
    supp |= zmask
    zc = np.zeros(n, dtype=bool)
    for c in zero_candidates:
        if c not in pos or values[c] != 0:
            raise SDCError(f"zero candidate {c!r} is not a cell whose value is 0")
        zc[pos[c]] = True
    zc &= ~zmask
    cand |= zc
    if cost == "value":
        w = np.where(zc, np.maximum(w, float(threshold)), w)
    # the symbol's a-priori lower end per cell: a suppressed zero reads [0, inf)
    slo = np.where(vals == 0, 0.0, sec_lo)

    crels = _compile([Cell(c) for c in ids], relations)
    comp_lp: _Complement | None = None
    stats: dict[str, float] = {
        "rounds": 0,
        "complement_lps": 0,
        "audit_lps": 0,
        "pruned": 0,
        "upgraded": 0,
        "upgrades_pruned": 0,
    }

    kmask = np.zeros(n, dtype=bool)
    klo = vals.copy()
    khi = vals.copy()
    for c, (lo_k, hi_k) in (known or {}).items():
        if c not in pos:
            raise SDCError(f"unknown known cell {c!r}")
        i = pos[c]
        if prim[i] or cand[i] or fixed_sec[i]:
            raise SDCError(f"known cell {c!r} is primary, a candidate or suppressed")
        if not lo_k <= vals[i] <= hi_k:
            raise SDCError(f"known cell {c!r}: value outside its interval")
        kmask[i], klo[i], khi[i] = True, float(lo_k), float(hi_k)
    kn = (kmask, klo, khi) if kmask.any() else None
    floors = _Floors(vals, crels, prim, threshold, cand | fixed_sec, kn)

    def check_pattern(pattern: np.ndarray) -> list[tuple[int, int]]:
        """The (cell, side) pairs the suppression ``pattern`` leaves unprotected."""
        viol, lps = _check(
            vals,
            crels,
            pattern,
            prim,
            threshold=threshold,
            sec_lo=slo,
            protection=protection,
            upg=upg,
            floor=floors.ensure(upg),
            known=kn,
            zeros=zmask,
        )
        stats["audit_lps"] += lps
        return viol

    def check() -> list[tuple[int, int]]:
        return check_pattern(supp)

    def deviation_bounds(
        pattern: np.ndarray, small: np.ndarray, k: int, side: int, need: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Bounds (up, down, least up, least down) of every cell's deviation in the complement
        LP for ``pattern``: cell ``k`` must move ``need`` down (``side`` 0) or up (1)."""
        p_hi = np.where(cand | pattern, INF, 0.0)
        m_hi = np.where(cand | pattern, np.maximum(vals - slo, 0.0), 0.0)
        p_hi = np.where(small, threshold - 1 - vals, p_hi)
        m_hi = np.where(small, vals - 1, m_hi)
        p_hi = np.where(kmask, khi - vals, p_hi)
        m_hi = np.where(kmask, vals - klo, m_hi)
        p_lo = np.zeros(n)
        m_lo = np.zeros(n)
        if side == 0:
            m_lo[k] = need
            p_hi[k] = 0.0
        else:
            p_lo[k] = need
            m_hi[k] = 0.0
        return p_hi, m_hi, p_lo, m_lo

    for _ in range(max_rounds):
        viol = check()
        if not viol:
            break
        stats["rounds"] += 1
        if comp_lp is None:
            comp_lp = _Complement(ids, vals, relations, w)
        for k, side in viol:
            small = prim & ~upg
            if zmask[k]:
                need = 1.0 - vals[k]  # a masked zero must be able to be 1
            elif upg[k]:
                # upper end must reach n; lower end must reach the floor
                fk = floors.ensure(upg)[k]
                need = (vals[k] - fk) if side == 0 else (threshold - vals[k])
            elif protection == "apriori":
                need = (vals[k] - 1) if side == 0 else (threshold - 1 - vals[k])
            else:
                need = 1.0
            if need <= 0:
                continue
            # bounds of the deviations for the current pattern
            p_hi, m_hi, p_lo, m_lo = deviation_bounds(supp, small, k, side, need)
            comp_lp.set_bounds(p_hi, m_hi, p_lo, m_lo)
            sol = comp_lp.solve(cand & ~supp)
            stats["complement_lps"] += 1
            up_new = np.zeros(n, dtype=bool)
            if sol is None and can_up.any():
                # (a) let other upgradable <n cells exceed n-1 (printed as the symbol)
                others = can_up & small
                others[k] = False
                if others.any():
                    e_hi = np.where(others, INF, 0.0)
                    comp_lp.set_bounds(p_hi, m_hi, p_lo, m_lo, e_hi)
                    sol = comp_lp.solve(cand & ~supp, others)
                    stats["complement_lps"] += 1
                    if sol is not None:
                        up_new = (sol[1] > 1e-7) & others
                if sol is None and can_up[k] and not upg[k]:
                    # (b) k itself is printed as the symbol; its requirement changes
                    upg[k] = True
                    stats["upgraded"] += 1
                    continue
            if sol is None:
                raise SDCError(
                    f"{'masked zero' if zmask[k] else 'primary cell'} {ids[k]!r} cannot be "
                    "protected: no admissible complementary suppression exists (check "
                    "candidates / upgradable)"
                )
            dev = sol[0]
            new = (dev > 1e-7) & cand & ~supp
            supp |= new
            if up_new.any():
                upg |= up_new
                stats["upgraded"] += int(up_new.sum())
    else:
        raise SDCError(f"secondary suppression did not converge in {max_rounds} rounds")

    if prune:
        for i in (int(x) for x in np.flatnonzero(upg & ~forced)):
            upg[i] = False
            if check():
                upg[i] = True
            else:
                stats["upgrades_pruned"] += 1
        sec = np.flatnonzero(supp & ~prim & ~fixed_sec)
        order = sorted((int(x) for x in sec), key=lambda i: (-w[i], -vals[i], -i))
        for i in order:
            supp[i] = False
            if check():
                supp[i] = True
            else:
                stats["pruned"] += 1

    heur_sec = supp & ~prim & ~fixed_sec
    stats["heuristic_cost"] = float(w[heur_sec].sum())
    if method == "mip" and protection == "apriori" and prim.any():

        def repair(pattern: np.ndarray) -> np.ndarray | None:
            # the heuristic's complement loop from the master's pattern, then pruning
            assert comp_lp is not None
            s = pattern.copy()
            small = prim & ~upg
            for _ in range(max_rounds):
                viol = check_pattern(s)
                if not viol:
                    break
                for k, side in viol:
                    if zmask[k]:
                        need = 1.0 - vals[k]
                    elif upg[k]:
                        fk = floors.floor[k]
                        need = (vals[k] - fk) if side == 0 else (threshold - vals[k])
                    else:
                        need = (vals[k] - 1) if side == 0 else (threshold - 1 - vals[k])
                    comp_lp.set_bounds(*deviation_bounds(s, small, k, side, need))
                    sol = comp_lp.solve(cand & ~s)
                    stats["complement_lps"] += 1
                    if sol is None:
                        return None
                    s |= (sol[0] > 1e-7) & cand & ~s
            else:
                return None
            sec = np.flatnonzero(s & ~prim & ~fixed_sec)
            for i in sorted((int(x) for x in sec), key=lambda i: (-w[i], -vals[i], -i)):
                s[i] = False
                if check_pattern(s):
                    s[i] = True
            out: np.ndarray = s & ~prim & ~fixed_sec
            return out

        if comp_lp is None:
            comp_lp = _Complement(ids, vals, relations, w)
        mres = _master.improve(
            vals=vals,
            relations=relations,
            ids=ids,
            w=w,
            cand=cand,
            fixed_supp=prim | fixed_sec,
            small=prim & ~upg,
            upg=upg,
            threshold=threshold,
            sec_lo=slo,
            floor=floors.ensure(upg),
            known=kn,
            zeros=zmask,
            incumbent=heur_sec,
            check=check_pattern,
            repair=repair,
            time_limit=time_limit,
        )
        supp = prim | fixed_sec | mres.secondary
        stats.update(
            mip_optimal=float(mres.optimal),
            mip_lower_bound=mres.lower_bound,
            mip_rounds=mres.rounds,
            mip_cuts=mres.cuts,
            mip_cut_lps=mres.cut_lps,
            mip_seconds=round(mres.seconds, 3),
            mip_repaired_best=mres.repaired_best,
        )

    status: dict[str, CellStatus] = {}
    for i, c in enumerate(ids):
        if prim[i]:
            status[c] = CellStatus.PRIMARY
        elif supp[i] or zmask[i]:
            status[c] = CellStatus.SECONDARY
        else:
            status[c] = CellStatus.ZERO if vals[i] == 0 else CellStatus.SAFE
    upgraded = tuple(c for i, c in enumerate(ids) if upg[i])
    final_cells = published_cells(
        values,
        status,
        threshold=threshold,
        protection=protection,
        secondary_lower=int(sec_lo),
        upgraded=upgraded,
    )
    final_cells = [
        Cell(c.id, 0, INF, "suppressed", "none")
        if vals[pos[c.id]] == 0 and status[c.id] == CellStatus.SECONDARY
        else c
        for c in final_cells
    ]
    if kn is not None:
        final_cells = [
            Cell(c.id, klo[pos[c.id]], khi[pos[c.id]], "interval", "none")
            if kmask[pos[c.id]]
            else c
            for c in final_cells
        ]
    final = audit(final_cells, relations, explain=False)
    by_id = final.by_id
    bad = [r.cell_id for r in final.unprotected()]
    fl = floors.ensure(upg)
    bad += [c for c in upgraded if c in by_id and by_id[c].upper < threshold]
    bad += [c for c in upgraded if c in by_id and by_id[c].lower > fl[pos[c]]]
    bad += [c for c in masked_zeros if c in by_id and by_id[c].upper < 1]
    if bad:  # pragma: no cover - the loop's own check makes this unreachable
        raise SDCError(f"internal error: final audit finds unprotected cells {bad[:5]}")
    secondary = tuple(c for c in ids if status[c] == CellStatus.SECONDARY)
    stats["upgraded"] = len(upgraded)
    return SuppressionResult(
        status=status,
        primary=tuple(c for c in ids if status[c] == CellStatus.PRIMARY),
        secondary=secondary,
        cost=float(sum(cst[c] for c in secondary)),
        suppressed_value=int(sum(values[c] for c in secondary)),
        audit=final,
        stats=stats,
        upgraded=upgraded,
    )
