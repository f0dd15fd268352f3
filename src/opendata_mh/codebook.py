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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from opendata_mh.charts import Chart, Point, Series, render
from opendata_mh.validate import read_package
from opendata_mh.views import MARKED, findings_by_table

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
     "derived from the totals"),
)  # fmt: skip


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
    dims = [k for k in res["schema"]["primaryKey"] if k != PERIOD]
    show = [*(f"{d}_label_en" for d in dims), "value_printed", "value_lower", "value_upper"]
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
            "# value is BIGINT and NULL for masked cells; or from the CSV with explicit types:\n"
            "rel_csv = duckdb.sql(\n"
            f"    \"SELECT * FROM read_csv('{csv_path}', header = true, \"\n"
            "    \"types = {'period': 'VARCHAR', 'value_printed': 'VARCHAR'})\"\n"
            ")\n"
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
    dims = [k for k in res["schema"]["primaryKey"] if k != PERIOD]
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
    for res in d["resources"]:
        if "sdc" not in res:
            continue
        name = res["name"]
        rows = pkg.rows.get(name, [])
        fields = {f["name"]: f for f in res["schema"]["fields"]}
        dims = []
        for k in res["schema"]["primaryKey"]:
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
                chart=chart_data(res, rows),
                files=files,
            )
        )
    lic = (d.get("licenses") or [{}])[0]
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

Every table is a tidy CSV (and a Parquet copy): one row per cell, with `period`, for each
dimension its code, Dutch label (`<dim>_label`) and English label (`<dim>_label_en`), then:

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
{% for dim in t.dimensions %}
**Dimension `{{ dim.name }}`** ({{ dim.title }})

| code | Dutch label | English label |
|---|---|---|
{% for c, nl, en in dim.codes %}| `{{ c }}` | {{ nl }} | {{ en }} |
{% endfor %}{% endfor %}
{% if t.chart %}
![Time series of table {{ t.number }}](charts/{{ t.name }}.png)

Chart: [PNG](charts/{{ t.name }}.png), [SVG](charts/{{ t.name }}.svg). Hollow markers with bars
are masked (1–4), range or unresolved cells: the bar is the interval, never a zero.
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

| cell | finding | relations |
|---|---|---|
{% for f in t.findings %}| `{{ f.cell }}` | {{ "exact disclosure" if f.code == "audit.exact-disclosure" else "narrowed" }} | {{ f.relations|join(", ") }} |
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
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 62rem;
       margin: 0 auto; padding: 1rem 1.5rem 4rem; line-height: 1.45; color: #1b1b1b; }
h1 { font-size: 1.7rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #ddd; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; }
code, pre { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .86rem; }
pre { background: #f6f8fa; padding: .7rem; overflow-x: auto; border-radius: 4px; }
.nl { color: #555; font-style: italic; } .meta li { margin: .15rem 0; }
.chart svg { max-width: 100%; height: auto; } nav ul { columns: 2; }
.tag { display: inline-block; padding: 0 .35rem; border-radius: 3px; background: #eef; }
details { margin: .5rem 0; } summary { cursor: pointer; font-weight: 600; }
</style>
</head>
<body>
<h1>Codebook: {{ cb.title_en }}</h1>
<p class="nl">{{ cb.title }}</p>
<p>Version {{ cb.version }} · licence {{ cb.licence }}</p>
<p>{{ cb.description_en }}</p>
<p class="nl">{{ cb.description }}</p>

<h2 id="cells">How to read the cells</h2>
<p>Every table is a tidy CSV (and a Parquet copy): one row per cell, with <code>period</code>,
for each dimension its code, Dutch label (<code>&lt;dim&gt;_label</code>) and English label
(<code>&lt;dim&gt;_label_en</code>), then:</p>
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

<h2 id="tables">Tables</h2>
<table>
<tr><th>#</th><th>table</th><th>years</th><th>rows</th><th>masked</th><th>rounded</th><th>range</th><th>unresolved</th>{% if cb.has_findings %}<th>audit findings</th>{% endif %}</tr>
{% for t in cb.tables %}<tr><td class="num">{{ t.number }}</td><td><a href="#{{ t.name }}">{{ t.title_en }}</a></td><td>{{ years(t) }}</td>
<td class="num">{{ t.rows }}</td><td class="num">{{ t.counts.masked }}</td><td class="num">{{ t.counts.rounded }}</td>
<td class="num">{{ t.counts.range }}</td><td class="num">{{ t.counts.unresolved }}</td>{% if cb.has_findings %}<td class="num">{{ t.findings|length }}</td>{% endif %}</tr>
{% endfor %}</table>

{% for t in cb.tables %}
<h2 id="{{ t.name }}">Table {{ t.number }}. {{ t.title_en }}</h2>
<p class="nl">{{ t.title }}</p>
<p>{{ t.description_en }}</p>
<p class="nl">{{ t.description }}</p>
<ul class="meta">
<li><strong>Resource</strong>: <code>{{ t.name }}</code> — <code>{{ t.files.csv }}</code>{% if t.files.parquet %}, <code>{{ t.files.parquet }}</code>{% endif %}</li>
<li><strong>Source</strong>: {{ t.source_en }}{% if t.printed_source %} (printed: “{{ t.printed_source }}”){% endif %}{% if t.reference_date %}; reference date {{ t.reference_date }}{% endif %}</li>
<li><strong>Unit</strong>: {{ t.unit }}; <strong>periods</strong>: {{ years(t) }}; <strong>rows</strong>: {{ t.rows }}</li>
<li><strong>Disclosure control</strong>: {{ t.rule }}</li>
<li><strong>Cells</strong>: {{ t.counts.masked }} masked, {{ t.counts.rounded }} rounded, {{ t.counts.range }} range, {{ t.counts.unresolved }} unresolved{% if t.counts.secondary %}, {{ t.counts.secondary }} secondary (x){% endif %}</li>
</ul>
{% if not t.available %}<p><strong>No rows</strong>: the figures of this table are not in the report's text; nothing is invented.</p>{% endif %}
{% if t.chart %}<figure class="chart">{{ svg(t.name) }}
<figcaption>Hollow markers with bars are masked (1–4), range or unresolved cells: the bar is the
interval that holds the true value, never a zero.</figcaption></figure>{% endif %}
{% for dim in t.dimensions %}
<details><summary>Dimension <code>{{ dim.name }}</code> ({{ dim.title }}): {{ dim.codes|length }} codes</summary>
<table><tr><th>code</th><th>Dutch label</th><th>English label</th></tr>
{% for c, nl, en in dim.codes %}<tr><td><code>{{ c }}</code></td><td>{{ nl }}</td><td>{{ en }}</td></tr>
{% endfor %}</table></details>
{% endfor %}
{% if t.notes_en %}<h3>Notes</h3><ul>{% for n in t.notes_en %}<li>{{ n }}</li>{% endfor %}{% for n in t.notes %}<li class="nl">{{ n }}</li>{% endfor %}</ul>{% endif %}
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
narrower interval) through the relations named; their values are deliberately not given here.</p>
<table><tr><th>cell</th><th>finding</th><th>relations</th></tr>
{% for f in t.findings %}<tr><td><code>{{ f.cell }}</code></td><td>{{ "exact disclosure" if f.code == "audit.exact-disclosure" else "narrowed" }}</td><td>{{ f.relations|join(", ") }}</td></tr>
{% endfor %}</table>{% endif %}
<h3>Load it</h3>
<p>pandas (CSV):</p><pre><code>{{ t.snippets.pandas }}</code></pre>
{% if t.snippets.pandas_parquet %}<p>pandas (Parquet):</p><pre><code>{{ t.snippets.pandas_parquet }}</code></pre>
<p>DuckDB:</p><pre><code>{{ t.snippets.duckdb }}</code></pre>{% endif %}
<p>R:</p><pre><code>{{ t.snippets.r }}</code></pre>
{% endfor %}
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


def _svg_body(svg: bytes) -> str:
    text = svg.decode("utf-8")
    return text[text.index("<svg") :]


def render_codebook(cb: Codebook) -> dict[str, bytes]:
    """Every output file: ``codebook.md``, ``codebook.html``, ``charts/<table>.{png,svg}``."""
    files: dict[str, bytes] = {}
    svgs: dict[str, str] = {}
    for t in cb.tables:
        if t.chart:
            img = render(t.chart)
            files[f"charts/{t.name}.png"] = img["png"]
            files[f"charts/{t.name}.svg"] = img["svg"]
            svgs[t.name] = _svg_body(img["svg"])
    common = {"cb": cb, "coding": CELL_CODING, "years": _years, "key": _key}
    md_env = jinja2.Environment(autoescape=False, keep_trailing_newline=True)
    md = md_env.from_string(_MD).render(**common)
    md = re.sub(r"\n{3,}", "\n\n", md)
    files["codebook.md"] = md.encode("utf-8")
    html_env = jinja2.Environment(autoescape=True, keep_trailing_newline=True)
    html = html_env.from_string(_HTML).render(svg=lambda name: Markup(svgs[name]), **common)
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
    "TableDoc",
    "build_codebook",
    "chart_data",
    "code_blocks",
    "render_codebook",
    "snippets",
    "write_codebook",
]
