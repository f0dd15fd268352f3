"""docs: the codebook of the committed package; its pandas and DuckDB snippets run as written
and give the right types (masked -> NA, never 0); deterministic; self-contained HTML."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from opendata_mh.cli import main
from opendata_mh.codebook import build_codebook, code_blocks, write_codebook

PKG = Path(__file__).resolve().parents[2] / "datapackage"


@pytest.fixture(scope="module")
def codebook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("codebook")
    write_codebook(PKG, out)
    return out


def _section(md: str, table: str) -> str:
    start = md.index(f'<a id="{table}"></a>')
    end = md.find("<a id=", start + 10)
    return md[start : end if end > 0 else None]


def test_pandas_and_duckdb_snippets_run_as_written(codebook: Path) -> None:
    md = (codebook / "codebook.md").read_text(encoding="utf-8")
    sec = _section(md, "victims_by_form")
    blocks = code_blocks(sec, "python")
    assert len(blocks) == 3  # pandas CSV, pandas Parquet, DuckDB
    env: dict[str, object] = {}
    exec(blocks[0], env)  # pandas, CSV
    df = env["df"]
    assert isinstance(df, pd.DataFrame)
    assert str(df["value"].dtype) == "Int64" and "period" not in df.columns
    organ = df[(df.form == "organ_removal") & (df.year_from == 2020)].iloc[0]
    assert pd.isna(organ["value"]) and organ["cell_type"] == "masked"
    assert (organ["value_lower"], organ["value_upper"]) == (1, 4)
    zero = df[(df.form == "organ_removal") & (df.year_from == 2021)].iloc[0]
    assert zero["value"] == 0
    assert df[(df.form == "sexual_domestic") & (df.year_from == 2019)].iloc[0]["value"] == 181
    env = {}
    exec(blocks[1], env)  # pandas, Parquet
    df2 = env["df"]
    assert isinstance(df2, pd.DataFrame)
    assert str(df2["value"].dtype) == "Int64" and int(df2["value"].isna().sum()) == 2
    env = {}
    exec(blocks[2], env)  # DuckDB
    rel = env["rel"]
    rows = rel.fetchall()  # type: ignore[attr-defined]
    cols = rel.columns  # type: ignore[attr-defined]
    assert dict(zip(rel.columns, [str(t) for t in rel.types], strict=True))["value"] == "BIGINT"  # type: ignore[attr-defined]
    masked = [dict(zip(cols, r, strict=True)) for r in rows]
    assert len(masked) == 2 and all(m["value"] is None for m in masked)
    assert {(m["value_lower"], m["value_upper"]) for m in masked} == {(1, 4)}
    csv_rel = env["rel_csv"]
    types = dict(zip(csv_rel.columns, [str(t) for t in csv_rel.types], strict=True))  # type: ignore[attr-defined]
    # read_csv_auto without options: integer years and values, text codes
    assert (types["year_from"], types["value"], types["form"]) == ("BIGINT", "BIGINT", "VARCHAR")


def test_content_per_table(codebook: Path) -> None:
    md = (codebook / "codebook.md").read_text(encoding="utf-8")
    t1 = _section(md, "victims_by_form")
    assert "Gemelde slachtoffers naar vorm van uitbuiting" in t1
    assert "| `organ_removal` | Gedwongen orgaanverwijdering | Forced organ removal |" in t1
    assert "counts from 1 to 4 are masked and printed as <5" in t1
    assert "charts/victims_by_form.png" in t1
    t3 = _section(md, "sexual_exploitation_by_sector_region")
    assert "Unresolved cells" in t3 and "0 or <5" in t3
    assert "sexual_total_2023_region_other" in t3  # known discrepancy
    assert "acknowledged findings" in t3 and "| cell | finding | relations |" in t3
    street = "sexual_exploitation_by_sector_region/period=2023/sector_sexual=street/region=europe"
    assert (
        f"| `{street}` | exact disclosure | victims.sector_region_sums_to_sector.2023.street |"
        in t3
    )
    assert "| narrowed | victims.sector_region_sums_to_sector.2023.window |" in t3
    assert "interval |" not in md  # no column of acknowledged intervals in any table
    html = (codebook / "codebook.html").read_text(encoding="utf-8")
    assert "<th>cell</th><th>finding</th><th>relations</th>" in html
    assert "<th>interval</th>" not in html
    t20 = _section(md, "tried_suspects_by_country_of_birth")
    assert "reference date 2024-04-26" in t20
    assert "No rows" in _section(md, "tried_suspects_by_sex")
    assert "read.csv(" in t1  # the R snippet


def test_charts_show_masked_as_interval_not_zero() -> None:
    cb = build_codebook(PKG)
    t1 = next(t for t in cb.tables if t.name == "victims_by_form")
    assert t1.chart is not None
    organ = next(s for _, ss in t1.chart.panels for s in ss if s.label == "Forced organ removal")
    by_year = {p.year: p for p in organ.points}
    assert (by_year[2020].cell_type, by_year[2020].value) == ("masked", None)
    assert (by_year[2020].lower, by_year[2020].upper) == (1, 4)
    assert by_year[2021].value == 0  # a true zero stays a zero
    assert next(t for t in cb.tables if t.name == "minor_victims_by_form").chart is None


def test_html_is_self_contained_and_deterministic(codebook: Path, tmp_path: Path) -> None:
    html = (codebook / "codebook.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 18
    assert "<link" not in html and "<script" not in html and "src=" not in html
    again = tmp_path / "again"
    write_codebook(PKG, again)
    for p in codebook.rglob("*"):
        if p.is_file():
            assert p.read_bytes() == (again / p.relative_to(codebook)).read_bytes(), p.name


def test_chart_files_repeat_no_id(codebook: Path) -> None:
    """An error bar is three artists with one gid (line, caps, bar): the chart files, like the
    inline charts (tests/browser), give each its own id."""
    files = sorted((codebook / "charts").glob("*.svg"))
    assert len(files) == 18
    for f in files:
        ids = re.findall(r'\sid="([^"]+)"', f.read_text(encoding="utf-8"))
        assert len(ids) == len(set(ids)), f.name
    t8 = (codebook / "charts" / "ind_residence_permits.svg").read_text(encoding="utf-8")
    assert 'id="chart-ind_residence_permits-cell:0:2019:rounded-2"' in t8


def test_without_audit_findings(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(PKG, pkg)
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    d.pop("acknowledgedFindings", None)
    (pkg / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    cb = build_codebook(pkg)
    assert cb.has_findings is False and all(not t.findings for t in cb.tables)


def test_cli_docs_json(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["docs", str(PKG), "--out", str(tmp_path / "cb"), "--json"])
    assert res.exit_code == 0, res.output
    env = json.loads(res.stdout)
    assert env["ok"] and env["command"] == "docs"
    assert env["summary"]["tables"] == 22 and env["summary"]["charts"] == 18
    assert (tmp_path / "cb" / "codebook.html").is_file()


# -- issue 13, item 5: the codebook shows the numbers -----------------------------------------


def _html_section(html: str, table: str) -> str:
    start = html.index(f'<section id="{table}"')
    return html[start : html.index("</section>", start)]


def test_every_table_is_printed_with_its_symbols(codebook: Path) -> None:
    html = (codebook / "codebook.html").read_text(encoding="utf-8")
    t1 = _html_section(html, "victims_by_form")
    row = t1[t1.index('<th scope="row">Internationale seksuele uitbuiting</th>') :]
    row = row[: row.index("</tr>")]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row) == ["705", "317", "197", "217", "333"]
    assert '<td class="num c-masked" title="masked: a count from 1 to 4">&lt;5</td>' in t1
    t8 = _html_section(html, "ind_residence_permits")
    assert ">170-180</td>" in t8 and ">≈300</td>" in t8  # a range and a rounded figure
    t3 = _html_section(html, "sexual_exploitation_by_sector_region")
    assert t3.count('class="num c-unresolved"') == 2
    md = (codebook / "codebook.md").read_text(encoding="utf-8")
    assert "| Internationale seksuele uitbuiting | 705 | 317 | 197 | 217 | 333 |" in md


def test_masked_cells_are_never_drawn_on_the_value_axis() -> None:
    from opendata_mh.charts import figure

    cb = build_codebook(PKG)
    t1 = next(t for t in cb.tables if t.name == "victims_by_form")
    assert t1.chart is not None
    fig = figure(t1.chart)
    values = next(a for a in fig.axes if a.get_gid() == "values:0")
    strip = next(a for a in fig.axes if a.get_gid() == "strip:0")
    organ = next(ln for ln in values.get_lines() if ln.get_label() == "Forced organ removal")
    ys = dict(zip(organ.get_xdata(), organ.get_ydata(), strict=True))
    assert math.isnan(ys[2020]) and math.isnan(ys[2023])  # masked: no point at all
    assert ys[2021] == 0 and ys[2019] == 6  # a true zero and a small count stay figures
    # nothing else on the value axes sits at a masked cell
    assert not [c for c in values.get_children() if (c.get_gid() or "").endswith(":masked")]
    marks = {t.get_gid(): t.get_text() for t in strip.texts}
    assert marks == {"cell:4:2020:masked": "<5", "cell:4:2023:masked": "<5"}


def test_overlapping_masked_cells_stay_apart() -> None:
    from opendata_mh.charts import figure

    cb = build_codebook(PKG)
    t5 = next(t for t in cb.tables if t.name == "victims_by_region")
    assert t5.chart is not None
    strip = next(a for a in figure(t5.chart).axes if a.get_gid() == "strip:0")
    in_2023 = [t for t in strip.texts if ":2023:" in (t.get_gid() or "")]
    assert len(in_2023) == 2  # Onbekend and Overig are both <5 in 2023
    (x1, y1), (x2, y2) = (t.get_position() for t in in_2023)
    assert x1 == x2 == 2023 and abs(y1 - y2) >= 0.4  # stacked, each on its own line
    assert in_2023[0].get_color() != in_2023[1].get_color()  # in their series' colours


def test_alt_text_lang_navigation_coverage_and_questions(codebook: Path) -> None:
    html = (codebook / "codebook.html").read_text(encoding="utf-8")
    svgs = re.findall(r"<svg[^>]*>", html)
    assert len(svgs) == 18
    assert all('role="img"' in s and 'aria-label="Line chart of Table' in s for s in svgs)
    assert '<html lang="en">' in html
    assert '<p class="nl" lang="nl">Gemelde slachtoffers naar vorm van uitbuiting' in html
    assert html.count('class="nl"') == html.count('class="nl" lang="nl"')
    assert re.search(r"nav\.toc \{ position: sticky; top: 0;", html)
    assert html.count('<li value="') == 22  # every table in the navigation
    cov = html[html.index('<table class="coverage">') :]
    cov = cov[: cov.index("</table>")]
    row15 = cov[cov.index("15. om_cases_registered") :].split("</tr>")[0]
    assert row15.count("●") == 5  # 2019-2023, no dimension
    row18 = cov[cov.index("18. om_disposals") :].split("</tr>")[0]
    assert row18.count("●") == 8  # five years, the window 2019-2023, disposal and form
    # the index from questions to tables: the package's curated list (tests/unit/test_questions)
    row = html[html.index('<tr id="q-victims_by_form">') :]
    row = row[: row.index("</tr>")]
    assert "How many victims were registered per year, by form of exploitation?" in row
    assert '<a href="#victims_by_form">Table 1</a>' in row and "#minor_victims_by_form" not in row
    cb = build_codebook(PKG)
    assert len(cb.questions) == 17
    assert all(t.anchor or t.path for q in cb.questions for t in q.targets)


def test_totals_resource_is_shown_and_indexed(tmp_path: Path) -> None:
    """A package with a ``totals`` resource (quantity, period, value, bounds, derived_by): the
    codebook lists it and the index answers "How many victims per year?" with it."""
    pkg = tmp_path / "pkg"
    shutil.copytree(PKG, pkg)
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    if not any(r.get("name") == "totals" for r in d["resources"]):
        cols = "quantity,quantity_label,quantity_label_en,period,dimension,code,value,"
        cols += "value_lower,value_upper,value_printed,cell_type,derived_by,unit"
        (pkg / "data" / "totals.csv").write_text(
            f"{cols}\n"
            "victims_total,Gemelde slachtoffers,Registered victims,2022,,all,814,814,814,,exact,"
            "victims.age_sums_to_total.2022,victims\n"
            "victims_total,Gemelde slachtoffers,Registered victims,2023,,all,868,868,868,868,"
            "exact,text:victims_total_2023,victims\n",
            encoding="utf-8",
        )
        fields = [{"name": c, "type": "string"} for c in cols.split(",")]
        d["resources"].append(
            {
                "name": "totals",
                "path": "data/totals.csv",
                "format": "csv",
                "schema": {"fields": fields},
            }
        )
        (pkg / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    cb = build_codebook(pkg)
    victims = [t for t in cb.totals if t.quantity == "victims_total"]
    assert {(t.period, t.shown) for t in victims} >= {("2022", "814"), ("2023", "868")}
    q = next(q for q in cb.questions if q.id == "victims_per_year")
    assert [(t.resource, t.anchor) for t in q.targets] == [("totals", "totals")]
    out = tmp_path / "cb"
    write_codebook(pkg, out)
    html = (out / "codebook.html").read_text(encoding="utf-8")
    sec = html[html.index('<h2 id="totals">') :]
    sec = sec[: sec.index("</table>")]
    assert '<td class="num">868</td><td>printed; <code class="id">text:victims_total_2023' in sec
    # 2019 is not printed: the sum of the exact age groups (derived_by), not "printed"
    assert '<td class="num">1372</td><td><code class="id">victims.age_sums_to_total.2019' in sec
    assert '<li><a href="#totals">Totals</a> (resource <code>totals</code>)</li>' in html
