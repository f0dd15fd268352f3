"""A conflict does not shield a cell: the audit of every consistent subset of the
relations (:func:`opendata_mh.sdc.audit_consistent_subsets`)."""

from __future__ import annotations

from opendata_mh.sdc import (
    Cell,
    additive,
    audit,
    audit_consistent_subsets,
    worst_subset_results,
)


def test_a_cell_the_conflict_hid_is_disclosed_by_either_consistent_subset() -> None:
    # two tables print the same total differently (10 and 11) over a <5 part and a 7
    cells = [
        Cell.exact("T1", 10),
        Cell.exact("T2", 11),
        Cell.exact("b", 7),
        Cell("a", 1, 4, "suppressed", "apriori"),
    ]
    conflict = additive("t1", "T1", ["a", "b"]) + additive("t2", "T2", ["a", "b"])
    assert not audit(cells, conflict).feasible
    # the plain audit leaves both relations out: a stays [1, 4]
    plain = audit(cells, []).by_id["a"]
    assert (plain.lower, plain.upper, plain.protected) == (1, 4, True)
    subsets = audit_consistent_subsets(cells, [], {"d1": conflict})
    got = {s.dropped: (s.report.by_id["a"].lower, s.report.by_id["a"].upper) for s in subsets}
    assert got == {("t1",): (4, 4), ("t2",): (3, 3)}
    assert {s.kept for s in subsets} == {("t2",), ("t1",)}
    worst = worst_subset_results(subsets)
    assert set(worst) == {"a"} and worst["a"][1].exact and worst["a"][0].conflict == "d1"


def test_three_independent_contradictions_are_left_out_one_by_one() -> None:
    # each relation alone contradicts the printed figures: only the empty subset is
    # consistent, and it touches no cell
    cells = [Cell.exact("T", 10), Cell.exact("b", 7), Cell("a", 1, 4, "suppressed", "apriori")]
    rows = [*additive("r1", "T", ["b"]), *additive("r2", "b", ["a"]), *additive("r3", "a", ["T"])]
    assert audit_consistent_subsets(cells, [], {"d": rows}) == []
