"""Editions protected together (:mod:`opendata_mh.sdc.revisions`), checked with the
independent attacker (:mod:`tests.attacker`) under the monotone revision model (a late
registration only adds: old <= new per cell)."""

from __future__ import annotations

import numpy as np
import pytest

from opendata_mh.sdc import Cell, LinearRelation, SDCError, protect_revision, revision_relations
from tests.attacker import revision_case

OLD = [[0, 1, 2], [4, 1, 3], [3, 0, 4]]
NEW = [[1, 1, 2], [5, 1, 3], [3, 0, 4]]


def test_editions_protected_alone_leak_under_monotone_revisions() -> None:
    # each edition protected on its own (the build's convention): the pair pins <5 cells
    got, _ = revision_case(np.array(OLD), np.array(NEW), joint=False)
    assert got["exact"] == [
        "old:0|1",
        "old:1|1",
        "old:T|1",
        "new:0|0",
        "new:0|1",
        "new:1|1",
        "new:T|1",
    ]
    assert got["narrowed"] == ["old:1|0", "old:1|2", "old:2|0", "new:1|2", "new:2|0"]


def test_joint_protection_of_the_minimal_case() -> None:
    got, res = revision_case(np.array(OLD), np.array(NEW), joint=True, compare=True)
    assert got == {"exact": [], "narrowed": [], "wrong": []}
    # secondaries only in the new edition; the price of protecting jointly
    assert res.secondary == ("new:0|T", "new:1|0", "new:2|T", "new:T|1", "new:T|T")  # type: ignore[attr-defined]
    assert (res.cost, res.suppressed_value) == (32.0, 32)  # type: ignore[attr-defined]
    assert (res.alone_cost, res.alone_value) == (21.0, 21)  # type: ignore[attr-defined]


@pytest.mark.parametrize("seed", range(10))
def test_random_revision_pairs(seed: int) -> None:
    rng = np.random.default_rng(7000 + seed)
    r, c = (int(x) for x in rng.integers(2, 5, 2))
    old = rng.poisson(4, (r, c))
    new = old + rng.binomial(2, 0.3, (r, c))  # late registrations only add
    try:
        got, _ = revision_case(old, new, joint=True)
    except SDCError as exc:
        assert "cannot be protected" in str(exc)
        pytest.skip("unprotectable table")
    assert got == {"exact": [], "narrowed": [], "wrong": []}


def test_revision_model_rows_and_a_contradiction() -> None:
    rows = revision_relations([("o", "n")], min_change=-2, max_change=3)
    assert [(r.kind, dict(r.coeffs), r.rhs) for r in rows] == [
        ("le", {"o": 1.0, "n": -1.0}, 2.0),
        ("le", {"n": 1.0, "o": -1.0}, 3.0),
    ]
    assert revision_relations([("o", "n")], min_change=None) == []
    # the old edition printed 7, the new one counts 6: not a monotone revision
    old = [Cell.exact("o:a", 7), Cell.exact("o:T", 7)]
    old_rel = [LinearRelation("o", "eq", {"o:T": 1.0, "o:a": -1.0})]
    new_rel = [LinearRelation("n", "eq", {"n:T": 1.0, "n:a": -1.0})]
    with pytest.raises(SDCError, match="either direction"):
        protect_revision({"n:a": 6, "n:T": 6}, new_rel, old, old_rel, [("o:a", "n:a")])
    res = protect_revision(
        {"n:a": 6, "n:T": 6}, new_rel, old, old_rel, [("o:a", "n:a")], min_change=-1
    )
    assert res.secondary == ()


def test_an_old_cell_already_given_away_is_taken_as_known() -> None:
    # the published edition gives its <5 cell away (T = 6 = 5 + a with 5 printed): the joint
    # protection cannot keep it [1, 4] and does not try; it is taken as known exactly
    old = [
        Cell.exact("o:T", 6),
        Cell.exact("o:b", 5),
        Cell("o:a", 1, 4, "suppressed", "none"),
    ]
    old_rel = [LinearRelation("o", "eq", {"o:T": 1.0, "o:a": -1.0, "o:b": -1.0})]
    new_vals = {"n:T": 12, "n:a": 4, "n:b": 8}
    new_rel = [LinearRelation("n", "eq", {"n:T": 1.0, "n:a": -1.0, "n:b": -1.0})]
    pairs = [("o:a", "n:a"), ("o:b", "n:b"), ("o:T", "n:T")]
    res = protect_revision(new_vals, new_rel, old, old_rel, pairs)
    assert "o:a" not in res.joint.primary  # known, not a protected target
    assert res.secondary == ("n:b",)
    iv = res.joint.audit.by_id["n:a"]
    assert (iv.lower, iv.upper) == (1, 4)
    # as a protected target it cannot be kept at [1, 4]: the published edition pins it
    with pytest.raises(SDCError, match="'o:a' cannot be protected"):
        protect_revision(
            new_vals,
            new_rel,
            [*old[:2], Cell("o:a", 1, 4, "suppressed", "apriori")],
            old_rel,
            pairs,
        )


def test_a_contradicted_pair_is_left_out_of_the_model() -> None:
    # the old edition printed 7 for a, the new one counts 6: a reader sees a went down and
    # keeps the model for the other cells only (the fewest-violations subset)
    old = [Cell.exact("o:a", 7), Cell.exact("o:b", 3), Cell.exact("o:T", 10)]
    old_rel = [LinearRelation("o", "eq", {"o:T": 1.0, "o:a": -1.0, "o:b": -1.0})]
    new_vals = {"n:a": 6, "n:b": 4, "n:T": 10}
    new_rel = [LinearRelation("n", "eq", {"n:T": 1.0, "n:a": -1.0, "n:b": -1.0})]
    pairs = [("o:a", "n:a"), ("o:b", "n:b"), ("o:T", "n:T")]
    with pytest.raises(SDCError, match="either direction"):
        protect_revision(new_vals, new_rel, old, old_rel, pairs)
    res = protect_revision(new_vals, new_rel, old, old_rel, pairs, drop_contradicted=True)
    assert res.contradicted == (("o:a", "n:a"),)
    # n:b >= o:b = 3 still holds for the reader: n:b (4) cannot stay [1, 4], so it is printed
    # x (upgraded: its upper end reaches 5, its lower end stays at 3, all the old edition
    # allows) and n:a is suppressed with it
    assert res.secondary == ("n:a", "n:b")
    assert res.joint.upgraded == ("n:b",)
    iv = res.joint.audit.by_id["n:b"]
    assert iv.lower == 3 and iv.upper >= 5
