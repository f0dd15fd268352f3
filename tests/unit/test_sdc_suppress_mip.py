"""Secondary suppression with the MIP master (``method="mip"``, the default):
the pattern equals the brute-force optimum on small tables, and it is never less
safe nor more expensive than the heuristic's."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opendata_mh.sdc import CellStatus, SDCError, audit
from opendata_mh.sdc.suppress import published_cells, suppress
from opendata_mh.sdc.tables import two_way_table


def _safe(vals, rels, suppressed, *, secondary_lower=5, upgraded=()):  # type: ignore[no-untyped-def]
    """Full informed audit: every <5 keeps [1, 4], every upgraded cell reaches 5
    (default: the strict convention, secondaries read as >= 5)."""
    rep = audit(
        published_cells(vals, suppressed, secondary_lower=secondary_lower, upgraded=upgraded),
        rels,
        explain=False,
    )
    if not rep.feasible:
        return False
    for r in rep.results:
        if r.cell_id in upgraded:
            if r.upper < 5:
                return False
        elif 1 <= vals[r.cell_id] <= 4 and (r.lower, r.upper) != (1, 4):
            return False
    return True


def _brute_force(vals, rels, cost):  # type: ignore[no-untyped-def]
    """Cheapest safe set of secondaries by enumerating every subset of the candidates."""
    prim = [c for c, v in vals.items() if 1 <= v <= 4]
    cand = [c for c, v in vals.items() if v >= 5]
    w = {c: (1.0 if cost == "unit" else float(vals[c])) for c in cand}
    best: tuple[float, frozenset[str]] | None = None
    for k in range(len(cand) + 1):
        for sub in itertools.combinations(cand, k):
            c = sum(w[x] for x in sub)
            if best is not None and c >= best[0]:
                continue
            if _safe(vals, rels, {*prim, *sub}):
                best = (c, frozenset(sub))
    return best


# 3x3 inner cells + margins = 16 cells; 2-3 primaries, 12-13 candidates (<= 8192 subsets)
SMALL = [
    [[12, 3, 9], [7, 10, 8], [6, 11, 20]],
    [[2, 14, 9], [7, 3, 8], [6, 11, 20]],
    [[4, 5, 30], [9, 1, 6], [22, 7, 2]],
]


@pytest.mark.parametrize("inner", SMALL)
@pytest.mark.parametrize("cost", ["value", "unit"])
def test_mip_pattern_is_the_brute_force_optimum(inner: list[list[int]], cost: str) -> None:
    vals, rels = two_way_table(inner)
    best = _brute_force(vals, rels, cost)
    assert best is not None
    res = suppress(vals, rels, cost=cost, secondary_lower=5)
    assert res.cost == best[0]
    assert res.stats["mip_optimal"] == 1.0
    assert res.stats["mip_lower_bound"] == pytest.approx(best[0])
    assert _safe(vals, rels, {*res.primary, *res.secondary})
    if cost == "value":  # value costs have no ties on these tables: the same cells
        assert frozenset(res.secondary) == best[1]


def test_mip_is_cheaper_than_the_heuristic_where_the_heuristic_misses() -> None:
    # third table of SMALL, value cost: the heuristic's pattern costs 99, the optimum
    # (= the brute force above) 94, via the column totals of c1 and c2
    vals, rels = two_way_table(SMALL[2])
    heur = suppress(vals, rels, cost="value", method="heuristic", secondary_lower=5)
    assert heur.secondary == ("r0|c1", "r0|c2", "r1|c0", "r2|c1", "T|c0", "T|c1")
    assert heur.cost == 99
    res = suppress(vals, rels, cost="value", secondary_lower=5)
    assert res.secondary == ("r0|c1", "r1|c0", "r2|c0", "r2|c1", "T|c1", "T|c2")
    assert res.cost == 94 and res.stats["heuristic_cost"] == 99
    assert not res.audit.unprotected()


def test_mip_beats_the_heuristic_on_a_bench_table() -> None:
    # 30x30 of scripts/bench_sdc.py's generator at 2 % primaries
    rng = np.random.default_rng(2026)
    inner = rng.poisson(20, (30, 30))
    mask = rng.random((30, 30)) < 0.02
    inner[mask] = rng.integers(1, 5, int(mask.sum()))
    vals, rels = two_way_table(inner)
    heur = suppress(vals, rels, cost="value", method="heuristic", secondary_lower=5)
    mip = suppress(vals, rels, cost="value", secondary_lower=5)
    assert mip.stats["heuristic_cost"] == heur.cost
    assert mip.cost <= heur.cost
    assert mip.stats["mip_lower_bound"] <= mip.cost + 1e-6
    assert _safe(vals, rels, {*mip.primary, *mip.secondary})


def test_method_is_checked() -> None:
    vals, rels = two_way_table([[12, 3, 9], [7, 10, 8], [6, 11, 20]])
    with pytest.raises(SDCError, match="method"):
        suppress(vals, rels, method="exact")  # type: ignore[arg-type]


cell_value = st.one_of(st.integers(0, 0), st.integers(1, 4), st.integers(5, 40))


@st.composite
def tables(draw):  # type: ignore[no-untyped-def]
    r = draw(st.integers(2, 5))
    c = draw(st.integers(2, 5))
    return np.array(draw(st.lists(cell_value, min_size=r * c, max_size=r * c))).reshape(r, c)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.sampled_from(["unit", "value"]), st.sampled_from([5, 1]))
def test_mip_never_less_safe_nor_dearer_than_the_heuristic(
    inner: np.ndarray, cost: str, secondary_lower: int
) -> None:
    vals, rels = two_way_table(inner)
    small = [c for c, v in vals.items() if 1 <= v <= 4] if secondary_lower == 1 else []
    kw = {"cost": cost, "secondary_lower": secondary_lower, "upgradable": small}
    try:
        heur = suppress(vals, rels, method="heuristic", **kw)  # type: ignore[arg-type]
    except SDCError as exc:
        assert "cannot be protected" in str(exc)
        with pytest.raises(SDCError, match="cannot be protected"):
            suppress(vals, rels, **kw)  # type: ignore[arg-type]
        return
    mip = suppress(vals, rels, **kw)  # type: ignore[arg-type]
    assert mip.cost <= heur.cost + 1e-9
    assert mip.upgraded == heur.upgraded
    if "mip_lower_bound" in mip.stats:
        assert mip.stats["mip_lower_bound"] <= mip.cost + 1e-6
    for cid, s in mip.status.items():
        if s == CellStatus.SECONDARY:
            assert vals[cid] >= 5
    assert _safe(
        vals,
        rels,
        {*mip.primary, *mip.secondary},
        secondary_lower=secondary_lower,
        upgraded=mip.upgraded,
    )
    assert math.isfinite(mip.cost)
    # deterministic
    assert suppress(vals, rels, **kw).status == mip.status  # type: ignore[arg-type]
