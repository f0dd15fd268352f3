"""Interval audit: known answers (sdc.md §4, the 2019-2023 report), inequality
relations, identities across tables, infeasibility, MIP attacker, and a
cross-check against one scipy LP pair per cell."""

import math

import numpy as np
import pytest

from opendata_mh.sdc import (
    Cell,
    LinearRelation,
    SDCError,
    additive,
    audit,
    identity,
    multilabel,
    overlap_subset,
    relation,
    rounding_interval,
    subset,
)
from opendata_mh.sdc.tables import two_way_table


def grid(
    inner: list[list[int]], masked: dict[str, tuple[float, float]]
) -> tuple[list[Cell], list[LinearRelation]]:
    vals, rels = two_way_table(inner)
    cells = [Cell(c, *masked[c]) if c in masked else Cell.exact(c, v) for c, v in vals.items()]
    return cells, rels


def iv(rep, cid):  # type: ignore[no-untyped-def]
    r = rep.by_id[cid]
    return (r.lower, r.upper)


# -- 2-D table with margins ----------------------------------------------------


def test_single_suppression_in_row_is_recoverable_rectangle_is_not() -> None:
    inner = [[12, 3, 9], [7, 10, 8], [6, 11, 20]]
    # one masked cell: its row total gives it back
    cells, rels = grid(inner, {"r0|c1": (0, math.inf)})
    rep = audit(cells, rels)
    r = rep.by_id["r0|c1"]
    assert r.exact and (r.lower, r.upper) == (3, 3)
    assert set(r.pinned_by) <= {"row0", "col1"} and r.pinned_by
    # the four-cell rectangle: not exact (classic attacker, y >= 0)
    rect = dict.fromkeys(("r0|c1", "r0|c2", "r1|c1", "r1|c2"), (0, math.inf))
    cells, rels = grid(inner, rect)
    rep = audit(cells, rels)
    assert not rep.disclosed()
    assert iv(rep, "r0|c1") == (0, 12)
    assert iv(rep, "r1|c2") == (5, 17)
    # the same rectangle under the informed attacker (pytauargus.md §3.1):
    # <5 -> [1,4], secondaries -> [5, inf)
    inf = math.inf
    cells, rels = grid(
        inner, {"r0|c1": (1, 4), "r0|c2": (5, inf), "r1|c1": (5, inf), "r1|c2": (5, inf)}
    )
    rep = audit(cells, rels)
    assert [iv(rep, c) for c in ("r0|c1", "r0|c2", "r1|c1", "r1|c2")] == [
        (1, 4),
        (8, 11),
        (9, 12),
        (6, 9),
    ]
    assert not rep.by_id["r0|c1"].narrowed


def test_p1_geurts_example() -> None:
    # sdc.md P1 (TAU-MAN §2.15, HB Example 3): rows 7,3,6; cols 9,7; row 3 = (3,3) visible
    inner = [[0, 0], [0, 0], [3, 3]]
    vals, rels = two_way_table(inner)
    vals.update({"r0|T": 7, "r1|T": 3, "T|c0": 9, "T|c1": 7, "T|T": 16})
    masked = ("r0|c0", "r0|c1", "r1|c0", "r1|c1")
    cells = [Cell(c, 0) if c in masked else Cell.exact(c, v) for c, v in vals.items()]
    rep = audit(cells, rels)
    assert iv(rep, "r0|c0") == (3, 6)
    assert iv(rep, "r0|c1") == (1, 4)
    assert iv(rep, "r1|c0") == (0, 3)
    assert iv(rep, "r1|c1") == (0, 3)
    # X11 >= 3 is proven by its column and the second row
    assert set(rep.by_id["r0|c0"].pinned_by) == {"row1", "col0"}


# -- real figures from the 2019-2023 report -------------------------------------


def test_om_cases_2019_unknown_form_is_exactly_3() -> None:
    # "Aantal bij het OM ingeschreven mensenhandelzaken" 2019: 154 =
    # Seksuele 121 + Arbeid 15 + Criminele/overig 15 + Onbekend <5
    cells = [
        Cell.exact("sexual", 121),
        Cell.exact("labour", 15),
        Cell.exact("criminal", 15),
        Cell("unknown", 1, 4, protection="apriori"),
        Cell.exact("total", 154),
    ]
    rep = audit(
        cells, additive("om_cases.2019", "total", ["sexual", "labour", "criminal", "unknown"])
    )
    r = rep.by_id["unknown"]
    assert (r.lower, r.upper, r.exact, r.protected) == (3, 3, True, False)
    assert r.pinned_by == ("om_cases.2019",)


def test_court_cases_2020_both_small_counts_are_4() -> None:
    # rechterlijke afdoening 2020: 42 + 10 + <5 + <5 + 7 = 67
    parts = ["domestic", "international", "sexual_unknown", "labour", "criminal"]
    cells = [
        Cell.exact("domestic", 42),
        Cell.exact("international", 10),
        Cell("sexual_unknown", 1, 4),
        Cell("labour", 1, 4),
        Cell.exact("criminal", 7),
        Cell.exact("total", 67),
    ]
    rep = audit(cells, additive("court.2020", "total", parts))
    assert iv(rep, "sexual_unknown") == (4, 4)
    assert iv(rep, "labour") == (4, 4)
    assert len(rep.disclosed()) == 2


def test_small_count_pinned_by_row_total_but_not_by_column() -> None:
    # a <5 cell alone in its row: the row total pins it; its column has two <5
    cells, rels = grid([[20, 3], [30, 2]], {"r0|c1": (1, 4)})
    rep = audit(cells, rels)
    assert rep.by_id["r0|c1"].exact
    assert "row0" in rep.by_id["r0|c1"].pinned_by or "col1" in rep.by_id["r0|c1"].pinned_by


# -- rounding, ranges, inequalities ------------------------------------------------


def test_rounded_cells_plus_exact_total_pin_every_part() -> None:
    # IND style: parts rounded to tens (10, 20, 10) -> [5,14], [15,24], [5,14]; exact total 25
    parts = {"a": 10, "b": 20, "c": 10}
    cells = [
        Cell(k, *rounding_interval(v, 10), kind="interval", protection="none")
        for k, v in parts.items()
    ]
    cells.append(Cell.exact("total", 25))
    rep = audit(cells, additive("t", "total", list(parts)))
    assert [iv(rep, k) for k in parts] == [(5, 5), (15, 15), (5, 5)]
    assert all(r.exact and r.pinned_by == ("t",) for r in rep.results)
    # with total 40 nothing is pinned, but the intervals narrow: a in [5,14] still
    cells[-1] = Cell.exact("total", 40)
    rep = audit(cells, additive("t", "total", list(parts)))
    assert not rep.disclosed()
    assert iv(rep, "b") == (15, 24)


def test_range_and_rounded_total() -> None:
    # range "170-180" + <5 part + rounded total 180 ([175, 184]): the <5 stays [1,4]
    cells = [
        Cell("big", 170, 180, kind="interval"),
        Cell("small", 1, 4),
        Cell("total", 175, 184, kind="interval"),
    ]
    rep = audit(cells, additive("t", "total", ["big", "small"]))
    assert iv(rep, "small") == (1, 4)
    assert iv(rep, "big") == (171, 180)


def test_multilabel_is_not_a_disclosure_when_treated_as_inequalities() -> None:
    # victims with one or more forms: forms a (<5), b = 10, c = 8; victims = 19
    cells = [
        Cell("a", 1, 4, protection="apriori"),
        Cell.exact("b", 10),
        Cell.exact("c", 8),
        Cell.exact("victims", 19),
    ]
    wrong = audit(cells, additive("forms", "victims", ["a", "b", "c"]))
    assert wrong.by_id["a"].exact and wrong.by_id["a"].lower == 1  # false "disclosure"
    rep = audit(cells, multilabel("forms", "victims", ["a", "b", "c"]))
    assert iv(rep, "a") == (1, 4) and rep.by_id["a"].protected
    # a total of 20 narrows it (20 <= a + 18 -> a >= 2) and names the relation
    cells[-1] = Cell.exact("victims", 20)
    rep = audit(cells, multilabel("forms", "victims", ["a", "b", "c"]))
    assert iv(rep, "a") == (2, 4) and rep.by_id["a"].narrowed and not rep.by_id["a"].exact
    assert rep.by_id["a"].pinned_by == ("forms",)


def test_subset_and_overlap_subset() -> None:
    # top-list: sum of listed parts <= total (subset); overlap: each part <= total
    cells = [Cell.exact("total", 10), Cell.exact("p1", 6), Cell("p2", 1, 4), Cell("q", 5, math.inf)]
    rep = audit(
        cells, subset("top", "total", ["p1", "p2"]) + overlap_subset("ov", "total", ["q", "p1"])
    )
    assert iv(rep, "p2") == (1, 4)
    assert iv(rep, "q") == (5, 10)
    assert rep.by_id["q"].pinned_by == ("ov",)
    rels = relation("multilabel", "m", total="total", parts=["p1", "p2"], max_labels=2)
    assert {r.source for r in rels} == {"m"} and len(rels) == 4
    with pytest.raises(SDCError):
        relation("nonsense", "x", total="t", parts=["a"])


def test_same_figure_in_two_tables_is_one_variable() -> None:
    # table A masks a total that table B publishes: the identity gives it away
    cells = [
        Cell("A.total", 5, math.inf),
        Cell("A.p1", 1, 4, protection="apriori"),
        Cell.exact("A.p2", 30),
        Cell.exact("B.total", 33),
    ]
    rels = additive("A", "A.total", ["A.p1", "A.p2"]) + identity(
        "same_total", ["A.total", "B.total"]
    )
    rep = audit(cells, rels)
    assert iv(rep, "A.p1") == (3, 3)
    assert set(rep.by_id["A.p1"].pinned_by) == {"A", "same_total"}
    # without the identity the cell stays [1,4]
    rep = audit(cells, additive("A", "A.total", ["A.p1", "A.p2"]))
    assert iv(rep, "A.p1") == (1, 4)


# -- sdc.md P10 (ISS194): zeros and ones --------------------------------------------


def test_p10_zero_and_one_protection() -> None:
    # "0 = x + x + 0": both x are 0
    cells = [Cell.exact("t", 0), Cell("x1", 0), Cell("x2", 0), Cell.exact("z", 0)]
    rep = audit(cells, additive("r", "t", ["x1", "x2", "z"]))
    assert iv(rep, "x1") == (0, 0) and iv(rep, "x2") == (0, 0)
    # "15 = 10 + 5 + x + x": both 0
    cells = [
        Cell.exact("t", 15),
        Cell.exact("a", 10),
        Cell.exact("b", 5),
        Cell("x1", 0),
        Cell("x2", 0),
    ]
    rep = audit(cells, additive("r", "t", ["a", "b", "x1", "x2"]))
    assert iv(rep, "x1") == (0, 0)
    # "15 = 10 + 3 + x + x": with x >= 1 both are 1, with x >= 0 they are [0, 2]
    cells = [
        Cell.exact("t", 15),
        Cell.exact("a", 10),
        Cell.exact("b", 3),
        Cell("x1", 1, 4),
        Cell("x2", 1, 4),
    ]
    rep = audit(cells, additive("r", "t", ["a", "b", "x1", "x2"]))
    assert iv(rep, "x1") == (1, 1) and iv(rep, "x2") == (1, 1)
    cells[3:] = [Cell("x1", 0), Cell("x2", 0)]
    rep = audit(cells, additive("r", "t", ["a", "b", "x1", "x2"]))
    assert iv(rep, "x1") == (0, 2)


# -- infeasibility, MIP, errors -------------------------------------------------------


def test_inconsistent_publication_reports_an_irreducible_set() -> None:
    # two tables disagree on the same total: 154 vs 150 (identity)
    cells = [
        Cell.exact("A.total", 154),
        Cell.exact("A.p1", 150),
        Cell("A.p2", 1, 4),
        Cell.exact("B.total", 150),
        Cell.exact("B.q1", 140),
        Cell("B.q2", 5, math.inf),
        Cell.exact("C.x", 7),
    ]
    rels = (
        additive("A", "A.total", ["A.p1", "A.p2"])
        + additive("B", "B.total", ["B.q1", "B.q2"])
        + identity("same", ["A.total", "B.total"])
        + [LinearRelation("C.check", "le", {"C.x": 1}, 5)]
    )
    rep = audit(cells, rels)
    assert not rep.feasible
    srcs = {s for inf in rep.infeasible for s in inf.sources}
    assert srcs == {"same", "C.check"}
    # a component that is infeasible only through its free cells: the deletion filter
    cells = [Cell.exact("t", 20), Cell.exact("a", 10), Cell("b", 1, 4), Cell("c", 1, 4)]
    rep = audit(cells, additive("r", "t", ["a", "b", "c"]))
    assert rep.infeasible[0].sources == ("r",)
    assert rep.by_id["b"].status == "infeasible"


def test_mip_attacker_is_at_least_as_strong() -> None:
    # 2a + 2b = c, c in [1, 3]: the LP allows c anywhere in [1,3]; integers force c = 2
    cells = [Cell("a", 0, 10), Cell("b", 0, 10), Cell("c", 1, 3)]
    rels = [LinearRelation("r", "eq", {"a": 2, "b": 2, "c": -1}, 0)]
    lp = audit(cells, rels)
    assert iv(lp, "c") == (1, 3)
    mip = audit(cells, rels, mip=True)
    assert iv(mip, "c") == (2, 2) and mip.by_id["c"].exact
    assert iv(mip, "a") == (0, 1)


def test_input_errors() -> None:
    with pytest.raises(SDCError, match="duplicate cell"):
        audit([Cell("a"), Cell("a")], [])
    with pytest.raises(SDCError, match="unknown cell"):
        audit([Cell("a")], additive("r", "a", ["b"]))
    with pytest.raises(SDCError):
        Cell("a", 5, 3)
    with pytest.raises(SDCError):
        LinearRelation("r", "ge", {"a": 1})  # type: ignore[arg-type]


def test_unrelated_cell_keeps_its_a_priori_interval() -> None:
    rep = audit([Cell("lonely", 1, 4), Cell.exact("x", 3)], [])
    assert iv(rep, "lonely") == (1, 4) and not rep.by_id["lonely"].narrowed


# -- cross-check against one scipy LP pair per cell -------------------------------------


def _reference(cells: list[Cell], rels: list[LinearRelation]) -> dict[str, tuple[float, float]]:
    from scipy.optimize import linprog

    free = [c for c in cells if not c.fixed]
    pos = {c.id: i for i, c in enumerate(free)}
    fixed = {c.id: c.lower for c in cells if c.fixed}
    A, b = [], []
    for r in rels:
        row = np.zeros(len(free))
        const = 0.0
        for cid, a in r.coeffs.items():
            if cid in pos:
                row[pos[cid]] += a
            else:
                const += a * fixed[cid]
        if row.any():
            A.append(row)
            b.append(r.rhs - const)
    bounds = [(c.lower, None if math.isinf(c.upper) else c.upper) for c in free]
    out = {}
    for c in free:
        cc = np.zeros(len(free))
        cc[pos[c.id]] = 1
        lo = linprog(cc, A_eq=np.array(A), b_eq=np.array(b), bounds=bounds, method="highs").fun
        hi = -linprog(-cc, A_eq=np.array(A), b_eq=np.array(b), bounds=bounds, method="highs").fun
        out[c.id] = (math.ceil(lo - 1e-6), math.floor(hi + 1e-6))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_matches_one_lp_pair_per_cell(seed: int) -> None:
    rng = np.random.default_rng(seed)
    R, C = 12, 10
    inner = rng.poisson(8, (R, C))
    k = 25
    flat = rng.choice(R * C, k, replace=False)
    small = seed % 2 == 0
    if small:
        inner.flat[flat] = rng.integers(1, 5, k)
    vals, rels = two_way_table(inner)
    masked = {f"r{f // C}|c{f % C}" for f in flat}
    if seed % 3 == 0:  # also mask a few margins
        masked |= {"r0|T", "T|c1"}
    cells = [
        (Cell(c, 1, 4) if small and "T" not in c else Cell(c, 0, math.inf))
        if c in masked
        else Cell.exact(c, v)
        for c, v in vals.items()
    ]
    rep = audit(cells, rels)
    ref = _reference(cells, rels)
    assert {r.cell_id: (r.lower, r.upper) for r in rep.results} == ref
