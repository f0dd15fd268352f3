"""Editions protected together (issue 10): a synthetic 2024 edition that revises 2020-2023 the
way late registrations do (records only added: ``old <= new`` per cell) is protected jointly
with the published 2023 edition, and the independent attacker (:mod:`tests.attacker`) finds
nothing in the merged package."""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from opendata_mh.build import BuildError, BuildResult, build
from opendata_mh.cli import main
from opendata_mh.csvfile import with_long_columns
from opendata_mh.model.constants import VALUE_COLUMNS
from opendata_mh.relations import package_relations
from opendata_mh.validate import read_package
from tests.attacker import Known, Rel, intervals
from tests.synthetic import copy_metadata, generator, write_records

ROOT = Path(__file__).resolve().parents[2]
NEW = "2024"


def _published(name: str) -> list[dict[str, str]]:
    with (ROOT / "datapackage" / "data" / f"{name}.csv").open(encoding="utf-8") as fh:
        return list(map(with_long_columns, csv.DictReader(fh)))


# (record type, record field, table, table dimension, fixed dimensions)
FIELDS = [
    ("om_case", "form", "om_cases_by_form", "form", {}),
    ("om_case", "disposal", "om_disposals", "disposal", {"form": "all"}),
    ("court_case", "form", "court_cases_by_form", "form", {}),
    ("court_case", "court_outcome", "court_outcomes", "court_outcome", {"form": "all"}),
    (
        "court_case",
        "suspect_country_of_birth",
        "tried_suspects_by_country_of_birth",
        "country_of_birth",
        {"form": "all"},
    ),
    ("court_case", "suspect_age_group", "tried_suspects_by_age", "age_group_suspect", {}),
]


@pytest.mark.parametrize("seed", [1, 2])
def test_synthetic_revisions_only_add(seed: int) -> None:
    """Every published cell of 2020-2023 keeps at least what it printed (a ``<5`` at least
    4, the most it can be): no cell goes down, as with late registrations."""
    frames = generator().make(2024, seed=seed)
    down = []
    for rtype, fld, table, dim, fixed in FIELDS:
        df = frames[rtype]
        for r in _published(table):
            if r["period"] not in ("2020", "2021", "2022", "2023") or r[dim] == "all":
                continue
            if any(r[k] != v for k, v in fixed.items()) or (
                "form" in r and dim != "form" and r["form"] != "all"
            ):
                continue
            most = int(r["value"] or r["value_upper"])
            got = Counter(df.loc[df["year"] == int(r["period"]), fld])[r[dim]]
            if got < most:
                down.append((table, r["period"], r[dim], most, got))
    assert down == []
    # and the revised years did change: late registrations were added
    om = frames["om_case"]
    reg = {r["period"]: int(r["value"]) for r in _published("om_cases_registered")}
    added = {y: int((om["year"] == y).sum()) - reg[str(y)] for y in range(2020, 2024)}
    assert all(v >= 0 for v in added.values()) and sum(added.values()) > 0


def test_synthetic_redraw_option_goes_both_ways() -> None:
    frames = generator().make(2024, seed=1, revisions="redraw")
    om = frames["om_case"]
    reg = {r["period"]: int(r["value"]) for r in _published("om_cases_registered")}
    diff = [int((om["year"] == y).sum()) - reg[str(y)] for y in range(2020, 2024)]
    assert min(diff) < 0 < max(diff)


# -- the merged package under the independent attacker -------------------------------------


def _read(path: Path, prefix: str) -> tuple[dict[str, Known], list[Rel], list[str], dict[str, str]]:
    """A package as the attacker reads it: what each figure tells, the relation rows (known
    discrepancies left out, as the report contradicts itself there), the masked cells and the
    edition of every table cell (the CSV's ``edition`` column)."""
    pr = package_relations(read_package(path))
    know = {prefix + v.id: Known(v.lower, v.upper) for v in pr.variables.values()}
    masked = [prefix + v.id for v in pr.variables.values() if v.cell_type == "masked"]
    out = pr.known_members()
    rels: list[Rel] = [
        (
            prefix + row.id,
            {prefix + k: a for k, a in row.coeffs.items()},
            "==" if row.kind == "eq" else "<=",
            row.rhs,
        )
        for r in pr.relations
        if r.id not in out
        for row in r.rows
    ]
    csvs: dict[str, list[dict[str, str]]] = {}
    eds: dict[str, str] = {}
    for v in pr.variables.values():
        if v.kind != "cell" or v.resource is None or v.row is None:
            continue
        if v.resource not in csvs:
            with (path / "data" / f"{v.resource}.csv").open(encoding="utf-8") as fh:
                csvs[v.resource] = list(map(with_long_columns, csv.DictReader(fh)))
        # the CSV writes the edition as text, 'edition-<id>' (issue 13)
        eds[v.id] = csvs[v.resource][v.row - 1].get("edition", "").removeprefix("edition-")
    return know, rels, masked, eds


def merged_findings(old: Path, new: Path) -> list[tuple[Any, ...]]:
    """What a reader holding both editions learns beyond each edition alone.

    The attacker links every cell of the new edition's package to the published one: a cell
    the new edition revised by the monotone model (``old <= new``), any other cell as the same
    figure (``old == new``). Findings: a masked cell of the new edition that is not [1, 4] in
    its own package or in the merged problem; any other masked cell whose merged interval is
    narrower than what the two packages give away each on their own (historic findings stay
    what they were)."""
    ok, orl, om, _ = _read(old, "old:")
    nk, nrl, nm, eds = _read(new, "new:")
    link: list[Rel] = []
    for o in ok:
        base = o[4:]
        if "new:" + base in nk and base in eds:
            sense = "<=" if eds[base] == NEW else "=="
            link.append((f"rev:{base}", {o: 1.0, "new:" + base: -1.0}, sense, 0.0))
    # the tables the new edition revised (the others meet the old edition only in equal cells)
    touched = {b.split("/")[0] for b, e in eds.items() if e == NEW and f"period={NEW}" not in b}
    om = [c for c in om if c[4:].split("/")[0] in touched]
    nm = [c for c in nm if c[4:].split("/")[0] in touched]
    alone = {**intervals(ok, orl, om), **intervals(nk, nrl, nm)}
    both = intervals({**ok, **nk}, [*orl, *nrl, *link], [*om, *nm])
    found: list[tuple[Any, ...]] = []
    for c in [*om, *nm]:
        base = c.split(":", 1)[1]
        revised = eds.get(base) == NEW
        if c.startswith("new:") and revised and alone[c] != (1, 4):
            found.append(("alone", c, alone[c]))
        same = [p + base for p in ("old:", "new:") if p + base in alone]
        ivs = [alone[x] for x in same if not revised or x == c]
        want = (max(i[0] for i in ivs), min(i[1] for i in ivs))
        if both[c] != want:
            found.append(("merged", c, want, both[c]))
    return found


def _build(
    tmp: Path, seed: int, model: str = "monotone", check: bool = True
) -> tuple[Path, BuildResult]:
    raw = tmp / "raw"
    if not raw.exists():
        write_records(raw, seed=seed, year=int(NEW))
    shutil.rmtree(tmp / "metadata", ignore_errors=True)
    meta = copy_metadata(tmp)
    pkg = tmp / "datapackage"
    res = build(
        meta,
        [raw],
        year=int(NEW),
        out_dir=pkg,
        date="2025-06-30",
        revision_model=model,
        check=check,
    )
    return pkg, res


def earlier_edition(pkg: Path, edition: str, out: Path) -> Path:
    """Edition ``edition`` of the package, rebuilt from the package alone: its printings (the
    rows of ``superseded`` it printed, else the tables' rows it printed) and the relations
    that held among them (``supersededRelations``); what a reader of that edition held."""
    shutil.copytree(pkg, out)
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    label = f"edition-{edition}"
    with (pkg / "data" / "superseded.csv").open(encoding="utf-8") as fh:
        sup = [r for r in csv.DictReader(fh) if r["edition"] == label]
    keep = []
    for res in d["resources"]:
        res.pop("bytes", None)
        res.pop("hash", None)
        if res["name"] == "superseded" or res.get("format") != "csv":
            continue
        keep.append(res)
        key = res["schema"].get("primaryKey") or []
        path = out / res["path"]
        with path.open(encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            head, rows = list(reader.fieldnames or []), list(reader)
        if "edition" not in head or "cell_type" not in head:
            continue
        old = {tuple(r.get(k, "") for k in key): r for r in sup if r["resource"] == res["name"]}
        out_rows = []
        for r in rows:
            o = old.get(tuple(r.get(k, "") for k in key))
            if o is not None:
                new = {k: o[k] for k in VALUE_COLUMNS if k in head}  # a table CSV: no printed
                out_rows.append({**r, **new, "edition": label})
            elif r["edition"] == label:
                out_rows.append(r)
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, head, lineterminator="\n")
            w.writeheader()
            w.writerows(out_rows)
    d["resources"] = keep
    d["relations"] = [
        {k: v for k, v in r.items() if k != "edition"}
        for r in d["supersededRelations"]
        if r["edition"] == edition
    ]
    (out / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def joint_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    return _build(tmp_path_factory.mktemp("joint"), seed=1)


def test_joint_build_leaks_nothing_to_a_reader_of_both_editions(
    joint_build: tuple[Path, BuildResult],
) -> None:
    pkg, res = joint_build
    rev = res.audit["revisions"]
    # 2020-2023 of the prosecution and court tables: every published cell is revised
    assert rev["model"] == "monotone" and rev["revised_cells"] == 104
    assert rev["contradicted"] == 0
    # the price of protecting jointly, beside protecting alone (cells; the value is
    # confidential, tests/integration/test_build_summary.py)
    assert rev["joint"]["cells"] > rev["alone"]["cells"] > 0 and "value" not in rev["joint"]
    assert merged_findings(ROOT / "datapackage", pkg) == []
    # from the merged package alone: its superseded printings and their relations are
    # edition 2023 as published, and the monotone model the package states
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    assert d["revisionModel"]["model"] == "monotone"
    with (pkg / "data" / "superseded.csv").open(encoding="utf-8") as fh:
        sup = list(csv.DictReader(fh))
    assert len(sup) == rev["revised_cells"] == 104
    assert {(r["edition"], r["superseded_by"]) for r in sup} == {("edition-2023", "edition-2024")}
    assert sum(r["cell_type"] == "masked" for r in sup) > 0
    old = earlier_edition(pkg, "2023", pkg.parent / "edition-2023")
    assert merged_findings(old, pkg) == []
    r = CliRunner().invoke(main, ["check", str(pkg), "--json"])
    assert r.exit_code == 0, r.output
    # the 2023 acknowledged findings of cells 2024 re-printed moved with their printings
    moved = [a for a in d["acknowledgedFindings"] if a.get("edition") == "2023"]
    assert len(moved) == 11 and len(d["acknowledgedFindings"]) == 45
    on_sup = [i for i in json.loads(r.stdout)["issues"] if i["resource"] == "superseded"]
    assert [i["code"] for i in on_sup] == ["audit.acknowledged"] * 11
    assert all("edition 2023's printing of" in i["message"] for i in on_sup)
    # (not vacuous: the attacker reads the revised cells of the new edition)
    _, _, masked, eds = _read(pkg, "new:")
    assert sum(eds.get(c[4:]) == NEW and "period=2024" not in c for c in masked) > 0


def test_a_build_protected_alone_leaks_through_the_revisions(tmp_path: Path) -> None:
    """What the joint protection prevents: the same edition protected on its own (the build
    before issue 10) lets a reader of both editions narrow masked cells. The package says so
    by itself: its superseded printings, their relations and the monotone model are enough
    for 'check' (exit 1, findings naming both editions), and the build refuses it."""
    with pytest.raises(BuildError, match=r"audit\.revision-disclosure"):
        _build(tmp_path, seed=1, model="none")
    pkg, res = _build(tmp_path, seed=1, model="none", check=False)
    assert "joint" not in res.audit["revisions"]
    found = merged_findings(ROOT / "datapackage", pkg)
    assert any(f[0] == "merged" for f in found)
    # the attacker needs nothing but the merged package: edition 2023 rebuilt from it
    assert any(
        f[0] == "merged" for f in merged_findings(earlier_edition(pkg, "2023", tmp_path / "e"), pkg)
    )
    r = CliRunner().invoke(main, ["check", str(pkg), "--json"])
    assert r.exit_code == 1, r.output
    issues = [i for i in json.loads(r.stdout)["issues"] if i["code"] == "audit.revision-disclosure"]
    assert issues and all(i["severity"] == "error" for i in issues)
    assert all("edition 2024" in i["message"] and "2023" in i["message"] for i in issues)
    assert {i["resource"] for i in issues} <= {
        "om_cases_registered",
        "om_cases_by_form",
        "om_disposals",
        "court_cases_by_form",
        "court_outcomes",
        "tried_suspects_by_country_of_birth",
        "tried_suspects_by_age",
        "superseded",
    }


def test_superseded_has_no_empty_column_for_default_readers(
    joint_build: tuple[Path, BuildResult],
) -> None:
    """``superseded.csv`` had a column for every dimension of the package, most of them empty
    in a built edition (only the revised tables' dimensions hold codes): pandas reads an empty
    column as float64 and R as logical, so the same dimension had another type than in the
    tables (s3-read). It carries the dimensions of the revised tables only."""
    import pandas as pd

    pkg, _ = joint_build
    sup = pd.read_csv(pkg / "data" / "superseded.csv")
    assert len(sup) == 104
    assert [c for c in sup.columns if sup[c].isna().all()] == []
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in d["resources"] if r["name"] == "superseded")
    dims = [f["name"] for f in res["schema"]["fields"]][3:-7]
    assert dims and all(str(sup[c].dtype) in ("object", "str") for c in dims), sup.dtypes
    tables = {r["name"]: r for r in d["resources"]}
    revised = set(sup["resource"])
    used = {f["name"] for t in revised for f in tables[t]["schema"]["fields"]}
    assert set(dims) <= used
