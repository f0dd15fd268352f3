"""The relation engine: what each relation type means as linear rows
(:mod:`opendata_mh.sdc.relations`), interval reasoning on those rows, and the relations of a
read package (:mod:`opendata_mh.relations`) that the consistency check and the audit share."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opendata_mh.audit import audit_path
from opendata_mh.relations import package_relations
from opendata_mh.sdc import relations as engine
from opendata_mh.validate import check, read_package
from tests.conftest import edit_csv, edit_descriptor

PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"
INF = math.inf


def _rows(rels: list[engine.LinearRelation]) -> list[tuple[str, dict[str, float], float]]:
    return [(r.kind, dict(r.coeffs), r.rhs) for r in rels]


def test_each_type_as_rows() -> None:
    assert _rows(engine.relation("additive", "r", total="t", parts=["a", "b"])) == [
        ("eq", {"a": 1.0, "b": 1.0, "t": -1.0}, 0.0)
    ]
    assert _rows(engine.relation("subset", "r", total="t", parts=["a", "b"])) == [
        ("le", {"a": 1.0, "b": 1.0, "t": -1.0}, 0.0)
    ]
    assert _rows(engine.relation("overlap_subset", "r", total="t", parts=["a", "b"])) == [
        ("le", {"a": 1.0, "t": -1.0}, 0.0),
        ("le", {"b": 1.0, "t": -1.0}, 0.0),
    ]
    assert _rows(engine.relation("multilabel", "r", total="t", parts=["a", "b"])) == [
        ("le", {"a": 1.0, "t": -1.0}, 0.0),
        ("le", {"b": 1.0, "t": -1.0}, 0.0),
        ("le", {"a": -1.0, "b": -1.0, "t": 1.0}, 0.0),
    ]
    assert _rows(engine.relation("identity", "r", cells=["a", "b", "c"])) == [
        ("eq", {"a": 1.0, "b": -1.0}, 0.0),
        ("eq", {"a": 1.0, "c": -1.0}, 0.0),
    ]
    # 40% of D is N, rounded half up: 79 D - 200 N <= 0 and 200 N - 81 D <= -1
    share = engine.relation(
        "share", "s", percent=40, decimals=0, numerator=["n"], denominator=["d"]
    )
    assert _rows(share) == [
        ("le", {"n": -200.0, "d": 79.0}, 0.0),
        ("le", {"n": 200.0, "d": -81.0}, -1.0),
    ]
    assert [r.source for r in share] == ["s", "s"]
    with pytest.raises(ValueError, match="unknown type"):
        engine.relation("sum", "r", total="t", parts=["a"])


def test_a_share_holds_exactly_for_the_counts_that_round_to_it() -> None:
    rows = engine.share("s", "share", 40, 0, ["n"], ["d"])
    fits = [
        n for n in range(0, 11) if all(engine.holds(r, {"n": (n, n), "d": (20, 20)}) for r in rows)
    ]
    assert fits == [8]  # 7/20 = 35% and 9/20 = 45% round to 35 and 45; 8/20 = 40%
    change = engine.share("c", "change", -25, 0, ["new"], ["old"])
    assert all(engine.holds(r, {"new": (30, 30), "old": (40, 40)}) for r in change)
    assert not all(engine.holds(r, {"new": (31, 31), "old": (40, 40)}) for r in change)


def test_propagate_narrows_a_latent_total_and_a_masked_part() -> None:
    rows = [
        *engine.additive("sum", "t", ["a", "b"]),
        *engine.identity("same", ["t", "t2"]),
    ]
    values = {"t": (0.0, INF), "t2": (10.0, 10.0), "a": (1.0, 4.0), "b": (8.0, 8.0)}
    narrowed, conflicts = engine.propagate(rows, values)
    assert not conflicts
    assert narrowed["t"] == (10.0, 10.0)
    assert narrowed["a"] == (2.0, 2.0)  # what check never prints: 10 - 8


def test_propagate_names_the_relation_in_conflict() -> None:
    rows = engine.additive("sum", "t", ["a", "b"])
    values = {"t": (30.0, 30.0), "a": (10.0, 10.0), "b": (0.0, 0.0)}
    narrowed, conflicts = engine.propagate(rows, values)
    assert conflicts == {"sum"}
    assert not engine.holds(rows[0], narrowed)


def test_the_2023_package_as_rows() -> None:
    pr = package_relations(read_package(PACKAGE))
    # 364 of relations.toml and 25 that tie the published totals to their quantities
    assert len(pr.relations) == 389 and not pr.problems
    kinds = {v.kind for v in pr.variables.values()}
    assert kinds == {"cell", "text", "latent"}
    assert sum(1 for v in pr.variables.values() if v.masked) == 82  # 81 cells, 1 in the prose
    by_id = {k.id: k for k in pr.discrepancies}
    assert by_id["sex_unknown_2023"].members == (
        "victims.sex_plus_unknown_is_total.2023",
        "text.victims_sex_unknown_2023",
    )
    narrowed, conflicts = engine.propagate(pr.rows(exclude=pr.known_members()), pr.intervals())
    assert not conflicts
    assert all(engine.holds(row, narrowed) for row in pr.rows(exclude=pr.known_members()))


def test_check_and_audit_leave_out_the_same_relations_of_a_known_discrepancy(
    package_dir: Path,
) -> None:
    # a typo in the 2022 table (10 -> 30) recorded as a known discrepancy, the cell written
    # with its keys in another order than the relations write it: check used to match the
    # reference as written only (and reported the relations as violated) while the audit also
    # matched it in canonical order (and left them out)
    edit_csv(
        package_dir,
        "small",
        1,
        value="30",
        value_lower="30",
        value_upper="30",
    )

    def add(d: dict) -> None:
        d["knownDiscrepancies"].append(
            {
                "id": "typo_2022",
                "relations": ["small/form=a/period=2022"],
                "description_en": "A typo in the 2022 table.",
            }
        )

    edit_descriptor(package_dir, add)
    report = check(package_dir)
    assert "consistency.relation-violated" not in [i.code for i in report.issues]
    (known,) = [k for k in report.summary["known_discrepancies"] if k["discrepancy"] == "typo_2022"]
    assert known["relations"] == ["small.sums.2022"]
    excluded = {e.discrepancy: e.relations for e in audit_path(package_dir).excluded}
    assert excluded["typo_2022"] == ("small.sums.2022",)


def test_check_reads_the_relations_of_a_package_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import opendata_mh.relations as rel
    from opendata_mh.audit import audit_check

    calls: list[object] = []
    read = rel._read

    def counting(pkg: object) -> rel.PackageRelations:
        calls.append(pkg)
        return read(pkg)  # type: ignore[arg-type]

    monkeypatch.setattr(rel, "_read", counting)
    report = check(PACKAGE, extra_checks=[audit_check])
    assert report.ok
    assert len(calls) == 1  # the consistency check and the audit share one reading


def _naive_propagate(
    rows: list[engine.LinearRelation], values: dict[str, tuple[float, float]]
) -> tuple[dict[str, tuple[float, float]], set[str]]:
    """Every relation applied in every round (what propagate must equal)."""
    out, conflicts = dict(values), set()
    groups: dict[str, list[engine.LinearRelation]] = {}
    for r in rows:
        groups.setdefault(r.source, []).append(r)
    for _ in range(200):
        changed = False
        for source, rels in groups.items():
            for x, (ilo, iup) in [p for r in rels for p in engine.implied_bounds(r, out)]:
                lo, up = max(out[x][0], ilo), min(out[x][1], iup)
                if lo > up:
                    conflicts.add(source)
                elif (lo, up) != out[x]:
                    out[x], changed = (lo, up), True
        if not changed:
            break
    return out, conflicts


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["additive", "subset", "overlap_subset", "multilabel", "identity"]),
            st.lists(st.sampled_from("abcdef"), min_size=2, max_size=4, unique=True),
        ),
        min_size=1,
        max_size=6,
    ),
    st.dictionaries(
        st.sampled_from("abcdef"),
        st.tuples(st.integers(0, 20), st.integers(0, 20) | st.just(-1)),
        min_size=6,
        max_size=6,
    ),
)
@settings(max_examples=200, deadline=None)
def test_propagate_equals_applying_every_relation_every_round(
    spec: list[tuple[str, list[str]]], bounds: dict[str, tuple[int, int]]
) -> None:
    rows = []
    for i, (rtype, xs) in enumerate(spec):
        rid = f"r{i}"
        if rtype == "identity":
            rows += engine.relation(rtype, rid, cells=xs)
        else:
            rows += engine.relation(rtype, rid, total=xs[0], parts=xs[1:])
    values = {
        x: (float(lo), INF if up < 0 else float(max(lo, up))) for x, (lo, up) in bounds.items()
    }
    assert engine.propagate(rows, values) == _naive_propagate(rows, values)
