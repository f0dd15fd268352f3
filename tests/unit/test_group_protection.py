"""Group (attribute) disclosure: the three protections of ``sdc.group_protection`` on a small
hand-made table, with the exact printed pattern, checked by the independent attacker
(``tests/attacker.py``, scipy ``milp``, no engine code) under what a reader of each pattern
knows (issue 10).

The table (rows r1..r3 and their total T, columns A..C and their total T)::

         A   B   C |  T
    r1   0   3   0 |  3     <- a small group: every member in B
    r2  10   7   6 | 23
    r3   8   9  12 | 29
    T   18  19  18 | 55
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from opendata_mh import sdc
from opendata_mh.build import SmallGroup, group_plan, group_protection
from opendata_mh.errors import MetadataError
from opendata_mh.model import GROUP_PROTECTIONS, load_metadata
from tests.attacker import Known, Rel, intervals

ROOT = Path(__file__).resolve().parents[2]
ROWS = ["r1", "r2", "r3", "T"]
INNER = {"r1": [0, 3, 0], "r2": [10, 7, 6], "r3": [8, 9, 12]}


def _table() -> tuple[dict[str, int], list[sdc.LinearRelation], list[Rel]]:
    v: dict[str, int] = {}
    for r, row in INNER.items():
        for c, x in zip("ABC", row, strict=True):
            v[f"{r}{c}"] = x
        v[f"{r}T"] = sum(row)
    for c in "ABC":
        v[f"T{c}"] = sum(v[f"{r}{c}"] for r in INNER)
    v["TT"] = sum(v[f"T{c}"] for c in "ABC")
    sums = [(f"row.{r}", f"{r}T", [f"{r}{c}" for c in "ABC"]) for r in ROWS]
    sums += [(f"col.{c}", f"T{c}", [f"{r}{c}" for r in INNER]) for c in "ABCT"]
    lin = [x for rid, t, ps in sums for x in sdc.relation("additive", rid, total=t, parts=ps)]
    plain: list[Rel] = [
        (rid, {t: -1.0, **dict.fromkeys(ps, 1.0)}, "==", 0.0) for rid, t, ps in sums
    ]
    return v, lin, plain


GROUP = ("r1T", "r1B", ("r1A", "r1C"), "row.r1")


def _suppress(
    v: dict[str, int], lin: list[sdc.LinearRelation], groups: list[SmallGroup]
) -> tuple[set[str], list[str]]:
    """The build's protection (``group_plan`` + ``sdc.suppress`` as ``build`` calls them):
    the cells printed ``x`` and the zeros among them."""
    forced, zeros, shown = group_plan(groups)
    prim = [k for k, x in v.items() if 1 <= x < 5]
    res = sdc.suppress(
        v,
        lin,
        threshold=5,
        primary=prim,
        cost="value",
        upgradable=prim,
        forced_upgrades=forced,
        masked_zeros=zeros,
        zero_candidates=[k for k, x in v.items() if x == 0] if zeros else [],
    )
    return set(res.secondary) | set(res.upgraded) | set(shown), zeros


def _protect(mode: str) -> dict[str, list[str]]:
    """The build's protection printed row by row: ``<5``, ``x`` or the count."""
    v, lin, _ = _table()
    xs, _ = _suppress(v, lin, [SmallGroup(*GROUP, mode)])
    out = {k: "x" if k in xs else ("<5" if 1 <= x < 5 else str(x)) for k, x in v.items()}
    return {r: [out[f"{r}{c}"] for c in "ABCT"] for r in ROWS}


def _reader(printed: dict[str, list[str]], x_lower: int) -> dict[str, tuple[float, float]]:
    """The independent attacker's interval of every suppressed cell, ``x`` read as
    [x_lower, inf)."""
    _, _, rels = _table()
    know: dict[str, Known] = {}
    for r, row in printed.items():
        for c, p in zip("ABCT", row, strict=True):
            k = f"{r}{c}"
            know[k] = (
                Known(x_lower) if p == "x" else Known(1, 4) if p == "<5" else Known(int(p), int(p))
            )
    return intervals(know, rels, [k for k, kn in know.items() if not kn.exact])


def test_breakdown_prints_the_whole_breakdown_x_zeros_included() -> None:
    printed = _protect("breakdown")
    assert printed == {
        "r1": ["x", "x", "x", "<5"],  # the group: its zeros are x too, its total stays <5
        "r2": ["x", "x", "x", "x"],  # what lets every x of r1 move (secondary suppression)
        "r3": ["8", "9", "12", "29"],
        "T": ["18", "19", "18", "55"],
    }
    iv = _reader(printed, x_lower=0)  # in a 'breakdown' table every x may be 0
    assert iv["r1A"][1] >= 1 and iv["r1C"][1] >= 1  # no reader can prove a zero
    assert iv["r1B"][0] == 0  # nor that B holds anyone
    assert iv["r1T"] == (1, 4)


def test_total_prints_the_total_and_its_category_x() -> None:
    printed = _protect("total")
    assert printed == {
        "r1": ["0", "x", "0", "x"],  # zeros stay 0; the total and its one category are x
        "r2": ["10", "x", "6", "x"],
        "r3": ["8", "9", "12", "29"],
        "T": ["18", "19", "18", "55"],
    }
    iv = _reader(printed, x_lower=1)
    assert iv["r1T"][1] >= 5 and iv["r1B"][1] >= 5  # no reader can tell the group is small


def test_off_leaves_the_group_visible() -> None:
    printed = _protect("off")
    assert printed == {
        "r1": ["0", "<5", "0", "<5"],  # every member of r1 is in B: what the audit reports
        "r2": ["10", "x", "6", "x"],
        "r3": ["8", "9", "12", "29"],
        "T": ["18", "19", "18", "55"],
    }
    iv = _reader(printed, x_lower=1)
    assert iv["r1T"] == (1, 4) and iv["r1B"] == (1, 4)  # the <5 cells themselves are safe


def test_group_protection_from_the_tables_settings() -> None:
    both = {"victims_by_region": "breakdown", "sexual_exploitation_by_sector_region": "total"}
    parts = ["victims_by_region/p=1", "victims_by_region/p=2"]
    assert group_protection("victims_by_region/all", parts, both) == "breakdown"
    # a part in a table whose x is 'at least 1': the zeros cannot become x there
    mixed = [parts[0], "sexual_exploitation_by_sector_region/p=3"]
    assert group_protection("victims_by_region/all", mixed, both) == "total"
    off = dict.fromkeys(both, "off")
    assert group_protection("victims_by_region/all", mixed, off) == "off"
    assert group_protection("victims_by_region/all", parts, {**off, "x": "total"}) == "off"


def test_every_table_states_its_group_protection() -> None:
    meta = load_metadata(ROOT / "metadata")
    got = {t.id: t.sdc.group_protection for t in meta.tables}
    for t in meta.tables:
        if t.sdc.rule == "rounding":
            assert got[t.id] is None
        else:  # on for victim tables: 'breakdown'; 'total' for cases and suspects
            assert got[t.id] == ("breakdown" if t.unit == "victims" else "total"), t.id
    assert sorted(set(got.values()) - {None}) == ["breakdown", "total"]
    assert set(GROUP_PROTECTIONS) == {"breakdown", "total", "off"}


def test_unknown_group_protection_is_refused(tmp_path: Path) -> None:
    meta = tmp_path / "metadata"
    shutil.copytree(ROOT / "metadata", meta)
    f = meta / "tables" / "05_victims_by_region.toml"
    f.write_text(
        f.read_text(encoding="utf-8").replace(
            'group_protection = "breakdown"', 'group_protection = "zeros"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(MetadataError, match="group_protection 'zeros' must be one of"):
        load_metadata(meta)


def _groups_2d(v: dict[str, int], shape: tuple[int, int]) -> list[SmallGroup]:
    """Every row and column of a ``table_nd`` 2-D table whose total is 1..4 and whose
    parts are all 0 but one."""
    lines = [(f"{i}|T", [f"{i}|{j}" for j in range(shape[1])]) for i in range(shape[0])]
    lines += [(f"T|{j}", [f"{i}|{j}" for i in range(shape[0])]) for j in range(shape[1])]
    out = []
    for total, parts in lines:
        rest = [p for p in parts if v[p]]
        if 1 <= v[total] <= 4 and len(rest) == 1:
            zeros = tuple(p for p in parts if p != rest[0])
            out.append(SmallGroup(total, rest[0], zeros, total, ""))
    return out


@pytest.mark.parametrize("mode", ["breakdown", "total"])
def test_random_tables_with_small_groups(mode: str) -> None:
    """30 random 2-D tables with margins, each with a planted small group (row 0: total 1..4,
    all in one column) and whatever other groups the draw makes, protected with ``mode``:
    the independent attacker, reading ``x`` as the package does ([0, inf) under
    ``breakdown``, [1, inf) under ``total``), finds no ``<5`` cell exact or narrowed, no
    small group (``breakdown``: no two parts but one provably 0; ``total``: no group total
    provably small)."""
    from dataclasses import replace

    from tests.attacker import engine_relations, table_nd

    rng = np.random.default_rng(10)
    checked = {"groups": 0, "masked_zeros": 0}
    for _ in range(30):
        shape = (int(rng.integers(3, 6)), int(rng.integers(3, 6)))
        inner = rng.poisson(6.0, shape)
        inner[rng.random(shape) < 0.2] = 0
        inner[0] = 0
        inner[0, int(rng.integers(shape[1]))] = int(rng.integers(1, 5))
        v, rels = table_nd(inner)
        groups = [replace(g, protection=mode) for g in _groups_2d(v, shape)]
        xs, zeros = _suppress(v, engine_relations(rels), groups)
        x_lo = 0 if mode == "breakdown" else 1
        know = {
            k: Known(x_lo) if k in xs else Known(1, 4) if 1 <= x < 5 else Known(x, x)
            for k, x in v.items()
        }
        iv = intervals(know, rels, [k for k, kn in know.items() if not kn.exact])
        for k, kn in know.items():
            if kn.lo == 1 and kn.hi == 4:
                assert iv[k] == (1, 4), (inner.tolist(), k, mode)
        for g in groups:
            if mode == "total":  # the zeros stay 0: the group's size is what is hidden
                assert iv[g.total][1] >= 5, (inner.tolist(), g)
            else:  # the total stays <5: where its members are is what is hidden
                up = [iv[p][1] for p in (g.category, *g.zeros)]
                assert sum(u > 0 for u in up) >= 2, (inner.tolist(), g, mode)
                assert all(iv[z][1] >= 1 for z in g.zeros), (inner.tolist(), g)
                c = iv[g.category]
                assert c[0] <= 1 and c[1] >= min(4, iv[g.total][1])
        checked["groups"] += len(groups)
        checked["masked_zeros"] += len(zeros)
    # not vacuous: every table has its planted group
    assert checked["groups"] >= 30
    assert (checked["masked_zeros"] > 0) is (mode == "breakdown")
