"""Group (attribute) disclosure in built editions: a small group whose published breakdown
puts every member in one category (issue 10). Synthetic seeds 1, 5 and 8 produce such groups
(region 'Overig' or 'unknown' all in one form of exploitation; minors of 'other/unknown'
form). How the build protects them is each table's ``sdc.group_protection``: ``breakdown``
(the default of the victim tables: the whole breakdown ``x``, zeros included, CONF_STATUS D,
every ``x`` of the table [0, inf)), ``total`` (the total and its one category ``x``: a
reader cannot tell the group is small) or ``off`` (the audit, ``audit.group-disclosure``,
reports it and the build refuses). The independent attacker (``tests/attacker.py``) reads the
built package as published and finds no ``<5`` cell exact or narrowed and no group."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import opendata_mh.build as build_mod
from opendata_mh.audit import audit_path
from opendata_mh.build import BuildError, BuildResult, build
from opendata_mh.csvfile import with_long_columns
from opendata_mh.relations import package_relations
from opendata_mh.validate import check, read_package
from tests.attacker import Known, Rel, intervals
from tests.synthetic import copy_metadata, write_records


def _one_category_rows(pkg: Path) -> list[tuple[str, str]]:
    """(region, the one form) of every 2024 region of ``victims_by_region`` whose total is
    printed ``<5`` and whose forms are all printed ``0`` but one: read from the CSV, without
    the audit."""
    with (pkg / "data" / "victims_by_region.csv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in map(with_long_columns, csv.DictReader(fh)) if r["period"] == "2024"]
    out = []
    for region in {r["region"] for r in rows}:
        mine = {r["form"]: r["value_printed"] for r in rows if r["region"] == region}
        forms = {f: p for f, p in mine.items() if f != "all"}
        rest = [f for f, p in forms.items() if p != "0"]
        if mine.get("all", "").startswith("<") and len(rest) == 1:
            out.append((region, rest[0]))
    return sorted(out)


def _rows(pkg: Path, table: str = "victims_by_region") -> list[dict[str, str]]:
    with (pkg / "data" / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        return list(map(with_long_columns, csv.DictReader(fh)))


def _build(
    tmp: Path, seed: int, *, check: bool = True, setting: str | None = None
) -> tuple[Path, BuildResult]:
    """Build 2024 from synthetic seed ``seed``; ``setting`` replaces the group protection of
    every victim table (``breakdown`` as committed)."""
    raw = write_records(tmp / "raw", seed=seed)
    meta = copy_metadata(tmp)
    if setting is not None:
        for f in (meta / "tables").glob("*.toml"):
            text = f.read_text(encoding="utf-8")
            f.write_text(
                text.replace('group_protection = "breakdown"', f'group_protection = "{setting}"'),
                encoding="utf-8",
            )
    pkg = tmp / "datapackage"
    res = build(meta, [raw], year=2024, out_dir=pkg, date="2025-06-30", check=check)
    return pkg, res


def attacker_findings(pkg: Path) -> dict[str, list[str]]:
    """The independent attacker on the built package as published (every figure's interval
    from its CSV, ``x`` of a 'breakdown' table [0, inf); every relation but those of known
    discrepancies): 2024 ``<5`` cells exact or narrowed, and small groups -- a 2024 total
    known to be in 1..4 whose parts are all provably 0 but one."""
    pr = package_relations(read_package(pkg))
    out_ids = pr.known_members()
    rels: list[Rel] = [
        (row.id, dict(row.coeffs), "==" if row.kind == "eq" else "<=", row.rhs)
        for r in pr.relations
        if r.id not in out_ids
        for row in r.rows
    ]
    know = {v.id: Known(v.lower, v.upper) for v in pr.variables.values()}
    new = [
        v.id
        for v in pr.variables.values()
        if v.kind == "cell" and "period=2024" in v.id and v.lower != v.upper
    ]
    iv = intervals(know, rels, new)
    found: dict[str, list[str]] = {"exact": [], "narrowed": [], "groups": []}
    for c in new:
        if pr.variables[c].cell_type != "masked":
            continue
        if iv[c][0] == iv[c][1]:
            found["exact"].append(c)
        elif iv[c] != (1, 4):
            found["narrowed"].append(c)
    for r in pr.relations:
        if r.type not in ("additive", "multilabel") or r.total not in iv or r.id in out_ids:
            continue
        lo, hi = iv[r.total]
        if not (lo >= 1 and hi <= 4):
            continue
        up = [iv[p][1] if p in iv else pr.variables[p].upper for p in r.parts]
        if sum(u > 0 for u in up) <= 1 and len(r.parts) > 1:
            found["groups"].append(r.id)
    return found


@pytest.fixture(scope="module")
def seed1(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    return _build(tmp_path_factory.mktemp("seed1"), 1)


def test_breakdown_prints_the_whole_breakdown_x(seed1: tuple[Path, BuildResult]) -> None:
    pkg, res = seed1
    # seed 1: region 'Overig' 2024 is <5, all in one form; now its four forms are x, the
    # zeros included, CONF_STATUS D, and every x of the table reads [0, inf)
    other = {r["form"]: r for r in _rows(pkg) if r["period"] == "2024" and r["region"] == "other"}
    assert other["all"]["value_printed"] == "<5"
    forms = [f for f in other if f != "all"]
    assert len(forms) == 4
    for f in forms:
        r = other[f]
        assert (r["value_printed"], r["value"], r["value_lower"], r["value_upper"]) == (
            "x",
            "",
            "0",
            "",
        )
        assert (r["cell_type"], r["obs_status"], r["conf_status"]) == ("secondary", "Q", "D")
    xs = [r for r in _rows(pkg) if r["value_printed"] == "x"]
    assert xs and all(r["value_lower"] == "0" for r in xs)
    # (cases and suspects keep 'total': their x is at least 1)
    court = [r for r in _rows(pkg, "court_cases_by_form") if r["value_printed"] == "x"]
    assert court and all(r["value_lower"] == "1" for r in court)
    a = res.audit
    assert a["groups"] == {"breakdown": 2, "total": 0, "off": 0} and a["masked_zeros"] == 4
    assert a["groups_protected"] == 2
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    sdc = {r["name"]: r.get("sdc") for r in desc["resources"]}
    assert sdc["victims_by_region"]["groupProtection"] == "breakdown"
    assert sdc["court_cases_by_form"]["groupProtection"] == "total"


def test_breakdown_leaves_no_group_to_the_audit_or_the_attacker(
    seed1: tuple[Path, BuildResult],
) -> None:
    pkg, _ = seed1
    a = audit_path(pkg)
    assert a.groups == ()
    assert not [i for i in a.issues if i.code == "audit.group-disclosure"]
    assert check(pkg).ok
    assert attacker_findings(pkg) == {"exact": [], "narrowed": [], "groups": []}


@pytest.mark.parametrize("seed", [5, 8])
def test_other_seeds_are_protected_by_the_breakdown(tmp_path: Path, seed: int) -> None:
    pkg, res = _build(tmp_path, seed)
    assert res.audit["groups"]["breakdown"] >= 1 and res.audit["masked_zeros"] >= 1
    assert _one_category_rows(pkg) == []
    assert audit_path(pkg).groups == ()
    assert attacker_findings(pkg) == {"exact": [], "narrowed": [], "groups": []}


def test_total_suppresses_the_total(tmp_path: Path) -> None:
    pkg, res = _build(tmp_path, 1, setting="total")
    other = {r["form"]: r for r in _rows(pkg) if r["period"] == "2024" and r["region"] == "other"}
    printed = {f: r["value_printed"] for f, r in other.items()}
    # the total and its one category x (at least 1), the zeros stay 0
    assert printed["all"] == "x" and other["all"]["value_lower"] == "1"
    assert sorted(printed.values()) == ["0", "0", "0", "x", "x"]
    assert res.audit["groups"] == {"breakdown": 0, "total": 2, "off": 0}
    assert res.audit["masked_zeros"] == 0
    assert audit_path(pkg).groups == ()
    assert attacker_findings(pkg) == {"exact": [], "narrowed": [], "groups": []}


def test_off_is_reported_by_check_and_refused_by_the_build(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"audit\.group-disclosure"):
        _build(tmp_path / "refused", 1, setting="off")
    # written without the check, seed 1 prints region 'Overig' 2024 as <5 with every form 0
    # but labour exploitation
    pkg, res = _build(tmp_path / "unchecked", 1, check=False, setting="off")
    assert res.audit["groups"] == {"breakdown": 0, "total": 0, "off": 2}
    assert _one_category_rows(pkg) == [("other", "labour")]
    report = check(pkg, extra_checks=build_mod.FULL_CHECKS)
    groups = [i for i in report.issues if i.code == "audit.group-disclosure"]
    assert groups and all(i.severity == "error" for i in groups) and not report.ok
    a = audit_path(pkg)
    found = {(g.total, g.category, g.relation) for g in a.groups}
    assert (
        "victims_by_region/period=2024/region=other/form=all",
        "victims_by_region/period=2024/region=other/form=labour",
        "victims.region_row_forms_overlap.2024.other",
    ) in found
    issues = [i for i in a.issues if i.code == "audit.group-disclosure"]
    assert len(issues) == len(a.groups) and all(i.severity == "error" for i in issues)
    assert "puts every member in victims_by_region/period=2024/region=other/form=labour" in (
        issues[0].message + issues[-1].message
    )
    assert attacker_findings(pkg)["groups"]
