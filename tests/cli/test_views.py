"""tables / show: library results with real figures of the report; the CLI renders them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from opendata_mh.cli import main
from opendata_mh.views import (
    UnknownTableError,
    column_plan,
    list_tables,
    output_width,
    table_view,
    wrap_label,
)

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
    res = runner.invoke(main, ["show", "victims_by_form", str(PKG), "--lang", "en"])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "181" in out and "<5" in out and "Domestic sexual exploitation" in out
    assert "masked: a count from 1 to 4" in out
    res8 = runner.invoke(main, ["show", "8", str(PKG), "--year", "2020"])
    assert res8.exit_code == 0 and "170-180" in res8.stdout and "≈300" in res8.stdout
    assert (
        "afgerond op tientallen" in res8.stdout
        and "2019" not in res8.stdout.split("Noot")[0][-200:]
    )
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


# -- 80 columns, piped, --lang en (issue 13, item 6) -------------------------------------------


def _run(args: list[str], columns: str | None = None) -> str:
    """A command's stdout as a pipe sees it (CliRunner's stdout is not a terminal)."""
    res = CliRunner().invoke(main, args, env={"COLUMNS": columns})
    assert res.exit_code == 0, res.output
    return res.stdout


def _column(lines: list[str], header: str, row_label: str) -> str:
    """The text of the row starting with ``row_label`` under the header ``header`` (right-
    aligned columns: the value ends where the header ends)."""
    heads = [lines[i - 1] for i, line in enumerate(lines) if i and line.startswith("─")]
    head = next(line for line in heads if header in line.split())
    end = head.index(f" {header}") + 1 + len(header)
    row = next(line for line in lines if line.startswith(row_label))
    return row[:end].split()[-1]


def test_show_at_80_columns_when_piped_keeps_labels_and_values() -> None:
    out = _run(["show", "1", str(PKG)])
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in out
    # 705: international sexual exploitation, 2019, the report's figure
    assert _column(lines, "2019", "Internationale seksuele uitbuiting") == "705"
    assert _column(lines, "2020", "Gedwongen orgaanverwijdering") == "<5"
    # no raw ids as headers: the dimension's title, not 'form' / 'period' / 'per_year'
    assert "Vorm van uitbuiting" in out
    assert not any(line.split()[:1] in (["form"], ["period"], ["per_year"]) for line in lines)
    out2 = _run(["show", "2", str(PKG)])
    assert max(len(line) for line in out2.splitlines()) <= 80
    for label in ("Straatprostitutie", "Thuisprostitutie", "Escortprostitutie", "Raamprostitutie"):
        assert label in out2, label  # whole, not 'Straatprostitut…'
    assert "…" not in out2 and "sector_sexual" not in out2
    assert _column(out2.splitlines(), "Straatprostitutie", "2019") == "118"


def test_show_wraps_long_labels_at_80_columns() -> None:
    out = _run(["show", "18", str(PKG)])
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80 and "…" not in out
    words = " ".join(out.split())
    assert "Onvoorwaardelijk sepot voor mensenhandel" in words  # wrapped, every word kept
    assert "Afdoening door het OM" in words
    assert not any(line.startswith(("disposal", "form", "period")) for line in lines)
    assert _column(lines, "2020", "Dagvaarding voor") == "108"


def test_show_lang_en() -> None:
    out = _run(["show", "1", str(PKG), "--lang", "en"])
    lines = out.splitlines()
    assert _column(lines, "2019", "International sexual exploitation") == "705"
    assert "Form of exploitation" in out and "Registered victims by form" in out
    assert "Binnenlandse" not in out
    v = table_view("1", PKG, lang="en")
    assert v.panels[0].rows[0] == ("sexual_domestic", "Domestic sexual exploitation")
    assert v.panels[0].row_title == "Form of exploitation" and v.lang == "en"
    env = json.loads(_run(["show", "1", str(PKG), "--lang", "en", "--json"]))
    assert env["summary"] == v.to_dict()


def test_tables_compact_at_80_columns_and_piped_width() -> None:
    out = _run(["tables", str(PKG)])
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert len(lines) <= 4 * 22  # was ~250 lines for 22 tables
    assert "…" not in out
    for t in list_tables(PKG):
        assert t.name in out  # whole names, never cut to 4 characters
    words = " ".join(out.split())
    assert "Gemelde slachtoffers naar vorm van uitbuiting, 2019-2023" in words
    row3 = next(line for line in lines if "sexual_exploitation_by_sector_region" in line)
    assert row3.split()[2:] == ["54", "17", "2", "8"]  # rows, <5, unresolved, audit findings
    en = _run(["tables", str(PKG), "--lang", "en"])
    assert "Registered victims by form of exploitation" in " ".join(en.split())
    wide = _run(["tables", str(PKG)], columns="120")
    assert max(len(line) for line in wide.splitlines()) <= 120
    assert len(wide.splitlines()) < len(lines)


@given(st.text(alphabet="ab /-é", max_size=60), st.integers(min_value=1, max_value=30))
def test_wrap_label_never_cuts(text: str, width: int) -> None:
    wrapped = wrap_label(text, width)
    assert all(len(line) <= width for line in wrapped.splitlines())
    assert "".join(wrapped.split()) == "".join(text.split())  # every character kept


def test_column_plan_and_output_width() -> None:
    assert column_plan(10, [4, 4], 80) == (10, [[0, 1]])
    label, chunks = column_plan(40, [17, 17, 17, 17, 11], 80)
    assert label == 26 and chunks == [[0, 1], [2, 3, 4]]  # labels get what is left
    assert output_width(False, 200, None) == 80  # piped: never unlimited
    assert output_width(False, 200, "120") == 120
    assert output_width(True, 132, "120") == 132


def test_every_table_fits_80_columns_with_every_value() -> None:
    """Each table of the package, shown at 80 columns: no line wider, nothing cut, and every
    published cell's text (``<5``, ``≈300``, ``170-180``, ``?``) among the output's words."""
    from collections import Counter

    shown = {"unresolved": "?", "rounded": "≈{}"}
    for t in list_tables(PKG):
        if not t.rows:
            continue
        out = _run(["show", t.name, str(PKG)])
        assert max(len(line) for line in out.splitlines()) <= 80, t.name
        assert "…" not in out, t.name
        view = table_view(t.name, PKG)
        want = Counter(
            shown.get(c.cell_type, "{}").format(c.printed)
            for p in view.panels
            for line in p.cells
            for c in line
            if c is not None
        )
        assert sum(want.values()) == t.rows, t.name  # every cell is in a panel
        words = Counter(out.split())
        assert all(words[w] >= n for w, n in want.items()), t.name


# -- re-checked at 80 columns, piped and --lang en (session 3) --------------------------------


def _legend(out: str) -> list[str]:
    lines = out.splitlines()
    head = "Legend" if "Legend" in lines else "Legenda"
    return lines[lines.index(head) + 1 :]


def test_legend_entries_wrap_under_their_text() -> None:
    """A legend entry longer than a line continues under its text, not under its symbol (the
    unresolved cells of table 18 list five candidates: three lines at 80 columns)."""
    for lang in ("nl", "en"):
        legend = _legend(_run(["show", "18", str(PKG), "--lang", lang]))
        assert [line[:4] for line in legend] == ["  <5", "  ? ", "    ", "    "], lang
        assert max(len(line) for line in legend) <= 80
        row = "CSV row 19: 0 or <5 or 6" if lang == "en" else "CSV-rij 19: 0 of <5 of 6"
        assert row in " ".join(" ".join(legend).split())


def test_tables_at_60_columns_keep_each_entry_together() -> None:
    """Below the width of the aligned columns each table is one entry: its first line starts
    with its number, every continuation (counts, years, title) is indented under it."""
    out = _run(["tables", str(PKG), "--lang", "en"], columns="60")
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 60
    entries = [line for line in lines if not line.startswith("    ")]
    legend_start = next(i for i, line in enumerate(entries) if line.startswith("<5 masked"))
    assert [line.split()[0] for line in entries[:legend_start]] == [str(n) for n in range(1, 23)]
    row3 = next(line for line in lines if line.startswith("3 "))
    i = lines.index(row3)
    assert " ".join(" ".join(lines[i : i + 2]).split()).startswith(
        "3 sexual_exploitation_by_sector_region: 54 rows; 17 <5, 2 ?, 8 audit"
    )


def _pieces(text: str) -> list[str]:
    """Words, split once more after ``/`` and ``-`` (where a label may wrap inside a word)."""
    return re.findall(r"[^\s/-]+[/-]?|[/-]", text)


def _in_order(needle: list[str], hay: list[str]) -> bool:
    it = iter(hay)
    return all(any(h == n for h in it) for n in needle)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_label_of_every_table_is_shown_whole(lang: str) -> None:
    """At 80 columns, piped, in both languages: the pieces of every row and column label and of
    the row dimension's title are in the output in their order (wrapped between words or after
    ``/`` and ``-``, never cut or folded), and the title is whole."""
    for t in list_tables(PKG):
        if not t.rows:
            continue
        out = _run(["show", t.name, str(PKG), "--lang", lang])
        assert max(len(line) for line in out.splitlines()) <= 80, t.name
        hay = _pieces(out)
        view = table_view(t.name, PKG, lang=lang)
        for p in view.panels:
            for label in (*(lab for _c, lab in (*p.rows, *p.columns)), p.row_title):
                assert _in_order(_pieces(label), hay), (t.name, label)
        title = view.title if lang == "nl" else view.title_en
        assert title in " ".join(out.split()), t.name


def test_show_speaks_one_language_legend_and_source() -> None:
    """``show`` in Dutch (the default) printed its legend in English, and ``--lang en`` printed
    the source without a label (new-user test): the legend follows ``--lang`` and the source
    line is labelled in both."""
    nl = _run(["show", "3", str(PKG)])
    assert "Legenda" in nl.splitlines() and "Legend" not in nl.splitlines()
    assert "gemaskeerd: een aantal van 1 tot en met 4 (17 cellen)" in nl
    assert "onopgelost" in nl and "kandidaten CSV-rij 17: 0 of <5" in " ".join(nl.split())
    assert "Bron: CoMensha" in nl
    en = _run(["show", "3", str(PKG), "--lang", "en"])
    assert "Legend" in en.splitlines() and "masked: a count from 1 to 4 (17 cells)" in en
    assert "Source: CoMensha" in " ".join(en.split())
    assert "Bron" not in en
    eight = _run(["show", "8", str(PKG)])
    assert "afgerond op tientallen" in eight and "Bron:" in eight


@pytest.mark.parametrize(
    ("table", "row", "nl", "en"),
    [
        ("victims_by_form", 1, "0 of meer", "0 or more"),  # groupProtection 'breakdown'
        ("om_cases_by_form", 1, "ten minste 1", "at least 1"),  # groupProtection 'total'
    ],
)
def test_legend_of_x_follows_the_tables_group_protection(
    tmp_path: Path, table: str, row: int, nl: str, en: str
) -> None:
    """An ``x`` in a table that protects a small group by its whole breakdown may be 0: the
    legend said "at least 1" for every table (noticed by the group-protection work)."""
    import shutil

    from tests.conftest import edit_csv, refresh_checksums

    pkg = tmp_path / "datapackage"
    shutil.copytree(PKG, pkg)
    low = "0" if nl == "0 of meer" else "1"
    edit_csv(pkg, table, row, value="", value_lower=low, value_upper="", cell_type="secondary")
    refresh_checksums(pkg)
    for lang, words in (("nl", nl), ("en", en)):
        legend = " ".join(
            " ".join(_legend(_run(["show", table, str(pkg), "--lang", lang]))).split()
        )
        assert f"niet gepubliceerd, {words}" in legend or f"not published, {words}" in legend
