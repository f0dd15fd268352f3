"""The build summary never carries the true value of suppressed cells (issue 10).

The summary reports what the protection costs: cells printed ``x``, jointly with the
published package and alone. Their total *value* is a sum of true counts behind ``x``: with
one cell it is that cell's value, and the difference of two totals is the value of the cells
in which the two patterns differ. It reaches neither ``--json``, nor a piped or logged
output, nor any file: only an operator's interactive terminal sees it, and there only when
every total shown, and their difference, covers at least ``n`` cells
(:func:`opendata_mh.build.operator_cost`)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from opendata_mh.build import BuildResult, operator_cost
from opendata_mh.cli import main
from opendata_mh.render import render_build
from tests.synthetic import copy_metadata, write_records


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("summary")
    write_records(tmp / "raw", seed=1)
    copy_metadata(tmp)
    return tmp


def _args(work: Path) -> list[str]:
    return [
        "build",
        "--year",
        "2024",
        "--input",
        str(work / "raw"),
        "--metadata",
        str(work / "metadata"),
        "--out",
        str(work / "datapackage"),
        "--date",
        "2025-06-30",
        "--dry-run",
    ]


def test_piped_summary_names_cells_not_values(work: Path) -> None:
    r = CliRunner().invoke(main, _args(work))
    assert r.exit_code == 0, r.output
    line = next(x for x in r.stdout.splitlines() if x.startswith("revisions ("))
    # the cost in cells, jointly and alone (seed 1: 44 and 38 x in the new edition)
    assert "protected jointly with the published package: 44 x" in line
    assert "alone 38 x" in line
    assert "value" not in r.stdout and "value" not in r.stderr


def test_json_summary_carries_no_value(work: Path) -> None:
    r = CliRunner().invoke(main, [*_args(work), "--json"])
    assert r.exit_code == 0, r.output
    audit = json.loads(r.stdout)["summary"]["audit"]
    rev = audit["revisions"]
    assert rev["joint"] == {"cells": 44} and rev["alone"] == {"cells": 38}
    assert "value" not in json.dumps(audit)


def _result(alone: dict[str, int], joint: dict[str, int], values: dict[str, int]) -> BuildResult:
    return BuildResult(
        year=2024,
        edition="2024",
        version="2024.1.0",
        edition_dir=Path("x"),
        tables=(),
        records={},
        written=False,
        package=None,
        audit={
            "revisions": {"model": "monotone", "revised_cells": 3, "alone": alone, "joint": joint}
        },
        operator_values=values,
    )


def _render(res: BuildResult, terminal: bool) -> str:
    buf = io.StringIO()
    render_build(res, Console(file=buf, force_terminal=terminal, width=200, color_system=None))
    return buf.getvalue()


def test_one_secondary_value_is_never_shown() -> None:
    # one x cell alone: its total value is its true count
    vals = operator_cost({"a": 7}, alone=["a"], joint=["a", "b"] + [f"c{i}" for i in range(5)])
    assert vals == {}
    res = _result({"cells": 1}, {"cells": 7}, vals)
    for terminal in (False, True):
        assert "value" not in _render(res, terminal)


def test_values_of_large_totals_only_on_a_terminal() -> None:
    values = {f"c{i}": 10 + i for i in range(12)}
    alone = [f"c{i}" for i in range(6)]
    joint = [f"c{i}" for i in range(12)]
    vals = operator_cost(values, alone=alone, joint=joint)
    assert vals == {"alone": sum(range(10, 16)), "joint": sum(range(10, 22))}
    res = _result({"cells": 6}, {"cells": 12}, vals)
    assert "(value 186), alone 6 x (value 75)" in _render(res, True)
    assert "value" not in _render(res, False)
    assert "186" not in json.dumps(res.to_dict()) and "operator" not in repr(res)
    # patterns that differ in one cell: the difference of the totals is that cell's value
    assert operator_cost(values, alone=alone, joint=[*alone, "c6"]) == {}
