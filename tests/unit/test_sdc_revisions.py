"""Editions protected together (:mod:`opendata_mh.sdc.revisions`), checked with the
independent attacker (:mod:`tests.attacker`) under the monotone revision model (a late
registration only adds: old <= new per cell)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from opendata_mh.audit import audit_package, published_problem
from opendata_mh.sdc import Cell, LinearRelation, SDCError, protect_revision, revision_relations
from opendata_mh.validate import read_package
from tests.attacker import (
    edition_relations,
    engine_relations,
    findings,
    masked,
    old_edition_cells,
    printed_alone,
    protect_and_print,
    protect_jointly,
    revision_case,
    revision_pair,
    table_nd,
)

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


HEAD = "row,col,value,value_lower,value_upper,value_printed,cell_type"
"""The columns of table ``t`` (``row`` x ``col``, ``T`` the margins) in the test packages."""


def _ref(c: str) -> str:
    """``old:1|T`` -> ``t/row=1/col=T`` (a cell's reference in the package)."""
    r, k = c[4:].split("|")
    return f"t/row={r}/col={k}"


def _line(c: str, p: str) -> str:
    """The CSV row (without ``edition``) of cell ``c`` printed ``p``."""
    r, k = c[4:].split("|")
    if p == "x":
        return f"{r},{k},,1,,x,secondary"
    if p.startswith("<"):
        return f"{r},{k},,1,4,<5,masked"
    return f"{r},{k},{p},{p},{p},{p},{'zero' if p == '0' else 'exact'}"


def _relation(rid: str, coeffs: dict[str, float]) -> dict[str, object]:
    """An attacker's sum row (total -1, parts +1) as the package's additive relation."""
    total = next(c for c, a in coeffs.items() if a < 0)
    parts = [_ref(c) for c, a in coeffs.items() if a > 0]
    return {"id": rid, "type": "additive", "total": _ref(total), "parts": parts}


def _resource(name: str, header: str, key: list[str]) -> dict[str, object]:
    fields = [{"name": f, "type": "string"} for f in header.split(",")]
    return {"name": name, "path": f"{name}.csv", "schema": {"fields": fields, "primaryKey": key}}


def _write(path: Path, files: dict[str, list[str]], desc: dict[str, object]) -> Path:
    path.mkdir()
    for name, lines in files.items():
        (path / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (path / "datapackage.json").write_text(json.dumps({"name": "t", **desc}), encoding="utf-8")
    return path


def _package(path: Path, printed: dict[str, str], rels: list) -> Path:  # type: ignore[type-arg]
    """A package of one table ``t`` as the build reads the published one: printed values in a
    CSV, the margins as additive relations."""
    t = [HEAD, *(_line(c, p) for c, p in printed.items())]
    return _write(
        path,
        {"t": t},
        {
            "resources": [_resource("t", HEAD, ["row", "col"])],
            "relations": [_relation(rid, coeffs) for rid, coeffs, _, _ in rels],
        },
    )


def test_the_minimal_case_through_the_published_package(tmp_path: Path) -> None:
    """The build's path: the published edition is read back from its package
    (:func:`opendata_mh.audit.published_problem`), not given as the engine's cells; the joint
    protection is the same as from the printed figures, and the independent attacker finds
    nothing in the two editions together."""
    vo, vn, rels = revision_pair(np.array(OLD), np.array(NEW))
    ro, rn = edition_relations(rels)
    old_printed = printed_alone(vo, ro)
    pkg = _package(tmp_path / "published", old_printed, ro)
    cells, rows = published_problem(read_package(pkg), "published:")
    ids = {"published:" + _ref(c): c for c in vo}
    assert {c.id for c in cells} == set(ids)
    # the published <5 cells are targets [1, 4]; nothing of this edition is given away alone
    assert sorted(c.id for c in cells if c.protection == "apriori") == sorted(
        i for i, c in ids.items() if old_printed[c] == "<5"
    )
    res = protect_revision(
        vn, engine_relations(rn), cells, rows, [(i, "new:" + c[4:]) for i, c in ids.items()]
    )
    assert res.secondary == ("new:0|T", "new:1|0", "new:2|T", "new:T|1", "new:T|T")
    printed = masked({**old_printed, **res.printed(vn)})
    assert findings({**vo, **vn}, printed, rels) == {"exact": [], "narrowed": [], "wrong": []}


def test_a_historic_cell_given_away_enters_as_its_audit_interval(tmp_path: Path) -> None:
    # the published edition gives its <5 cell away (T = 6 = 5 + a, both printed): the build
    # reads it as known exactly, not as a target it could still protect
    printed = {"old:a|T": "<5", "old:b|T": "5", "old:T|T": "6"}
    rel = [("s", {"old:T|T": -1.0, "old:a|T": 1.0, "old:b|T": 1.0}, "==", 0.0)]
    pkg = _package(tmp_path / "published", printed, rel)
    cells, _ = published_problem(read_package(pkg), "p:")
    a = next(c for c in cells if c.id == "p:t/row=a/col=T")
    assert (a.lower, a.upper, a.kind, a.protection) == (1, 1, "exact", "none")
    # without the printed total the cell stays a target [1, 4]
    printed["old:T|T"] = "x"
    cells, _ = published_problem(read_package(_package(tmp_path / "p2", printed, rel)), "p:")
    a = next(c for c in cells if c.id == "p:t/row=a/col=T")
    assert (a.lower, a.upper, a.protection) == (1, 4, "apriori")


# -- the minimal case through the package: check and audit combine the editions by themselves


def _two_editions(path: Path, old: dict[str, str], new: dict[str, str], rels: list) -> Path:  # type: ignore[type-arg]
    """A package of table ``t`` as edition 2024 printed it (``new:`` cells), with edition
    2023's printings (``old:``) in ``superseded`` (what ``opendata-mh generate`` writes for a
    built edition)."""
    ro, rn = edition_relations(rels)
    return _editions_package(path, [("2023", old), ("2024", new)], {"2023": ro, "2024": rn})


def _cell_of(c: str) -> str:
    r, k = c[4:].split("|")
    return f"{c[:3]}:t/row={r}/col={k}"


def test_the_minimal_case_audited_from_the_package_alone(tmp_path: Path) -> None:
    """Each edition protected alone: the package's own audit (what ``check`` runs), reading
    the superseded printings, their relations and the monotone model from the package, finds
    exactly the cells the independent attacker finds, naming both editions."""
    vo, vn, rels = revision_pair(np.array(OLD), np.array(NEW))
    ro, rn = edition_relations(rels)
    old_printed, new_printed = printed_alone(vo, ro), printed_alone(vn, rn)
    pkg = _two_editions(tmp_path / "pkg", old_printed, new_printed, rels)
    # each edition alone is safe: the plain audit of the current tables finds nothing
    res = audit_package(read_package(pkg), public=True, shortest=False, mip=True)
    assert res.findings() == []
    got = {
        ("old" if f.edition == "2023" else "new") + ":" + f.cell: "exact" if f.exact else "narrowed"
        for f in res.revisions
    }
    want = {"exact": set(), "narrowed": set()}  # type: dict[str, set[str]]
    for kind, cells in findings({**vo, **vn}, masked({**old_printed, **new_printed}), rels).items():
        if kind != "wrong":
            want[kind] = {_cell_of(c) for c in cells}
    assert {c for c, k in got.items() if k == "exact"} == want["exact"]
    assert {c for c, k in got.items() if k == "narrowed"} == want["narrowed"]
    assert len(want["exact"]) == 7 and len(want["narrowed"]) == 5
    assert all(f.editions == ("2023", "2024") for f in res.revisions)
    issues = [i for i in res.issues if i.code == "audit.revision-disclosure"]
    assert len(issues) == 12 and all(i.severity == "error" for i in issues)
    old_issue = next(i for i in issues if i.resource == "superseded")
    assert "edition 2023's printing of t/row=" in old_issue.message
    assert "with edition(s) 2024 under the monotone revision model" in old_issue.message
    assert "[" not in old_issue.message  # public: no interval
    # the package states the model: with 'none' the editions are independent
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    d["revisionModel"] = {"model": "none", "min_change": None, "max_change": None}
    (pkg / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    assert audit_package(read_package(pkg), public=True).revisions == ()


def test_the_minimal_case_protected_jointly_passes_the_package_audit(tmp_path: Path) -> None:
    vo, vn, rels = revision_pair(np.array(OLD), np.array(NEW))
    old_printed = printed_alone(vo, edition_relations(rels)[0])
    res = protect_jointly(vo, vn, rels, old_printed)
    pkg = _two_editions(tmp_path / "pkg", old_printed, res.printed(vn), rels)
    got = audit_package(read_package(pkg), public=True)
    assert got.revisions == () and got.ok
    assert got.summary()["revision_disclosures"] == 0


def test_printings_that_went_down_leave_the_model_out_for_those_cells_only(
    tmp_path: Path,
) -> None:
    """Cell (1, 2) went down (3 -> 2, both printed masked): the published figures of the two
    editions cannot all hold under the monotone model, which a reader sees. The audit leaves
    the model out for the fewest cells that restore consistency (what a reader does), says so,
    and still finds what the two editions give away (not an infeasible, silent component)."""
    new = [[1, 1, 2], [5, 1, 2], [3, 0, 4]]
    vo, vn, rels = revision_pair(np.array(OLD), np.array(new))
    ro, rn = edition_relations(rels)
    old_printed, new_printed = printed_alone(vo, ro), printed_alone(vn, rn)
    pkg = _two_editions(tmp_path / "pkg", old_printed, new_printed, rels)
    res = audit_package(read_package(pkg), public=True, mip=True)
    notes = [i for i in res.issues if i.code == "audit.revision-contradicted"]
    assert len(notes) == 1 and notes[0].severity == "info"
    assert "2 revised printing(s) contradict the monotone revision model" in notes[0].message
    assert len(res.revisions) == 11 and not res.ok
    assert all(f.editions == ("2023", "2024") for f in res.revisions)


# -- three editions: the new one protected against every earlier printing -------------------


def _editions_package(
    path: Path,
    eds: list[tuple[str, dict[str, str]]],
    rels: dict[str, list],  # type: ignore[type-arg]
) -> Path:
    """Table ``t`` as the last of ``eds`` printed it; every earlier printing in ``superseded``
    (superseded by the next edition) with its edition's relations in ``supersededRelations``
    (what ``opendata-mh generate`` writes for a built edition)."""
    last, printed = eds[-1]
    t = [f"{HEAD},edition", *(f"{_line(c, p)},edition-{last}" for c, p in printed.items())]
    s = [f"resource,{HEAD},edition,superseded_by"]
    for (e, p), (e2, _) in itertools.pairwise(eds):
        s += [f"t,{_line(c, v)},edition-{e},edition-{e2}" for c, v in p.items()]
    return _write(
        path,
        {"t": t, "superseded": s},
        {
            "resources": [
                _resource("t", t[0], ["row", "col"]),
                _resource("superseded", s[0], ["resource", "row", "col", "edition"]),
            ],
            "relations": [_relation(r[0][4:], r[1]) for r in rels[last]],
            "supersededRelations": [
                {**_relation(r[0][4:], r[1]), "edition": e} for e, _ in eds[:-1] for r in rels[e]
            ],
            "revisionModel": {"model": "monotone", "min_change": 0, "max_change": None},
        },
    )


def test_a_third_edition_is_protected_against_every_earlier_printing(tmp_path: Path) -> None:
    """2023 protected alone, 2024 jointly with 2023, 2025 jointly with the package of 2024
    (read back by :func:`published_problem`, as the build does). That package carries the 2023
    printings in ``superseded``: the 2025 edition is protected against them too, and neither
    the package audit nor the independent attacker (all three editions, 2023 <= 2024 <= 2025
    per cell) finds anything. Protected against the latest printing only (a package of 2024
    alone), the three editions give cells away."""
    rng = np.random.default_rng(1)
    a = rng.poisson(3, (3, 3))
    b = a + rng.binomial(2, 0.3, (3, 3))
    c = b + rng.binomial(2, 0.3, (3, 3))
    (va, ra), (vb, rb), (vc, rc) = (
        table_nd(x, p) for x, p in ((a, "e23:"), (b, "e24:"), (c, "e25:"))
    )
    rels = {"2023": ra, "2024": rb, "2025": rc}
    p_a, _ = protect_and_print(va, ra)
    pa = {k: p_a.get(k, str(v)) for k, v in va.items()}
    pairs = [(k, "e24:" + k[4:]) for k in va]
    pb = protect_revision(
        vb, engine_relations(rb), old_edition_cells(pa), engine_relations(ra), pairs
    ).printed(vb)
    p24 = _editions_package(tmp_path / "p24", [("2023", pa), ("2024", pb)], rels)
    latest = _package(
        tmp_path / "latest",
        {"old:" + k[4:]: v for k, v in pb.items()},
        [("old:" + r[0][4:], {"old:" + x[4:]: y for x, y in r[1].items()}, r[2], r[3]) for r in rb],
    )
    link = [(f"rev:{k[4:]}", {k: 1.0, p + k[4:]: -1.0}, "<=", 0.0) for k in va for p in ("e24:",)]
    link += [(f"rev2:{k[4:]}", {k: 1.0, "e25:" + k[4:]: -1.0}, "<=", 0.0) for k in vb]
    found = {}
    for way, pub in (("latest", latest), ("every", p24)):
        cells, rows = published_problem(read_package(pub), "published:")
        res = protect_revision(
            vc, engine_relations(rc), cells, rows, [("published:" + _ref(k), k) for k in vc]
        )
        pc = res.printed(vc)
        eds = [("2023", pa), ("2024", pb), ("2025", pc)]
        audit = audit_package(
            read_package(_editions_package(tmp_path / f"p25-{way}", eds, rels)),
            public=True,
            mip=True,
        )
        printed = {k: v for k, v in {**pa, **pb, **pc}.items() if v in ("x", "<5")}
        attacker = findings({**va, **vb, **vc}, printed, [*ra, *rb, *rc, *link])
        found[way] = (len(audit.revisions), attacker)
    assert found["every"] == (0, {"exact": [], "narrowed": [], "wrong": []})
    assert found["latest"][0] == 6
    assert found["latest"][1]["exact"] or found["latest"][1]["narrowed"]


def test_an_earlier_printing_its_own_edition_gave_away_is_known_to_the_next_build(
    tmp_path: Path,
) -> None:
    """Edition 2023 printed a = <5, b = 5, T = 6 (T = a + b gives a away: a historic
    finding). 2024 re-counts the column; the package of 2024 keeps the 2023 printings in
    ``superseded``. Building 2025 jointly with it must take the 2023 printing of a as what
    2023 already gave away (known, not a target it could still protect), and the package of
    the three editions reports no revision disclosure (the historic finding is 2023's own)."""
    rel = {"a|T": 1.0, "b|T": 1.0, "T|T": -1.0}

    def rels(p: str) -> list:  # type: ignore[type-arg]
        return [(f"{p}sum", {p + k: v for k, v in rel.items()}, "==", 0.0)]

    p23 = {"e23:a|T": "<5", "e23:b|T": "5", "e23:T|T": "6"}
    v24 = {"e24:a|T": 1, "e24:b|T": 6, "e24:T|T": 7}
    v25 = {"e25:a|T": 2, "e25:b|T": 6, "e25:T|T": 8}
    pub23 = _package(tmp_path / "p23", {"old:" + k[4:]: v for k, v in p23.items()}, rels("old:"))
    cells, rows = published_problem(read_package(pub23), "published:")
    pairs = [("published:" + _ref(k), k) for k in v24]
    p24 = protect_revision(v24, engine_relations(rels("e24:")), cells, rows, pairs).printed(v24)
    allrels = {"2023": rels("e23:"), "2024": rels("e24:"), "2025": rels("e25:")}
    pkg24 = _editions_package(tmp_path / "p24", [("2023", p23), ("2024", p24)], allrels)
    cells, rows = published_problem(read_package(pkg24), "published:")
    old_a = next(c for c in cells if c.id == "published:edition-2023:t/row=a/col=T")
    assert old_a.protection != "apriori" and old_a.lower == old_a.upper  # known, no target
    pairs = [("published:" + _ref(k), k) for k in v25]
    p25 = protect_revision(v25, engine_relations(rels("e25:")), cells, rows, pairs).printed(v25)
    eds = [("2023", p23), ("2024", p24), ("2025", p25)]
    got = audit_package(
        read_package(_editions_package(tmp_path / "p25", eds, allrels)), public=True
    )
    assert got.revisions == ()
