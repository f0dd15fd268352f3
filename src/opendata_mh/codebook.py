# ruff: noqa: E501  (the jinja2 templates keep one HTML/Markdown row per line)
"""The codebook of a package: Markdown and one self-contained HTML page, with charts.

:func:`build_codebook` reads a generated package (``datapackage.json`` + CSVs; never
``metadata/``) and returns :class:`Codebook`: per table its titles and descriptions (Dutch and
English), source and reference date, unit, disclosure rule, dimensions with codes and labels,
counts of masked / rounded / range / unresolved cells, notes, how the table was reconstructed
(``inference``), unresolved cells with their candidates, the known discrepancies of the report
that touch it, the audit's acknowledged findings (``acknowledgedFindings``, optional), a chart of
every time series, and loading snippets (pandas, R, DuckDB). :func:`write_codebook` writes

* ``codebook.md`` (charts linked as ``charts/<table>.png``),
* ``codebook.html`` (one file: charts inline as SVG, CSS inline, no external asset),
* ``charts/<table>.png`` and ``charts/<table>.svg``.

Templates are jinja2 (the only jinja2 import); charts come from :mod:`opendata_mh.charts`.
Output is deterministic: the same package gives the same bytes.

Errors: :class:`~opendata_mh.errors.PackageError` when the package cannot be read; OSError when
the output cannot be written.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from opendata_mh.charts import Chart, Point, Series, describe, render
from opendata_mh.csvfile import key_fields, table_rows
from opendata_mh.validate import read_package
from opendata_mh.views import (
    MARKED,
    TableView,
    cell_text,
    dimension_title,
    findings_by_table,
    view_of,
)

PERIOD = "period"
CELL_CODING = (
    ("181", "181", "181 – 181", "exact", "A", "F", "a count as printed"),
    ("0", "0", "0 – 0", "zero", "A", "F", "zero is printed as 0, never masked"),
    ("<5", "empty (NA)", "1 – 4", "masked", "Q", "A", "a count from 1 to 4, withheld"),
    ("180 (IND)", "180", "175 – 184", "rounded", "A", "F", "rounded to tens (round half up)"),
    ("170-180 (IND)", "empty (NA)", "170 – 180", "range", "Q", "D", "published as a range"),
    ("(unreadable)", "empty (NA)", "hull of the candidates", "unresolved", "O", "F",
     "not readable from the report's text; candidates listed per table"),
    ("x", "empty (NA)", "1 – (empty)", "secondary", "Q", "D",
     "secondary suppression (later editions): at least 1, withheld so that no <5 cell can be "
     "derived from the totals; 0 or more (lower bound 0) in a table whose groupProtection is "
     "'breakdown', where a small group's whole breakdown is x, zeros included"),
)  # fmt: skip


CELL_SYMBOLS = {
    "masked": "<5",
    "rounded": "≈R",
    "range": "a-b",
    "unresolved": "?",
    "secondary": "x",
}
CELL_NOTES = {
    "masked": "masked: a count from 1 to 4",
    "rounded": "rounded to tens (IND): R stands for R−5 … R+4",
    "range": "published as a range, both ends included",
    "unresolved": "not readable from the report's text (candidates below)",
    "secondary": "secondary suppression: not published, at least 1 (0 or more in a table that "
    "protects a small group by its whole breakdown)",
}


@dataclass(frozen=True)
class Dimension:
    name: str
    title: str
    codes: tuple[tuple[str, str, str], ...]  # (code, Dutch label, English label)


@dataclass(frozen=True)
class TableDoc:
    name: str
    number: int | None
    title: str
    title_en: str
    description: str
    description_en: str
    section: str
    source: str
    source_en: str
    reference_date: str | None
    printed_source: str | None
    unit: str
    rule: str
    available: bool
    periods: tuple[str, ...]
    rows: int
    counts: Mapping[str, int]
    dimensions: tuple[Dimension, ...]
    notes: tuple[str, ...]
    notes_en: tuple[str, ...]
    inference: str
    unresolved: tuple[Mapping[str, Any], ...]
    discrepancies: tuple[Mapping[str, Any], ...]
    findings: tuple[Mapping[str, Any], ...]
    snippets: Mapping[str, str]
    chart: Chart | None
    files: Mapping[str, str]
    view: TableView | None = None  # the table as printed (Dutch labels)
    view_en: TableView | None = None  # the same with English labels (questions, coverage)
    alt: str = ""  # the chart's alt text


@dataclass(frozen=True)
class Target:
    """A resource that answers a question: a table (``number``, ``title``, ``anchor`` = its
    section), the totals (``anchor`` = ``totals`` when the page shows them) or another resource
    (``anchor`` empty; ``path`` is its file)."""

    resource: str
    number: int | None
    title: str
    anchor: str
    path: str = ""


@dataclass(frozen=True)
class Question:
    """One entry of the package's hand-curated index from questions to tables (the property
    ``questions``, from ``metadata/questions.toml``): the question in English (``text``) and
    Dutch (``text_nl``), the resources that answer it and a note on what they count."""

    id: str
    text: str
    text_nl: str
    targets: tuple[Target, ...]
    note_en: str
    note: str = ""


@dataclass(frozen=True)
class TotalRow:
    """One row of the package's ``totals`` resource as the codebook shows it: ``shown`` is the
    figure (printed or derived), else its interval ``lower–upper``."""

    quantity: str
    label: str
    label_en: str
    period: str
    dimension: str
    code: str
    shown: str
    printed: bool
    derived_by: str
    unit: str


@dataclass(frozen=True)
class Codebook:
    title: str
    title_en: str
    description: str
    description_en: str
    version: str
    licence: str
    package_path: str
    tables: tuple[TableDoc, ...]
    text_figures: int
    has_findings: bool
    extra: Mapping[str, Any] = field(default_factory=dict)
    questions: tuple[Question, ...] = ()
    coverage_periods: tuple[str, ...] = ()
    coverage_dimensions: tuple[tuple[str, str], ...] = ()  # (name, English title)
    coverage: Mapping[str, frozenset[str]] = field(default_factory=dict)  # table -> dims+periods
    totals: tuple[TotalRow, ...] = ()  # the ``totals`` resource, when the package has one
    totals_file: str = ""


def _rule(sdc: Mapping[str, Any]) -> str:
    if sdc.get("rule") == "threshold":
        t = int(sdc.get("threshold") or 5)
        return f"counts from 1 to {t - 1} are masked and printed as <{t}"
    if sdc.get("rule") == "rounding":
        b = int(sdc.get("base") or 10)
        return (
            f"figures are rounded to multiples of {b} (round half up assumed: a printed R "
            f"stands for R−{b // 2} … R+{b // 2 - 1}); some are printed as a range"
        )
    return "none"


def _refs_table(relation: Mapping[str, Any], table: str) -> bool:
    refs = [
        relation.get("total"),
        *(relation.get("parts") or []),
        *(relation.get("cells") or []),
        *(relation.get("numerator") or []),  # share / change relations
        *(relation.get("denominator") or []),
    ]
    return any(isinstance(r, str) and r.split("/", 1)[0] == table for r in refs)


def snippets(package_path: str, res: Mapping[str, Any], parquet: str | None) -> dict[str, str]:
    """Loading snippets for one table: ``pandas``, ``pandas_parquet``, ``r``, ``duckdb``.
    Paths are ``package_path``/<resource path>, as given (POSIX)."""
    base = package_path.rstrip("/")
    csv_path = f"{base}/{res['path']}"
    ints = [f["name"] for f in res["schema"]["fields"] if f["type"] == "integer"]
    dtype = ", ".join(f'"{c}": "Int64"' for c in ints)
    dims = [k for k in key_fields(res) if k != PERIOD]
    show = [*(f"{d}_label_en" for d in dims), "value", "cell_type", "value_lower", "value_upper"]
    ints_list = ", ".join(f'"{c}"' for c in ints)
    out = {
        "pandas": (
            "import pandas as pd\n\n"
            f'df = pd.read_csv("{csv_path}", dtype="string", keep_default_na=False, na_values=[""])\n'
            f"df = df.astype({{{dtype}}})\n"
            "# masked (<5), range and unresolved cells: value is <NA>, never 0;\n"
            "# value_lower / value_upper give the interval that holds the true value\n"
            f"print(df[{show!r}].head())\n"
        ),
        "r": (
            f'df <- read.csv("{csv_path}", colClasses = "character",\n'
            '               na.strings = "", encoding = "UTF-8")\n'
            f"for (col in c({ints_list})) df[[col]] <- as.integer(df[[col]])\n"
            "# masked cells: value is NA; value_lower / value_upper hold the interval\n"
            "head(df)\n"
        ),
    }
    if parquet:
        pq_path = f"{base}/{parquet}"
        out["pandas_parquet"] = (
            "import pandas as pd\n\n"
            f'df = pd.read_parquet("{pq_path}")  # value is Int64, <NA> when masked\n'
            "print(df.dtypes)\n"
        )
        out["duckdb"] = (
            "import duckdb\n\n"
            "rel = duckdb.sql(\n"
            f"    \"SELECT * FROM read_parquet('{pq_path}') WHERE cell_type = 'masked'\"\n"
            ")\n"
            "# value is BIGINT and NULL for masked cells; the CSV needs no options:\n"
            f"rel_csv = duckdb.sql(\"SELECT * FROM read_csv_auto('{csv_path}')\")\n"
            "print(rel.fetchall())\n"
        )
    return out


def _year(p: str) -> int | None:
    return int(p) if re.fullmatch(r"\d{4}", p) else None


def _int(s: str | None) -> int | None:
    return int(s) if s not in (None, "") else None


def chart_data(res: Mapping[str, Any], rows: Sequence[Mapping[str, str]]) -> Chart | None:
    """The time series of a table: every combination of its dimensions that has figures for at
    least two single years, one panel per value of the dimensions after the first (e.g. per
    form), one line per code of the first. None when the table has no time series."""
    dims = [k for k in key_fields(res) if k != PERIOD]
    groups: dict[tuple[str, ...], list[Mapping[str, str]]] = {}
    for r in rows:
        if _year(r.get(PERIOD, "")) is None:
            continue
        groups.setdefault(tuple(r[d] for d in dims), []).append(r)
    groups = {k: v for k, v in groups.items() if len(v) >= 2}
    if not groups:
        return None
    panels: dict[tuple[str, ...], list[Series]] = {}
    ptitles: dict[tuple[str, ...], str] = {}
    for key, cells in groups.items():
        first = cells[0]
        pkey = key[1:]
        ptitles[pkey] = ", ".join(f"{first[f'{d}_label_en']}" for d in dims[1:])
        label = first[f"{dims[0]}_label_en"] if dims else res.get("title_en", "")
        pts = tuple(
            Point(
                year=_year(c[PERIOD]) or 0,
                cell_type=c.get("cell_type", ""),
                value=_int(c.get("value")),
                lower=_int(c.get("value_lower")),
                upper=_int(c.get("value_upper")),
            )
            for c in sorted(cells, key=lambda c: c[PERIOD])
        )
        panels.setdefault(pkey, []).append(
            Series(label=label, points=pts, total=bool(dims) and key[0] == "all")
        )
    unit = res.get("unit") or {}
    return Chart(
        title=f"Table {res.get('reportTable')}: {res.get('title_en', '')}",
        unit=f"number of {unit.get('title_en', '')}" if isinstance(unit, dict) else "count",
        panels=tuple((ptitles[k] if len(panels) > 1 else "", tuple(v)) for k, v in panels.items()),
    )


def build_codebook(package: str | Path = "datapackage") -> Codebook:
    """Read the package and collect everything the codebook shows (see the module docstring)."""
    pkg = read_package(package)
    d = pkg.descriptor
    package_path = Path(package).as_posix()
    if package_path.endswith("datapackage.json"):
        package_path = str(Path(package_path).parent.as_posix())
    sources = {s["id"]: s for s in d.get("sources", []) if isinstance(s, dict) and "id" in s}
    parquet = {
        r["isFormatOf"]: r["path"]
        for r in d["resources"]
        if isinstance(r.get("isFormatOf"), str) and r.get("format") == "parquet"
    }
    findings = findings_by_table(d)
    relations = {r["id"]: r for r in d.get("relations", []) if isinstance(r, dict)}
    tables = []
    dim_titles: dict[str, str] = {}
    for res in d["resources"]:
        if "sdc" not in res:
            continue
        name = res["name"]
        rows = table_rows(pkg, name)
        fields = {f["name"]: f for f in res["schema"]["fields"]}
        dims = []
        for k in key_fields(res):
            if k == PERIOD:
                continue
            labels: dict[str, tuple[str, str]] = {}
            for r in rows:
                labels.setdefault(r[k], (r.get(f"{k}_label", ""), r.get(f"{k}_label_en", "")))
            enum = (fields[k].get("constraints") or {}).get("enum") or list(labels)
            dims.append(
                Dimension(
                    name=k,
                    title=str(fields[k].get("title", k)),
                    codes=tuple((c, *labels[c]) for c in enum if c in labels),
                )
            )
        src = (res.get("sources") or [{}])[0]
        ref_date = src.get("reference_date") or sources.get(src.get("id", ""), {}).get(
            "reference_date"
        )
        disc = tuple(
            x
            for x in d.get("knownDiscrepancies", [])
            if any(
                _refs_table(relations.get(rid, {}), name) or rid.split("/", 1)[0] == name
                for rid in x.get("relations", [])
            )
        )
        unit = res.get("unit") or {}
        periods = sorted({r.get(PERIOD, "") for r in rows}, key=lambda p: (len(p) > 4, p))
        files = {"csv": f"{package_path}/{res['path']}"}
        if name in parquet:
            files["parquet"] = f"{package_path}/{parquet[name]}"
        view = view_of(pkg, res, lang="nl") if rows else None
        view_en = view_of(pkg, res, lang="en") if rows else None
        chart = chart_data(res, rows)
        tables.append(
            TableDoc(
                name=name,
                number=res.get("reportTable"),
                title=res.get("title", ""),
                title_en=res.get("title_en", ""),
                description=res.get("description", ""),
                description_en=res.get("description_en", ""),
                section=res.get("section", ""),
                source=src.get("title", ""),
                source_en=src.get("title_en", ""),
                reference_date=ref_date,
                printed_source=res.get("printedSource"),
                unit=unit.get("title_en", "") if isinstance(unit, dict) else str(unit),
                rule=_rule(res.get("sdc") or {}),
                available=bool(res.get("available", True)),
                periods=tuple(p for p in periods if p),
                rows=len(rows),
                counts={t: sum(1 for r in rows if r.get("cell_type") == t) for t in MARKED},
                dimensions=tuple(dims),
                notes=tuple(res.get("notes") or ()),
                notes_en=tuple(res.get("notes_en") or ()),
                inference=res.get("inference", ""),
                unresolved=tuple(res.get("unresolved") or ()),
                discrepancies=disc,
                findings=tuple(findings.get(name, [])),
                snippets=snippets(package_path, res, parquet.get(name)),
                chart=chart,
                files=files,
                view=view,
                view_en=view_en,
                alt=describe(chart) if chart else "",
            )
        )
        for dim in key_fields(res):
            if dim != PERIOD and dim not in dim_titles:
                dim_titles[dim] = dimension_title(res, dim, "en")
    lic = (d.get("licenses") or [{}])[0]
    totals, totals_file = _totals(d, pkg.rows, package_path)
    all_periods = sorted({p for t in tables for p in t.periods}, key=lambda p: (len(p) > 4, p))
    return Codebook(
        title=d.get("title", ""),
        title_en=d.get("title_en", ""),
        description=d.get("description", ""),
        description_en=d.get("description_en", ""),
        version=str(d.get("version", "")),
        licence=str(lic.get("title") or lic.get("name") or ""),
        package_path=package_path,
        tables=tuple(tables),
        text_figures=len(pkg.rows.get("text_figures", [])),
        has_findings="acknowledgedFindings" in d,
        questions=questions(d, tables, bool(totals), package_path),
        totals=totals,
        totals_file=totals_file,
        coverage_periods=tuple(all_periods),
        coverage_dimensions=tuple(dim_titles.items()),
        coverage={
            t.name: frozenset({*t.periods, *(dim.name for dim in t.dimensions)}) for t in tables
        },
    )


TOTALS = "totals"


def _totals(
    d: Mapping[str, Any], rows: Mapping[str, Sequence[Mapping[str, str]]], package_path: str
) -> tuple[tuple[TotalRow, ...], str]:
    """The rows of the resource ``totals`` (quantity, period, value and bounds, how derived),
    read generically: a package without it gives ``()``."""
    res = next((r for r in d["resources"] if isinstance(r, dict) and r.get("name") == TOTALS), None)
    if res is None or not rows.get(TOTALS):
        return (), ""
    out = []
    for r in rows[TOTALS]:
        value, lo, hi = r.get("value", ""), r.get("value_lower", ""), r.get("value_upper", "")
        shown = value or (f"{lo}–{hi}" if lo and hi else f"≥ {lo}" if lo else "")
        out.append(
            TotalRow(
                quantity=r.get("quantity", ""),
                label=r.get("quantity_label", ""),
                label_en=r.get("quantity_label_en", "") or r.get("quantity", ""),
                period=r.get(PERIOD, ""),
                dimension=r.get("dimension", ""),
                code=r.get("code", ""),
                shown=shown,
                # printed in the text: derived_by names the figure (text:<id>)
                printed=any(x.startswith("text:") for x in r.get("derived_by", "").split()),
                derived_by=r.get("derived_by", ""),
                unit=r.get("unit", ""),
            )
        )
    return tuple(out), f"{package_path}/{res.get('path', '')}"


def questions(
    d: Mapping[str, Any], tables: Sequence[TableDoc], has_totals: bool, package_path: str
) -> tuple[Question, ...]:
    """The package's index from questions to tables (``questions`` of ``datapackage.json``, in
    its order; ``()`` when absent), each resource resolved to the table section, the totals
    or the file that answers it."""
    docs = {t.name: t for t in tables}
    paths = {
        r["name"]: f"{package_path}/{r.get('path', '')}"
        for r in d.get("resources", [])
        if isinstance(r, dict) and isinstance(r.get("name"), str)
    }

    def target(name: str) -> Target:
        t = docs.get(name)
        if t is not None:
            return Target(name, t.number, t.title_en, t.name, paths.get(name, ""))
        anchor = TOTALS if name == TOTALS and has_totals else ""
        return Target(name, None, "", anchor, paths.get(name, ""))

    return tuple(
        Question(
            id=str(q.get("id", "")),
            text=str(q.get("question_en", "")),
            text_nl=str(q.get("question", "")),
            targets=tuple(target(str(r)) for r in q.get("resources") or []),
            note_en=str(q.get("note_en", "")),
            note=str(q.get("note", "")),
        )
        for q in d.get("questions") or []
        if isinstance(q, dict)
    )


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------

_MD = """\
# Codebook: {{ cb.title_en }}

*{{ cb.title }}* — version {{ cb.version }}, licence {{ cb.licence }}.

{{ cb.description_en }}

{{ cb.description }}

## How to read the cells

Every table is a tidy CSV (and a Parquet copy): one row per cell, with `year_from` and
`year_to` (integers), for each dimension its code, Dutch label (`<dim>_label`) and English
label (`<dim>_label_en`), then `value`, the bounds, `cell_type` and `edition`. The period label,
the printed value and the SDMX codes are in `data/observations.csv` and the SDMX-CSV:

| printed | `value` | `value_lower` – `value_upper` | `cell_type` | `obs_status` | `conf_status` | meaning |
|---|---|---|---|---|---|---|
{% for p, v, b, t, o, c, m in coding %}| `{{ p }}` | {{ v }} | {{ b }} | `{{ t }}` | `{{ o }}` | `{{ c }}` | {{ m }} |
{% endfor %}
A masked cell is **never 0**: load `value` as a nullable integer (snippets below) and use the
bounds when you need an interval. `obs_status` and `conf_status` are SDMX codes (A normal,
Q not a single figure, O missing; F free, A primary confidentiality, D secondary).
The code `all` in a dimension means all categories together.

## Tables

| # | table | years | rows | masked | rounded | range | unresolved |{% if cb.has_findings %} audit findings |{% endif %}
|---|---|---|---|---|---|---|---|{% if cb.has_findings %}---|{% endif %}
{% for t in cb.tables %}| {{ t.number }} | [{{ t.title_en }}](#{{ t.name }}) | {{ years(t) }} | {{ t.rows }} | {{ t.counts.masked }} | {{ t.counts.rounded }} | {{ t.counts.range }} | {{ t.counts.unresolved }} |{% if cb.has_findings %} {{ t.findings|length }} |{% endif %}
{% endfor %}

## Questions → tables

Questions a researcher asks, the resources that answer them (most direct first) and what those
count (hand-curated: `metadata/questions.toml`, the package property `questions`).

| question | answered by | what they count |
|---|---|---|
{% for q in cb.questions %}| {{ q.text }} *({{ q.text_nl }})* | {% for t in q.targets %}{{ "; " if not loop.first else "" }}{% if t.number %}[Table {{ t.number }}](#{{ t.anchor }}) `{{ t.resource }}`{% elif t.anchor %}[Totals](#{{ t.anchor }}) (resource `{{ t.resource }}`){% else %}resource `{{ t.resource }}` (`{{ t.path }}`){% endif %}{% endfor %} | {{ q.note_en }} |
{% endfor %}{% if cb.totals %}
<a id="totals"></a>
## Totals

The resource `totals` (`{{ cb.totals_file }}`): totals the report prints or exact cells alone
determine, with the relation or prose figure that gives each.

| quantity | breakdown | period | value | printed or derived by |
|---|---|---|---:|---|
{% for r in cb.totals %}| {{ r.label_en }} (*{{ r.label }}*) | {% if r.dimension %}`{{ r.dimension }}={{ r.code }}`{% endif %} | {{ r.period }} | {{ r.shown }} | {{ "printed; " if r.printed else "" }}`{{ r.derived_by }}` |
{% endfor %}{% endif %}
## Coverage: dimensions and years

Which table holds which period and which dimension (● = the table has cells for it).

| table |{% for p in cb.coverage_periods %} {{ p }} |{% endfor %}{% for name, title in cb.coverage_dimensions %} `{{ name }}` |{% endfor %}
|---|{% for p in cb.coverage_periods %}---|{% endfor %}{% for n in cb.coverage_dimensions %}---|{% endfor %}
{% for t in cb.tables %}| {{ t.number }}. [{{ t.name }}](#{{ t.name }}) |{% for p in cb.coverage_periods %} {{ "●" if p in cb.coverage[t.name] else "" }} |{% endfor %}{% for name, title in cb.coverage_dimensions %} {{ "●" if name in cb.coverage[t.name] else "" }} |{% endfor %}
{% endfor %}
{% for t in cb.tables %}
<a id="{{ t.name }}"></a>
## Table {{ t.number }}. {{ t.title_en }}

*{{ t.title }}*

{{ t.description_en }}

{{ t.description }}

- **Resource**: `{{ t.name }}` — `{{ t.files.csv }}`{% if t.files.parquet %}, `{{ t.files.parquet }}`{% endif %}
- **Source**: {{ t.source_en }}{% if t.printed_source %} (printed: "{{ t.printed_source }}"){% endif %}
{%- if t.reference_date %}; reference date {{ t.reference_date }}{% endif %}
- **Unit**: {{ t.unit }}; **periods**: {{ years(t) }}; **rows**: {{ t.rows }}
- **Disclosure control**: {{ t.rule }}
- **Cells**: {{ t.counts.masked }} masked, {{ t.counts.rounded }} rounded, {{ t.counts.range }} range, {{ t.counts.unresolved }} unresolved{% if t.counts.secondary %}, {{ t.counts.secondary }} secondary (x){% endif %}
{% if not t.available %}
**No rows**: the figures of this table are not in the report's text; nothing is invented.
{% endif %}
{% if t.view %}**Figures as printed**{% for p in t.view.panels %}

{% if p.heading() %}*{{ p.heading() }}*

{% endif %}| {{ p.row_title }} |{% for _c, label in p.columns %} {{ label }} |{% endfor %}
|---|{% for _c in p.columns %}---:|{% endfor %}
{% for (_code, label), line in zip(p.rows, p.cells) %}| {{ label }} |{% for c in line %} {{ cell(c)|replace("<", "&lt;") }} |{% endfor %}
{% endfor %}{% endfor %}
{% for kind, n in t.view.counts.items() if n %}{{ " " if not loop.first else "" }}`{{ symbols[kind] }}` {{ notes[kind] }} ({{ n }}).{% endfor %}
{% endif %}
{% for dim in t.dimensions %}
**Dimension `{{ dim.name }}`** ({{ dim.title }})

| code | Dutch label | English label |
|---|---|---|
{% for c, nl, en in dim.codes %}| `{{ c }}` | {{ nl }} | {{ en }} |
{% endfor %}{% endfor %}
{% if t.chart %}
![{{ t.alt }}](charts/{{ t.name }}.png)

Chart: [PNG](charts/{{ t.name }}.png), [SVG](charts/{{ t.name }}.svg). `<5`, `x` and `?` in the
grey strip under the chart are cells without a figure (never zero); bars are ranges and rounding
intervals.
{% endif %}
{% if t.notes_en %}**Notes**

{% for n in t.notes_en %}- {{ n }}
{% endfor %}{% for n in t.notes %}- *{{ n }}*
{% endfor %}{% endif %}
**How the table was read from the report**

```text
{{ t.inference }}
```
{% if t.unresolved %}
**Unresolved cells**

| CSV row | cell | candidates | reason |
|---|---|---|---|
{% for u in t.unresolved %}| {{ u.row }} | {{ key(u.key) }} | {{ u.candidates|join(" or ") }} | {{ u.reason|replace("\\n", " ") }} |
{% endfor %}{% endif %}
{% if t.discrepancies %}
**Known discrepancies of the report**

{% for x in t.discrepancies %}- **{{ x.id }}**: {{ x.description_en }}
{% endfor %}{% endif %}
{% if t.findings %}
**Disclosure audit: acknowledged findings**

Masked cells of the historic publication that its printed figures pin down (exactly or to a
narrower interval) through the relations named; their values are deliberately not given here.
{% if t.findings|selectattr("edition")|list %}A finding of an earlier edition names that edition: it is about that edition's printing of a cell
a later edition re-printed (a row of `superseded`), not about the cell as this table prints it.
{% endif %}
| cell | finding | relations |
|---|---|---|
{% for f in t.findings %}| `{{ f.cell }}` | {{ "exact disclosure" if f.code == "audit.exact-disclosure" else "narrowed" }}{% if f.edition %} in edition {{ f.edition }}'s printing (`superseded`) *(in de druk van editie {{ f.edition }})*{% endif %} | {{ f.relations|join(", ") }} |
{% endfor %}{% endif %}
**Load it**

pandas (CSV):

```python
{{ t.snippets.pandas }}```
{% if t.snippets.pandas_parquet %}
pandas (Parquet):

```python
{{ t.snippets.pandas_parquet }}```

DuckDB:

```python
{{ t.snippets.duckdb }}```
{% endif %}
R:

```r
{{ t.snippets.r }}```
{% endfor %}
"""

_HTML = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Codebook: {{ cb.title_en }}</title>
<style>
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; line-height: 1.45;
       color: #1b1b1b; display: grid; grid-template-columns: 17rem minmax(0, 1fr); }
nav.toc { position: sticky; top: 0; align-self: start; height: 100vh; overflow-y: auto;
          padding: 1rem .8rem; background: #f6f6f4; border-right: 1px solid #ddd; font-size: .85rem; }
nav.toc ol, nav.toc ul { padding-left: 1.2rem; margin: .3rem 0; } nav.toc li { margin: .15rem 0; }
nav.toc a { text-decoration: none; color: #0b4f8a; } nav.toc a:hover { text-decoration: underline; }
main { padding: 1rem 2rem 4rem; min-width: 0; max-width: 84rem; }
h1 { font-size: 1.7rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #ddd; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .2rem .45rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num, th.num { text-align: right; }
table.printed td.num { font-variant-numeric: tabular-nums; white-space: nowrap; padding: .2rem .3rem; }
table.printed th { font-size: .8rem; font-weight: 600; padding: .2rem .3rem; }
table.printed th[scope=col] { vertical-align: bottom; }
table.printed caption { text-align: left; font-weight: 600; padding: .2rem 0; }
td.c-masked, td.c-secondary { background: #fff3c4; } td.c-range { background: #f3e1f7; }
td.c-rounded { background: #e3f3f7; } td.c-unresolved { background: #fbd5d5; font-weight: 700; }
code, pre { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .84rem; }
pre { background: #f6f8fa; padding: .7rem; overflow-x: auto; border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; }
.nl { color: #555; font-style: italic; } .meta li { margin: .15rem 0; }
.pair { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: flex-start; }
.pair > .values { flex: 0 1 auto; max-width: 100%; }
.pair > figure { flex: 1 1 26rem; min-width: min(26rem, 100%); max-width: 46rem; margin: 0; }
@media (min-width: 84rem) {  /* wide screens: every table beside its chart, a wide one scrolls in its own box */
  .pair { display: grid; grid-template-columns: minmax(0, max-content) minmax(23rem, 1fr); column-gap: 1.5rem; }
  .pair > .values { min-width: 0; } .pair > figure { min-width: 0; max-width: 34rem; }
}
.chart svg { width: 100%; height: auto; display: block; }
figcaption { font-size: .85rem; color: #444; }
table.coverage th.v { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap;
                      font-weight: 500; font-size: .8rem; padding: .3rem .1rem; }
table.coverage td { text-align: center; padding: .1rem .25rem; } table.coverage td.t { text-align: left; }
table.coverage { font-size: .82rem; }
details { margin: .5rem 0; } summary { cursor: pointer; font-weight: 600; }
.legend span { display: inline-block; margin-right: 1rem; }
ul.targets { margin: 0; padding-left: 1rem; } table.questions td { min-width: 12rem; }
li, p, td { overflow-wrap: break-word; }
code.id { overflow-wrap: anywhere; } td.nowrap { white-space: nowrap; }  /* only a long cell or relation id may break inside (a table sizes its columns by whole words otherwise) */
.scroll { overflow-x: auto; max-width: 100%; }  /* a printed table wider than a narrow window */
@media (max-width: 50rem) { body { display: block; } nav.toc { position: static; height: auto; } }
</style>
</head>
<body>
<nav class="toc" aria-label="Contents">
<strong>Contents</strong>
<ul>
<li><a href="#cells">How to read the cells</a></li>
<li><a href="#questions">Questions → tables</a></li>
<li><a href="#coverage">Coverage: dimensions and years</a></li>
{% if cb.totals %}<li><a href="#totals">Totals</a></li>
{% endif %}<li><a href="#tables">Tables</a></li>
</ul>
<ol>
{% for t in cb.tables %}<li value="{{ t.number }}"><a href="#{{ t.name }}">{{ t.title_en }}</a></li>
{% endfor %}</ol>
</nav>
<main>
<h1>Codebook: {{ cb.title_en }}</h1>
<p class="nl" lang="nl">{{ cb.title }}</p>
<p>Version {{ cb.version }} · licence {{ cb.licence }}</p>
<p>{{ cb.description_en }}</p>
<p class="nl" lang="nl">{{ cb.description }}</p>

<h2 id="cells">How to read the cells</h2>
<p>Every table is a tidy CSV (and a Parquet copy): one row per cell, with <code>year_from</code>
and <code>year_to</code> (integers), for each dimension its code, Dutch label
(<code>&lt;dim&gt;_label</code>) and English label (<code>&lt;dim&gt;_label_en</code>), then
<code>value</code>, the bounds, <code>cell_type</code> and <code>edition</code>. The period
label, the printed value and the SDMX codes are in <code>data/observations.csv</code> and the
SDMX-CSV:</p>
<table>
<tr><th>printed</th><th><code>value</code></th><th><code>value_lower</code> – <code>value_upper</code></th>
<th><code>cell_type</code></th><th><code>obs_status</code></th><th><code>conf_status</code></th><th>meaning</th></tr>
{% for p, v, b, t, o, c, m in coding %}<tr><td><code>{{ p }}</code></td><td>{{ v }}</td><td>{{ b }}</td>
<td><code>{{ t }}</code></td><td><code>{{ o }}</code></td><td><code>{{ c }}</code></td><td>{{ m }}</td></tr>
{% endfor %}</table>
<p>A masked cell is <strong>never 0</strong>: load <code>value</code> as a nullable integer
(snippets per table) and use the bounds when you need an interval. <code>obs_status</code> and
<code>conf_status</code> are SDMX codes (A normal, Q not a single figure, O missing; F free,
A primary confidentiality, D secondary). The code <code>all</code> means all categories together.</p>
<p>Each table below is shown as the report prints it, with its symbols (<code>&lt;5</code>,
<code>x</code>, ranges, <code>≈</code> for a figure rounded to tens, <code>?</code> for an
unresolved cell), beside its chart. In the charts, masked (<code>&lt;5</code>), suppressed
(<code>x</code>) and unresolved (<code>?</code>) cells are never drawn on the value axis: they
are their symbol in a grey strip under the chart, one line per cell, so they cannot be read as
zero.</p>

<h2 id="questions">Questions → tables</h2>
<p>Questions a researcher asks, the resources that answer them (most direct first) and what
those count: hand-curated (<code>metadata/questions.toml</code>, the package property
<code>questions</code>).</p>
{% if cb.questions %}<table class="questions">
<tr><th>question</th><th>answered by</th><th>what they count</th></tr>
{% for q in cb.questions %}<tr id="q-{{ q.id }}"><td>{{ q.text }} <span class="nl" lang="nl">({{ q.text_nl }})</span></td><td><ul class="targets">{% for t in q.targets %}<li>{% if t.number %}<a href="#{{ t.anchor }}">Table {{ t.number }}</a>: {{ t.title }}{% elif t.anchor %}<a href="#{{ t.anchor }}">Totals</a> (resource <code>{{ t.resource }}</code>){% else %}resource <code>{{ t.resource }}</code> (<code class="id">{{ t.path }}</code>){% endif %}</li>{% endfor %}</ul></td><td>{{ q.note_en }}</td></tr>
{% endfor %}</table>{% else %}<p>The package has no index of questions.</p>{% endif %}
{% if cb.totals %}
<h2 id="totals">Totals</h2>
<p>The resource <code>totals</code> (<code>{{ cb.totals_file }}</code>): totals the report prints
or exact cells alone determine, with the relation or prose figure that gives each. Use these as
denominators; summing the reporting organisations counts a victim with several reporters twice.</p>
<table class="totals">
<tr><th>quantity</th><th>breakdown</th><th>period</th><th class="num">value</th><th>printed or derived by</th></tr>
{% for r in cb.totals %}<tr><td>{{ r.label_en }} <span class="nl" lang="nl">({{ r.label }})</span></td><td>{% if r.dimension %}<code>{{ r.dimension }}={{ r.code }}</code>{% endif %}</td><td class="nowrap">{{ r.period }}</td><td class="num">{{ r.shown }}</td><td>{{ "printed; " if r.printed else "" }}<code class="id">{{ r.derived_by }}</code></td></tr>
{% endfor %}</table>
{% endif %}

<h2 id="coverage">Coverage: dimensions and years</h2>
<p>Which table holds which period and which dimension (● = the table has cells for it).</p>
<table class="coverage">
<tr><th>table</th>{% for p in cb.coverage_periods %}<th class="v" scope="col">{{ p }}</th>{% endfor %}{% for name, title in cb.coverage_dimensions %}<th class="v" scope="col" title="{{ name }}">{{ title }}</th>{% endfor %}</tr>
{% for t in cb.tables %}<tr><td class="t"><a href="#{{ t.name }}">{{ t.number }}. {{ t.name }}</a></td>{% for p in cb.coverage_periods %}<td>{{ "●" if p in cb.coverage[t.name] else "" }}</td>{% endfor %}{% for name, title in cb.coverage_dimensions %}<td>{{ "●" if name in cb.coverage[t.name] else "" }}</td>{% endfor %}</tr>
{% endfor %}</table>

<h2 id="tables">Tables</h2>
<table>
<tr><th>#</th><th>table</th><th>years</th><th>rows</th><th>masked</th><th>rounded</th><th>range</th><th>unresolved</th>{% if cb.has_findings %}<th>audit findings</th>{% endif %}</tr>
{% for t in cb.tables %}<tr><td class="num">{{ t.number }}</td><td><a href="#{{ t.name }}">{{ t.title_en }}</a></td><td>{{ years(t) }}</td>
<td class="num">{{ t.rows }}</td><td class="num">{{ t.counts.masked }}</td><td class="num">{{ t.counts.rounded }}</td>
<td class="num">{{ t.counts.range }}</td><td class="num">{{ t.counts.unresolved }}</td>{% if cb.has_findings %}<td class="num">{{ t.findings|length }}</td>{% endif %}</tr>
{% endfor %}</table>

{% for t in cb.tables %}
<section id="{{ t.name }}" aria-labelledby="h-{{ t.name }}">
<h2 id="h-{{ t.name }}">Table {{ t.number }}. {{ t.title_en }}</h2>
<p class="nl" lang="nl">{{ t.title }}</p>
<p>{{ t.description_en }}</p>
<p class="nl" lang="nl">{{ t.description }}</p>
<div class="pair">
<div class="values" id="values-{{ t.name }}">
{% if t.view %}{% for p in t.view.panels %}<div class="scroll"><table class="printed" id="{{ t.name }}--{{ p.panel }}" lang="nl">
{% if p.heading() %}<caption>{{ p.heading() }}</caption>{% endif %}
<tr><th scope="col">{{ p.row_title }}</th>{% for _c, label in p.columns %}<th scope="col" class="num">{{ head(label) }}</th>{% endfor %}</tr>
{% for (_code, label), line in zip(p.rows, p.cells) %}<tr><th scope="row">{{ wbr(label) }}</th>{% for c in line %}<td class="num{% if c %} c-{{ c.cell_type }}{% endif %}"{% if c and c.cell_type in notes %} title="{{ notes[c.cell_type] }}"{% endif %}>{{ cell(c) }}</td>{% endfor %}</tr>
{% endfor %}</table></div>
{% endfor %}<p class="legend">{% for kind, n in t.view.counts.items() if n %}<span><code>{{ symbols[kind] }}</code> {{ notes[kind] }} ({{ n }})</span>{% endfor %}</p>
{% else %}<p><strong>No rows</strong>: the figures of this table are not in the report's text; nothing is invented.</p>{% endif %}
</div>
{% if t.chart %}<figure class="chart">{{ svg(t.name) }}
<figcaption>Chart of table {{ t.number }}. Lines join single figures; <code>&lt;5</code>, <code>x</code> and <code>?</code> in the grey strip are cells without a figure (never zero); bars are ranges and rounding intervals.</figcaption></figure>{% endif %}
</div>
<ul class="meta">
<li><strong>Resource</strong>: <code>{{ t.name }}</code> — <code>{{ t.files.csv }}</code>{% if t.files.parquet %}, <code>{{ t.files.parquet }}</code>{% endif %}</li>
<li><strong>Source</strong>: {{ t.source_en }}{% if t.printed_source %} (printed: “<span lang="nl">{{ t.printed_source }}</span>”){% endif %}{% if t.reference_date %}; reference date {{ t.reference_date }}{% endif %}</li>
<li><strong>Unit</strong>: {{ t.unit }}; <strong>periods</strong>: {{ years(t) }}; <strong>rows</strong>: {{ t.rows }}</li>
<li><strong>Disclosure control</strong>: {{ t.rule }}</li>
<li><strong>Cells</strong>: {{ t.counts.masked }} masked, {{ t.counts.rounded }} rounded, {{ t.counts.range }} range, {{ t.counts.unresolved }} unresolved{% if t.counts.secondary %}, {{ t.counts.secondary }} secondary (x){% endif %}</li>
</ul>
{% for dim in t.dimensions %}
<details><summary>Dimension <code>{{ dim.name }}</code> ({{ dim.title }}): {{ dim.codes|length }} codes</summary>
<table><tr><th>code</th><th>Dutch label</th><th>English label</th></tr>
{% for c, nl, en in dim.codes %}<tr><td><code>{{ c }}</code></td><td lang="nl">{{ nl }}</td><td>{{ en }}</td></tr>
{% endfor %}</table></details>
{% endfor %}
{% if t.notes_en %}<h3>Notes</h3><ul>{% for n in t.notes_en %}<li>{{ n }}</li>{% endfor %}{% for n in t.notes %}<li class="nl" lang="nl">{{ n }}</li>{% endfor %}</ul>{% endif %}
<details><summary>How the table was read from the report</summary><pre>{{ t.inference }}</pre></details>
{% if t.unresolved %}<h3>Unresolved cells</h3>
<table><tr><th>CSV row</th><th>cell</th><th>candidates</th><th>reason</th></tr>
{% for u in t.unresolved %}<tr><td class="num">{{ u.row }}</td><td>{{ key(u.key) }}</td><td>{{ u.candidates|join(" or ") }}</td><td>{{ u.reason }}</td></tr>
{% endfor %}</table>{% endif %}
{% if t.discrepancies %}<h3>Known discrepancies of the report</h3><ul>
{% for x in t.discrepancies %}<li><strong>{{ x.id }}</strong>: {{ x.description_en }}</li>
{% endfor %}</ul>{% endif %}
{% if t.findings %}<h3>Disclosure audit: acknowledged findings</h3>
<p>Masked cells of the historic publication that its printed figures pin down (exactly or to a
narrower interval) through the relations named; their values are deliberately not given here.{% if t.findings|selectattr("edition")|list %}
A finding of an earlier edition names that edition: it is about that edition's printing of a cell
a later edition re-printed (a row of <code>superseded</code>), not about the cell as this table prints it.{% endif %}</p>
<table><tr><th>cell</th><th>finding</th><th>relations</th></tr>
{% for f in t.findings %}<tr><td><code class="id">{{ f.cell }}</code></td><td>{{ "exact disclosure" if f.code == "audit.exact-disclosure" else "narrowed" }}{% if f.edition %} in edition {{ f.edition }}'s printing (<code>superseded</code>) <span class="nl" lang="nl">(in de druk van editie {{ f.edition }})</span>{% endif %}</td><td>{{ f.relations|join(", ") }}</td></tr>
{% endfor %}</table>{% endif %}
<details><summary>Load it (pandas, DuckDB, R)</summary>
<p>pandas (CSV):</p><pre><code>{{ t.snippets.pandas }}</code></pre>
{% if t.snippets.pandas_parquet %}<p>pandas (Parquet):</p><pre><code>{{ t.snippets.pandas_parquet }}</code></pre>
<p>DuckDB:</p><pre><code>{{ t.snippets.duckdb }}</code></pre>{% endif %}
<p>R:</p><pre><code>{{ t.snippets.r }}</code></pre>
</details>
</section>
{% endfor %}
</main>
</body>
</html>
"""


def _years(t: TableDoc) -> str:
    ys = [p for p in t.periods if len(p) == 4]
    span = f"{ys[0]}–{ys[-1]}" if len(ys) > 1 else "".join(ys)
    extra = [p for p in t.periods if len(p) > 4]
    return ", ".join([x for x in (span, *extra) if x]) or "—"


def _key(k: Mapping[str, str]) -> str:
    return ", ".join(f"{a}={b}" for a, b in k.items())


def _wbr(label: str) -> Markup:
    """A label with a line-break opportunity after each ``/`` (``massagesalons/internet``)."""
    return Markup(str(escape(label)).replace("/", "/<wbr>"))


HYPHENATE_FROM = 9
"""Words of a column head this long or longer get soft hyphens (:func:`_column_head`)."""


def _column_head(label: str) -> Markup:
    """A Dutch column head of a printed table with a soft hyphen (U+00AD) at each Dutch
    hyphenation point of its long words (pyphen's ``nl_NL`` patterns, at least 3 letters
    before and 4 after: ``Straat­prostitutie``) and a break after each ``/``: a table of seven such
    columns fits beside its chart instead of being as wide as its longest words. The browser
    shows a hyphen only where it breaks a word; the text and screen readers are unchanged."""
    import pyphen  # the only pyphen import; only for the HTML codebook

    dic = pyphen.Pyphen(lang="nl_NL", left=3, right=4)
    words = re.split(r"(\s+|/)", label)
    return _wbr(
        "".join(w if len(w) < HYPHENATE_FROM else dic.inserted(w, hyphen="\u00ad") for w in words)
    )


def _svg_body(svg: bytes, alt: str, prefix: str) -> str:
    """The inline ``<svg>`` element with its alt text (``role="img"``, ``aria-label`` and a
    ``<title>``), without the XML prolog; matplotlib's fixed width/height in pt dropped so that
    CSS sizes it (the viewBox keeps the aspect ratio). Every id of the chart gets ``prefix``
    (:func:`_prefix_ids`): matplotlib names them the same in every chart."""
    text = _prefix_ids(svg.decode("utf-8"), prefix)
    text = text[text.index("<svg") :]
    head_end = text.index(">") + 1
    head = re.sub(r'\s(width|height)="[^"]*"', "", text[:head_end])
    attr = alt.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    head = head[:-1] + f' role="img" aria-label="{attr}">'
    return head + f"<title>{attr}</title>" + text[head_end:]


_ID = re.compile(r'(\sid=")([^"]+)(")')
_REF = re.compile(r'(url\(#)([^)]+)(\))|((?:xlink:)?href="#)([^"]+)(")')


def _prefix_ids(svg: str, prefix: str) -> str:
    """``svg`` with every ``id`` it defines renamed ``<prefix>-<id>``, and the references to
    them (``url(#...)``, ``href="#..."``) with it (an id repeated inside the chart, from the
    gids of :mod:`opendata_mh.charts`, gets ``-2``, ``-3``, ...), so that charts inlined in one page share no
    id and each clip path or marker reference resolves inside its own chart."""
    ids = {m.group(2) for m in _ID.finditer(svg)}
    seen: Counter[str] = Counter()

    def rename(m: re.Match[str]) -> str:
        # a gid repeats where one matplotlib call draws several artists (an error bar's line,
        # caps and bar): the second is ``<id>-2``; such gids are never referenced
        seen[m.group(2)] += 1
        n = seen[m.group(2)]
        return f"{m.group(1)}{prefix}-{m.group(2)}{f'-{n}' if n > 1 else ''}{m.group(3)}"

    svg = _ID.sub(rename, svg)

    def ref(m: re.Match[str]) -> str:
        head, target, tail = m.group(1, 2, 3) if m.group(1) else m.group(4, 5, 6)
        return f"{head}{prefix}-{target}{tail}" if target in ids else m.group(0)

    return _REF.sub(ref, svg)


def render_codebook(cb: Codebook) -> dict[str, bytes]:
    """Every output file: ``codebook.md``, ``codebook.html``, ``charts/<table>.{png,svg}``."""
    files: dict[str, bytes] = {}
    svgs: dict[str, str] = {}
    for t in cb.tables:
        if t.chart:
            img = render(t.chart)
            files[f"charts/{t.name}.png"] = img["png"]
            # the same ids as inline: a gid of several artists is no longer repeated
            svg = _prefix_ids(img["svg"].decode("utf-8"), f"chart-{t.name}")
            files[f"charts/{t.name}.svg"] = svg.encode("utf-8")
            svgs[t.name] = _svg_body(img["svg"], t.alt, f"chart-{t.name}")
    common = {
        "cb": cb,
        "coding": CELL_CODING,
        "years": _years,
        "key": _key,
        "cell": cell_text,
        "zip": zip,
        "wbr": _wbr,
        "head": _column_head,
        "notes": CELL_NOTES,
        "symbols": CELL_SYMBOLS,
        "titles": {t.name: t.title_en for t in cb.tables},
    }
    md_env = jinja2.Environment(autoescape=False, keep_trailing_newline=True)
    md = md_env.from_string(_MD).render(**common)
    md = re.sub(r"\n{3,}", "\n\n", md)
    files["codebook.md"] = md.encode("utf-8")
    html_env = jinja2.Environment(autoescape=True, keep_trailing_newline=True)
    html = html_env.from_string(_HTML).render(svg=lambda name: Markup(svgs[name]), **common)
    # every other table in a box that scrolls sideways when the window is too narrow for it
    html = re.sub(
        r'(<table(?! class="printed")[ >].*?</table>)',
        r'<div class="scroll">\1</div>',
        html,
        flags=re.S,
    )
    files["codebook.html"] = re.sub(r"\n{3,}", "\n\n", html).encode("utf-8")
    return files


@dataclass(frozen=True)
class DocsResult:
    out: Path
    files: tuple[str, ...]
    tables: int
    charts: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "files": list(self.files),
            "tables": self.tables,
            "charts": self.charts,
        }


def write_codebook(
    package: str | Path = "datapackage", out: str | Path = "docs/codebook"
) -> DocsResult:
    """Build the codebook of ``package`` and write it into ``out`` (created if needed)."""
    cb = build_codebook(package)
    files = render_codebook(cb)
    root = Path(out)
    for rel, data in sorted(files.items()):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return DocsResult(
        out=root,
        files=tuple(sorted(files)),
        tables=len(cb.tables),
        charts=sum(1 for t in cb.tables if t.chart),
    )


def code_blocks(markdown: str, lang: str) -> list[str]:
    """The fenced code blocks of language ``lang`` in ``markdown`` (used by the tests)."""
    return re.findall(rf"```{lang}\n(.*?)```", markdown, flags=re.S)


__all__ = [
    "Codebook",
    "DocsResult",
    "Question",
    "TableDoc",
    "Target",
    "TotalRow",
    "build_codebook",
    "chart_data",
    "code_blocks",
    "questions",
    "render_codebook",
    "snippets",
    "write_codebook",
]
