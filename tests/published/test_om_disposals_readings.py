"""Table 18's broken 'Overig' row: which readings of the extraction are possible?

The extracted text prints the row as ten values (six "<5", one "6", three "0") for ten cells: the
nine 'Overig' cells (five years, four forms over 2019-2023) and summons / unknown form (the summons
row is one value short). This test tries every assignment of those values to the cells against
every relation and prose figure of the published package (the linear rows of the disclosure
audit, known discrepancies left out), as an integer feasibility problem (HiGHS via scipy), and
checks that the package publishes exactly what is forced: a cell is printed as read when every
feasible reading agrees, and unresolved with the values of the feasible readings otherwise.
"""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from opendata_mh.audit import _Problem, _relations
from opendata_mh.csvfile import with_long_columns
from opendata_mh.validate import read_package

PACKAGE = Path(__file__).resolve().parents[2] / "datapackage"
CELL = "om_disposals/period={}/disposal={}/form={}"
CELLS = [
    *(CELL.format(y, "other", "all") for y in ("2019", "2020", "2021", "2022", "2023")),
    *(CELL.format("2019-2023", "other", f) for f in ("sexual", "labour", "criminal_other")),
    CELL.format("2019-2023", "other", "unknown"),
    CELL.format("2019-2023", "summons", "unknown"),
]
TOKENS = ("<5",) * 6 + ("6",) + ("0",) * 3
INTERVAL = {"<5": (1, 4), "6": (6, 6), "0": (0, 0)}


@pytest.fixture(scope="module")
def feasible_readings() -> list[tuple[str, ...]]:
    prob = _Problem(read_package(PACKAGE))
    rows = _relations(prob)[0]
    bounds = {vid: (v.lower, v.upper) for vid, v in prob.vars.items()}
    comp = set(CELLS)  # the connected part of the relations that holds the cells
    grown = True
    while grown:
        grown = False
        for r in rows:
            ks = set(r.coeffs)
            if ks & comp and not ks <= comp:
                comp |= ks
                grown = True
    rs = [r for r in rows if set(r.coeffs) <= comp]
    ids = sorted(comp)
    ix = {k: i for i, k in enumerate(ids)}
    a = np.zeros((len(rs), len(ids)))
    for j, r in enumerate(rs):
        for k, c in r.coeffs.items():
            a[j, ix[k]] = c
    hi = np.array([r.rhs for r in rs])
    lo = np.array([r.rhs if r.kind == "eq" else -np.inf for r in rs])
    ok = []
    for reading in sorted(set(itertools.permutations(TOKENS))):
        lb = np.array([bounds.get(k, (0, np.inf))[0] for k in ids], dtype=float)
        ub = np.array([bounds.get(k, (0, np.inf))[1] for k in ids], dtype=float)
        for cell, token in zip(CELLS, reading, strict=True):
            lb[ix[cell]], ub[ix[cell]] = INTERVAL[token]
        res = milp(
            np.zeros(len(ids)),
            constraints=LinearConstraint(a, lo, hi),
            bounds=Bounds(lb, ub),
            integrality=np.ones(len(ids)),
        )
        if res.status == 0:
            ok.append(reading)
    return ok


def test_five_readings_hold_and_the_old_one_is_one_of_them(
    feasible_readings: list[tuple[str, ...]],
) -> None:
    # 2019..2023 | sexual, labour, criminal/other, unknown | summons-unknown
    assert sorted(feasible_readings) == sorted(
        [
            ("<5", "<5", "<5", "<5", "<5", "6", "<5", "0", "0", "0"),  # published until 2023.1.0
            ("0", "<5", "<5", "<5", "<5", "6", "<5", "0", "<5", "0"),
            ("<5", "0", "<5", "<5", "<5", "6", "<5", "0", "<5", "0"),
            ("<5", "0", "<5", "<5", "<5", "<5", "<5", "0", "6", "0"),
            ("<5", "<5", "0", "<5", "<5", "6", "<5", "0", "<5", "0"),
        ]
    )


def test_the_package_publishes_what_every_reading_agrees_on(
    feasible_readings: list[tuple[str, ...]],
) -> None:
    d = json.loads((PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in d["resources"] if r["name"] == "om_disposals")
    unresolved = {
        CELL.format(u["key"]["period"], u["key"]["disposal"], u["key"]["form"]): u["candidates"]
        for u in res["unresolved"]
    }
    rows = {
        CELL.format(r["period"], r["disposal"], r["form"]): r
        for r in map(
            with_long_columns, csv.DictReader((PACKAGE / res["path"]).open(encoding="utf-8"))
        )
    }
    for i, cell in enumerate(CELLS):
        values = {reading[i] for reading in feasible_readings}
        if len(values) == 1:
            assert rows[cell]["value_printed"] == values.pop(), cell
            assert cell not in unresolved
        else:
            assert rows[cell]["cell_type"] == "unresolved", cell
            assert set(unresolved[cell]) == values, cell
