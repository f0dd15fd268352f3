"""The x convention of the engine's API, checked with the independent attacker
(:mod:`tests.attacker`, scipy ``milp``, no engine code): the defaults are the
build's convention (``x`` = "not published; at least 1", every primary may be
upgraded), an upgraded primary keeps the lowest lower end its zeros allow, and
the unsound ``zeros_suppressible`` option is gone."""

from __future__ import annotations

import inspect
import math

import pytest

from opendata_mh.sdc import SDCError, parse_printed, published_cells, secondary_interval, suppress
from tests.attacker import Known, engine_relations, intervals, printed_knowledge, table_2d


def _printed(res) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {c: ("<5" if p == "primary" else "x") for c, p in res.printed_suppressed().items()}


def test_masked_zero_model_was_unsound_and_the_option_is_gone() -> None:
    # inner [[5, 6], [0, 2]]: the pattern the old zeros_suppressible=True chose masks
    # 0|1 (6) and 0|T (11) next to the <5 cells 1|1 (2) and 1|T (2)
    vals, rels = table_2d([[5, 6], [0, 2]])
    printed = {"0|1": "x", "0|T": "x", "1|1": "<5", "1|T": "<5"}
    know = printed_knowledge(vals, printed, x_lower=5)
    hull = {c: (Known(0) if p == "x" else know[c]) for c, p in printed.items()} | {
        c: k for c, k in know.items() if c not in printed
    }
    # the engine's convex hull [0, inf) saw the <5 cells at [1, 4] ...
    assert intervals(hull, rels, ["1|1"]) == {"1|1": (1, 4)}
    # ... but a masked cell is 0 or >= 5, and the integer attacker narrows them
    true_set = hull | {c: Known(5, gap=True) for c, p in printed.items() if p == "x"}
    assert intervals(true_set, rels, ["1|1", "1|T"]) == {"1|1": (1, 3), "1|T": (1, 3)}
    for fn in (suppress, published_cells, parse_printed, secondary_interval):
        assert "zeros_suppressible" not in inspect.signature(fn).parameters, fn.__name__
    with pytest.raises(TypeError):
        suppress(vals, engine_relations(rels), zeros_suppressible=True)  # type: ignore[call-arg]


def test_api_default_is_the_build_convention() -> None:
    # T = 3 = 1 + 2, all primary: under x >= 5 no pattern protects it; the default
    # (x >= 1, primaries upgradable) prints T as x
    vals = {"T": 3, "a": 1, "b": 2}
    rels = [("t", {"T": -1.0, "a": 1.0, "b": 1.0}, "==", 0.0)]
    res = suppress(vals, engine_relations(rels))
    assert res.upgraded == ("T",)
    assert _printed(res) == {"T": "x", "a": "<5", "b": "<5"}
    know = printed_knowledge(vals, _printed(res))
    assert intervals(know, rels, ["T", "a", "b"]) == {"T": (2, 8), "a": (1, 4), "b": (1, 4)}
    assert parse_printed("x").lower == 1
    assert secondary_interval() == (1, math.inf)
    assert published_cells({"s": 7}, ["s"])[0].lower == 1


def test_upgraded_primary_keeps_the_lower_end_its_zeros_allow() -> None:
    # inner [[1, 0, 1], [3, 3, 4]]: column 0 total 4 = 1 + 3 is upgraded; the zeros and
    # the <5 parts alone say it is >= 2, the old pattern let a reader prove >= 3
    vals, rels = table_2d([[1, 0, 1], [3, 3, 4]])
    small = [c for c, v in vals.items() if 1 <= v <= 4]
    res = suppress(vals, engine_relations(rels), cost="value", upgradable=small)
    assert res.upgraded
    printed = _printed(res)
    iv = intervals(printed_knowledge(vals, printed), rels, list(printed))
    # what the zeros alone give: every non-zero cell unknown (>= 1), the <5 cells [1, 4]
    floor_know = {
        c: Known(0, 0) if v == 0 else (Known(1, 4) if 1 <= v <= 4 else Known(1))
        for c, v in vals.items()
    }
    for c in res.upgraded:
        floor = intervals(floor_know | {c: Known(1)}, rels, [c])[c][0]
        assert iv[c][0] <= floor, (c, iv[c], floor)
        assert iv[c][1] >= 5
    for c, p in printed.items():
        if p == "<5":
            assert iv[c] == (1, 4), c


def test_forced_upgrades_hide_that_a_group_is_small() -> None:
    # a group of 3, all in category a (b = 0): total and a printed x, neither provably < 5
    vals = {"T": 3, "a": 3, "b": 0, "G": 20, "c": 17}
    rels = [
        ("t", {"T": -1.0, "a": 1.0, "b": 1.0}, "==", 0.0),
        ("g", {"G": -1.0, "T": 1.0, "c": 1.0}, "==", 0.0),
    ]
    plain = suppress(vals, engine_relations(rels))
    assert _printed(plain) == {"T": "<5", "a": "<5", "c": "x"}
    res = suppress(vals, engine_relations(rels), forced_upgrades=["T", "a"])
    assert res.upgraded == ("T", "a")
    printed = _printed(res)
    assert printed["T"] == printed["a"] == "x"
    iv = intervals(printed_knowledge(vals, printed), rels, ["T", "a"])
    assert iv["T"][1] >= 5 and iv["a"][1] >= 5
    with pytest.raises(SDCError, match="not a primary"):
        suppress(vals, engine_relations(rels), forced_upgrades=["G"])
