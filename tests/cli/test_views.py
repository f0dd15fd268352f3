"""tables / show: library results with real figures of the report; the CLI renders them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from opendata_mh.cli import main
from opendata_mh.views import UnknownTableError, list_tables, table_view

PKG = Path(__file__).resolve().parents[2] / "datapackage"


def test_list_tables_real_counts() -> None:
    tables = {t.name: t for t in list_tables(PKG)}
    assert len(tables) == 22
    t1 = tables["victims_by_form"]
    assert (t1.number, t1.rows, t1.masked, t1.unresolved) == (1, 30, 2, 0)
    assert t1.periods == ("2019", "2020", "2021", "2022", "2023")
    t8 = tables["ind_residence_permits"]
    assert (t8.rounded, t8.range) == (13, 2)
    t3 = tables["sexual_exploitation_by_sector_region"]
    assert (t3.masked, t3.unresolved, t3.periods) == (17, 2, ("2023",))
    assert tables["tried_suspects_by_sex"].available is False
    assert tables["om_disposals"].periods[-1] == "2019-2023"


def test_table_view_as_printed() -> None:
    v = table_view("victims_by_form", PKG)
    (p,) = v.panels
    assert [c for c, _ in p.columns] == ["2019", "2020", "2021", "2022", "2023"]
    assert p.rows[0] == ("sexual_domestic", "Binnenlandse seksuele uitbuiting")
    assert [c.printed for c in p.cells[0] if c] == ["181", "119", "189", "162", "135"]
    organ = p.cells[4]
    assert organ[1] is not None and organ[1].cell_type == "masked"
    assert (organ[1].value, organ[1].lower, organ[1].upper) == (None, 1, 4)
    v3 = table_view("3", PKG, year="2023")
    unresolved = [
        c for line in v3.panels[0].cells for c in line if c and c.cell_type == "unresolved"
    ]
    assert [c.candidates for c in unresolved] == [("0", "<5"), ("<5", "0")]
    v8 = table_view("8", PKG, year="2020")
    assert [c.printed for line in v8.panels[0].cells for c in line if c] == [
        "300",
        "120",
        "170-180",
    ]


def test_unknown_table_and_year() -> None:
    with pytest.raises(UnknownTableError, match="victims_by_form"):
        table_view("nope", PKG)
    with pytest.raises(UnknownTableError, match="2019, 2020"):
        table_view("1", PKG, year="1999")


def test_cli_show(runner: CliRunner | None = None) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["show", "victims_by_form", str(PKG)])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "181" in out and "<5" in out and "Binnenlandse seksuele uitbuiting" in out
    assert "masked: a count from 1 to 4" in out
    res8 = runner.invoke(main, ["show", "8", str(PKG), "--year", "2020"])
    assert res8.exit_code == 0 and "170-180" in res8.stdout and "≈300" in res8.stdout
    assert "rounded to 10s" in res8.stdout and "2019" not in res8.stdout.split("Noot")[0][-200:]
    bad = runner.invoke(main, ["show", "nope", str(PKG)])
    assert bad.exit_code == 2 and "no table 'nope'" in bad.stderr


def test_cli_json_equals_library() -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["show", "1", str(PKG), "--json"])
    env = json.loads(res.stdout)
    assert env["ok"] is True and env["command"] == "show"
    assert env["summary"] == table_view("1", PKG).to_dict()
    res = runner.invoke(main, ["tables", str(PKG), "--json"])
    env = json.loads(res.stdout)
    assert res.exit_code == 0
    assert env["summary"]["tables"] == [t.to_dict() for t in list_tables(PKG)]
    human = runner.invoke(main, ["tables", str(PKG)])
    assert "victims_by_form" in human.stdout and "2019–2023" in human.stdout
