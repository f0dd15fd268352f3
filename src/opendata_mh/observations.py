"""One long file of every observation, and the same observations as SDMX-CSV 2.0.

``data/observations.csv`` (and ``parquet/observations.parquet``): one row per observation

* every cell of every table (``resource`` = the table, ``series`` = the table id),
* every published total (``resource`` = ``totals``, ``series`` = the quantity),
* every count of the prose that no table prints but that lies on the package's dimensions
  (a text figure with ``dimensions``; ``resource`` = ``text_figures``, ``series`` = the
  figure id). A figure that repeats a table cell or a total is that cell or total already.

Rows are period-major: the multi-year periods first, then year by year (see :func:`rows`).
Columns: ``resource``, ``series``, ``report_table`` (empty when none), ``period``, ``year_from``,
``year_to``, one code column per dimension of the package (empty where the observation has no
such dimension; ``all`` = the total over the dimension), ``unit``, then the value columns of the
tables (``value`` .. ``conf_status``) and ``edition``.

``sdmx/observations_sdmx.csv`` is SDMX-CSV 2.0 (SDMX 3.0): ``STRUCTURE`` = ``dataflow``,
``STRUCTURE_ID`` = :data:`DATAFLOW` (agency ``NL_NRM``, the Nationaal Rapporteur Mensenhandel;
dataflow ``DF_JAARCIJFERS_MH``; version 1.0.0, all chosen by this project, no registry holds
them), ``ACTION`` = ``I``; dimensions ``SOURCE_TABLE`` (the resource), ``SERIES``,
``TIME_PERIOD`` (``2019``, or ``2019-01-01/P5Y`` for 2019-2023) and one per dimension of the
package in upper case (codes as in the package, ``_T`` for ``all``, ``_Z`` not applicable);
``OBS_VALUE`` (empty when not a single figure); attributes ``UNIT_MEASURE``, ``OBS_STATUS``,
``CONF_STATUS`` (the package's SDMX codes), ``LOWER_BOUND``, ``UPPER_BOUND`` (the bounds;
empty upper = unbounded), ``CELL_TYPE``, ``VALUE_PRINTED``, ``EDITION``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from opendata_mh.model import ALL, NON_COUNT_UNITS, PERIOD, Metadata, TextFigure, number_text
from opendata_mh.model.constants import VALUE_COLUMNS
from opendata_mh.qualifiers import figure_bounds
from opendata_mh.tableschema import field
from opendata_mh.totals import TOTALS, Total

OBSERVATIONS = "observations"
AGENCY = "NL_NRM"
DATAFLOW_ID = "DF_JAARCIJFERS_MH"
DATAFLOW_VERSION = "1.0.0"
DATAFLOW = f"{AGENCY}:{DATAFLOW_ID}({DATAFLOW_VERSION})"


def dimensions(meta: Metadata) -> list[str]:
    """Every dimension of the tables and of the figures' codes, in code-list order."""
    used = {d for t in meta.tables for d in t.dimensions}
    used |= {k for f in meta.text_figures for k, _v in f.dimensions}
    return [c.id for c in meta.codelists if c.id in used]


def header(meta: Metadata) -> list[str]:
    return [
        "resource",
        "series",
        "report_table",
        PERIOD,
        "year_from",
        "year_to",
        *dimensions(meta),
        "unit",
        *VALUE_COLUMNS,
        "edition",
    ]


def _figure_values(fig: TextFigure) -> list[str]:
    lo, hi = figure_bounds(fig) or (0.0, float("inf"))
    printed = fig.printed.strip()
    low, up = number_text(lo), "" if hi == float("inf") else number_text(hi)
    if lo == hi:
        return [low, low, up, printed, "zero" if lo == 0 else "exact", "A", "F"]
    if printed.startswith("<"):
        return ["", low, up, printed, "masked", "Q", "A"]
    return [number_text(fig.value), low, up, printed, "range", "Q", "F"]


def observation_figures(meta: Metadata) -> list[TextFigure]:
    """The prose figures that are observations of their own (see the module docstring)."""
    return [
        f
        for f in meta.text_figures
        if f.dimensions and f.period and f.refers_to is None and f.unit not in NON_COUNT_UNITS
    ]


def rows(
    meta: Metadata,
    totals: Sequence[Total],
    edition_label: Callable[[str], str],
    period_years: Callable[[str], tuple[str, str]],
) -> list[list[str]]:
    """Header + rows of ``observations.csv`` (strings)."""
    head = header(meta)
    dims = dimensions(meta)
    out = [head]

    def row(
        resource: str,
        series: str,
        table: str,
        period: str,
        codes: dict[str, str],
        unit: str,
        values: list[str],
        edition: str,
    ) -> list[str]:
        return [
            resource,
            series,
            table,
            period,
            *period_years(period),
            *[codes.get(d, "") for d in dims],
            unit,
            *values,
            edition_label(edition),
        ]

    for t in meta.tables:
        for c in t.cells:
            key = dict(c.key)
            out.append(
                row(
                    t.id,
                    t.id,
                    str(t.number),
                    key[PERIOD],
                    {k: v for k, v in c.key if k != PERIOD},
                    t.unit or "",
                    c.parsed.as_text(),
                    c.edition,
                )
            )
    for tot in totals:
        codes = {tot.dimension: tot.code} if tot.dimension else {}
        out.append(
            row(
                TOTALS,
                tot.spec.name,
                "",
                tot.period,
                codes,
                tot.spec.unit,
                [
                    number_text(tot.value),
                    number_text(tot.lower),
                    number_text(tot.upper),
                    tot.printed,
                    tot.cell_type,
                    "A" if tot.value is not None else "Q",
                    "F",
                ],
                tot.edition,
            )
        )
    base = meta.package.edition or ""
    for f in observation_figures(meta):
        out.append(
            row(
                "text_figures",
                f.id,
                "",
                f.period,
                dict(f.dimensions),
                f.unit,
                _figure_values(f),
                base,
            )
        )
    # period-major: multi-year periods first (longest first), then year by year, each in
    # resource order. Readers that guess types from the first rows (polars reads 100) then see
    # a period such as 2019-2023 and a printed <5 early, so the labels stay text.
    y0, y1 = head.index("year_from"), head.index("year_to")
    out[1:] = sorted(out[1:], key=lambda r: (int(r[y0]) - int(r[y1]), int(r[y0])))
    return out


def fields(meta: Metadata, value_fields: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Table Schema fields of ``observations.csv``; ``value_fields`` are the tables' fields
    ``period``, ``year_from``, ``year_to``, the value columns and ``edition`` (by name)."""
    by = {f["name"]: f for f in value_fields}

    dims = []
    for d in dimensions(meta):
        cl = meta.codelist(d)
        dims.append(
            field(
                d,
                "string",
                cl.title_en,
                f"Code of the dimension '{d}' (code list resource codelist_{d}); empty when "
                "the observation has no such dimension; 'all' is the total over it.",
                enum=list(cl.code_ids),
            )
        )
    return [
        field(
            "resource",
            "string",
            "Resource",
            "Where the observation is published: a table resource, 'totals' or 'text_figures'.",
            required=True,
        ),
        field(
            "series",
            "string",
            "Series",
            "The table id, the quantity of a total, or the figure id of a prose figure.",
            required=True,
        ),
        field(
            "report_table",
            "string",
            "Report table",
            "Number of the table in the report (empty for totals and prose figures).",
        ),
        by[PERIOD],
        by["year_from"],
        by["year_to"],
        *dims,
        field("unit", "string", "Unit", "Unit id (see the package's units).", required=True),
        *(by[k] for k in VALUE_COLUMNS),
        by["edition"],
    ]


# --------------------------------------------------------------------------------------------
# SDMX-CSV 2.0
# --------------------------------------------------------------------------------------------


def sdmx_time_period(period: str) -> str:
    """``2019`` -> ``2019``; ``2019-2023`` -> ``2019-01-01/P5Y`` (an SDMX time range)."""
    a, _, b = period.partition("-")
    if not b:
        return a
    return f"{a}-01-01/P{int(b) - int(a) + 1}Y"


def sdmx_rows(meta: Metadata, observation_rows: list[list[str]]) -> list[list[str]]:
    """SDMX-CSV 2.0 rows (header first) of the observations."""
    head = observation_rows[0]
    idx = {c: i for i, c in enumerate(head)}
    dims = dimensions(meta)
    out = [
        [
            "STRUCTURE",
            "STRUCTURE_ID",
            "ACTION",
            "SOURCE_TABLE",
            "SERIES",
            "TIME_PERIOD",
            *(d.upper() for d in dims),
            "OBS_VALUE",
            "UNIT_MEASURE",
            "OBS_STATUS",
            "CONF_STATUS",
            "LOWER_BOUND",
            "UPPER_BOUND",
            "CELL_TYPE",
            "VALUE_PRINTED",
            "EDITION",
        ]
    ]
    for r in observation_rows[1:]:

        def code(d: str, r: list[str] = r) -> str:
            v = r[idx[d]]
            return "_Z" if v == "" else ("_T" if v == ALL else v)

        out.append(
            [
                "dataflow",
                DATAFLOW,
                "I",
                r[idx["resource"]],
                r[idx["series"]],
                sdmx_time_period(r[idx[PERIOD]]),
                *(code(d) for d in dims),
                r[idx["value"]],
                r[idx["unit"]],
                r[idx["obs_status"]],
                r[idx["conf_status"]],
                r[idx["value_lower"]],
                r[idx["value_upper"]],
                r[idx["cell_type"]],
                r[idx["value_printed"]],
                r[idx["edition"]],
            ]
        )
    return out
