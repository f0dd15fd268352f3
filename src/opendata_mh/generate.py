"""Generate ``datapackage/`` from ``metadata/``: deterministic bytes, written atomically.

* :func:`build_files` turns a loaded :class:`~opendata_mh.model.Metadata` into a mapping
  ``relative path -> bytes`` (``datapackage.json`` and ``data/<resource>.csv``). Same metadata,
  same bytes: no timestamps, stable key and row order, JSON with two-space indent and a final LF,
  CSV UTF-8 without BOM, LF line ends, comma separator, minimal quoting.
* :func:`generate` writes those files into a temporary directory next to the output and swaps
  it into place in one rename, so an error never leaves a half-written package (the previous
  package stays intact). With ``check=True`` it writes nothing and reports which files would
  change.

CSV rows are in grid order: panel by panel, row by row, column by column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from opendata_mh import citation as citation_mod
from opendata_mh import codelist_resources as codelists_mod
from opendata_mh import observations as obs_mod
from opendata_mh import questions as questions_mod
from opendata_mh import superseded as superseded_mod
from opendata_mh import totals as totals_mod
from opendata_mh.errors import GenerateError
from opendata_mh.layout import extend_layout
from opendata_mh.lock import metadata_lock
from opendata_mh.model import (
    CELL_TYPES,
    CONF_STATUS,
    OBS_STATUS,
    PERIOD,
    SHARE_TYPES,
    Metadata,
    PackageMeta,
    Relation,
    Source,
    TableSpec,
    TextFigure,
    load_metadata,
    number_text,
)
from opendata_mh.model.constants import LONG_ONLY_COLUMNS, TABLE_VALUE_COLUMNS, VALUE_COLUMNS
from opendata_mh.parquet import combined_parquet, resource_parquet, same_content
from opendata_mh.qualifiers import figure_bounds
from opendata_mh.tableschema import TABLESCHEMA_V2, field

DESCRIPTOR = "datapackage.json"
CITATION = "CITATION.cff"
README = "README.md"
TEXT_FIGURES = "text_figures"
PERIOD_PATTERN = r"^\d{4}(-\d{4})?$"
PRINTED_PATTERN = r"^(0|[1-9][0-9]*|<[1-9][0-9]*|(0|[1-9][0-9]*)-(0|[1-9][0-9]*)|x)$"


# --------------------------------------------------------------------------------------------
# Descriptor
# --------------------------------------------------------------------------------------------


def _source_dict(s: Source) -> dict[str, Any]:
    d: dict[str, Any] = {"id": s.id, "title": s.title, "title_en": s.title_en}
    if s.path:
        d["path"] = s.path
    if s.printed:
        d["printed"] = s.printed
    if s.reference_date:
        d["reference_date"] = s.reference_date
    return d


def _licenses(pkg: PackageMeta) -> list[dict[str, Any]]:
    return [{"name": lic.name, "path": lic.path, "title": lic.title} for lic in pkg.licenses]


def _bound_fields() -> list[dict[str, Any]]:
    """``value_lower`` and ``value_upper`` of a count: the interval that certainly holds it."""
    return [
        field(
            "value_lower",
            "integer",
            "Lower bound",
            "Lowest possible true value given what is printed.",
            required=True,
            minimum=0,
        ),
        field(
            "value_upper",
            "integer",
            "Upper bound",
            "Highest possible true value given what is printed (empty = unknown).",
            minimum=0,
        ),
    ]


def table_fields(meta: Metadata, table: TableSpec) -> list[dict[str, Any]]:
    """The Table Schema fields of a table resource, in CSV column order."""
    unit = meta.package.unit(table.unit).title_en if table.unit else "count"
    fields = [*year_fields()]
    for d in table.dimensions:
        cl = meta.codelist(d)
        code_field = field(
            d,
            "string",
            cl.title_en,
            f"Code of the dimension '{d}' ({cl.title_en}; Dutch: {cl.title}). "
            f"'all' is the total over all categories. Code list: resource "
            f"{codelists_mod.resource_name(d)}.",
            required=True,
            enum=list(cl.code_ids),
        )
        code_field["categories"] = codelists_mod.categories(meta, d)
        fields += [
            code_field,
            field(
                f"{d}_label",
                "string",
                f"{cl.title_en} (Dutch label)",
                "Dutch label exactly as printed in this table of the report.",
                required=True,
            ),
            field(
                f"{d}_label_en",
                "string",
                f"{cl.title_en} (English label)",
                "English label from the code list.",
                required=True,
            ),
        ]
    fields += [
        *(f for f in value_fields(unit) if f["name"] in TABLE_VALUE_COLUMNS),
        edition_field(),
    ]
    return fields


def value_fields(unit: str = "count") -> list[dict[str, Any]]:
    """The Table Schema fields of :data:`VALUE_COLUMNS` (``value`` .. ``conf_status``) of a
    table's cells: all of them in the long files (``observations``, ``all_tables``), those of
    :data:`TABLE_VALUE_COLUMNS` in a table CSV."""
    return [
        field(
            "value",
            "integer",
            f"Number of {unit}",
            "The count as published. Empty when the cell is masked (<5), a range or "
            "unresolved. For figures rounded to tens (IND) the rounded figure.",
            minimum=0,
        ),
        *_bound_fields(),
        field(
            "value_printed",
            "string",
            "Value as printed",
            "The value exactly as printed in the report (e.g. 181, <5, 170-180; x = not "
            "published, at least 1, in a built edition; 0 or more where the resource's "
            "sdc.groupProtection is breakdown); empty when the value could not be "
            "read from the extracted text (unresolved).",
            pattern=PRINTED_PATTERN,
        ),
        field(
            "cell_type",
            "string",
            "Cell type",
            "exact, zero, masked (<5), rounded (IND, to tens), range (printed range), "
            "unresolved (not readable from the text; see the resource's 'unresolved') or "
            "secondary (x: not published, at least 1 since zeros are always shown; withheld so "
            "that no <5 cell can be derived from the totals, which may be a small count "
            "itself; where sdc.groupProtection is breakdown, 0 or more: a small group's whole "
            "breakdown is x, zeros included).",
            required=True,
            enum=list(CELL_TYPES),
        ),
        field(
            "obs_status",
            "string",
            "Observation status (SDMX OBS_STATUS)",
            "A = normal value; Q = not a single figure (masked, secondary or range); O = missing "
            "(unresolved).",
            required=True,
            enum=list(OBS_STATUS),
        ),
        field(
            "conf_status",
            "string",
            "Confidentiality status (SDMX CONF_STATUS)",
            "F = free; A = primary confidentiality (small count masked); D = secondary "
            "(published only as a range, or withheld as x; x never says whether the count is "
            "small).",
            required=True,
            enum=list(CONF_STATUS),
        ),
    ]


EDITION_PREFIX = "edition-"
"""The ``edition`` column holds ``edition-<id>`` (``edition-2023``): text in every reader (a
bare ``2023`` would be read as an integer by pandas, polars, DuckDB and R)."""


def edition_label(edition_id: str) -> str:
    """The ``edition`` column's value for an edition id (``2023`` -> ``edition-2023``)."""
    return f"{EDITION_PREFIX}{edition_id}" if edition_id else ""


def edition_field() -> dict[str, Any]:
    return field(
        "edition",
        "string",
        "Edition",
        "The edition the figure comes from, as 'edition-<id>': the report edition it was "
        "transcribed from (edition-2023) or the later edition that added or revised it (see "
        "the package's 'editions'). Text, never a number, in every reader.",
        required=True,
        pattern=r"^edition-\d{4}$",
    )


def year_fields() -> list[dict[str, Any]]:
    """``year_from`` and ``year_to``: the period as two integers (2019 -> 2019, 2019;
    2019-2023 -> 2019, 2023). Integers in every table and every reader; join tables on them
    (``period`` is a label: a reader without a schema sees 2019 as a number in a table of single
    years and as text in a table that also has 2019-2023)."""
    return [
        field(
            "year_from",
            "integer",
            "First year",
            "First year of the period (the year itself for a single year).",
            required=True,
            minimum=1900,
        ),
        field(
            "year_to",
            "integer",
            "Last year",
            "Last year of the period (the year itself for a single year).",
            required=True,
            minimum=1900,
        ),
    ]


def period_years(period: str) -> tuple[str, str]:
    """``2019`` -> (``2019``, ``2019``); ``2019-2023`` -> (``2019``, ``2023``); '' -> ('', '')."""
    if not period:
        return ("", "")
    a, _, b = period.partition("-")
    return (a, b or a)


def _table_resource(
    meta: Metadata, t: TableSpec, with_nationalities: bool = False
) -> dict[str, Any]:
    pkg = meta.package
    unit = pkg.unit(t.unit)
    title, title_en = t.title, t.title_en
    if meta.editions:  # the titles follow the table's years after a built edition
        title, title_en = (
            years_followed(x, _base_range(meta), _years(t)) for x in (title, title_en)
        )
    res: dict[str, Any] = {
        "name": t.id,
        "type": "table",
        "path": f"data/{t.id}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": title,
        "title_en": title_en,
        "description": t.description,
        "description_en": t.description_en,
        "reportTable": t.number,
        "section": t.section,
        "available": t.available,
        "sources": [_source_dict(pkg.source(t.source))],
        "licenses": _licenses(pkg),
        "unit": {"id": unit.id, "title": unit.title, "title_en": unit.title_en},
        "sdc": t.sdc.to_dict(),
    }
    if t.printed_source:
        res["printedSource"] = t.printed_source
    res["notes"] = list(t.notes)
    res["notes_en"] = list(t.notes_en)
    res["inference"] = t.inference
    res["printedLayout"] = extend_layout(
        [
            {
                "panel": pn.id,
                **({"title": pn.title} if pn.title else {}),
                **({"title_en": pn.title_en} if pn.title_en else {}),
                "fixed": dict(pn.fixed),
                "rows": {"dimension": pn.row_dim, "codes": [r.code for r in pn.rows]},
                "columns": {"dimension": pn.col_dim, "codes": [c.code for c in pn.columns]},
            }
            for pn in t.panels
        ],
        [dict(c.key) for c in t.cells],
        t.dimensions,
    )
    cell_by_key = {c.key: c for c in t.cells}
    res["unresolved"] = [
        {
            "key": u.key_dict(),
            "row": t.cells.index(cell_by_key[u.key]) + 1,
            "candidates": list(u.candidates),
            "reason": u.reason,
        }
        for u in t.unresolved
    ]
    res["schema"] = {
        "$schema": TABLESCHEMA_V2,
        "fields": table_fields(meta, t),
        "primaryKey": ["year_from", "year_to", *t.dimensions],
        "missingValues": [""],
    }
    fks = codelists_mod.foreign_keys(list(t.dimensions), with_nationalities)
    if fks:
        res["schema"]["foreignKeys"] = fks
    return res


def text_fields() -> list[dict[str, Any]]:
    return [
        field("figure_id", "string", "Figure id", "Stable id of the figure.", required=True),
        field(
            "period",
            "string",
            "Period",
            "Year, YYYY-YYYY, or empty when no period applies.",
            pattern=PERIOD_PATTERN,
        ),
        field(
            "printed",
            "string",
            "As printed",
            "The figure exactly as printed in the text.",
            required=True,
        ),
        field(
            "value",
            "number",
            "Value",
            "The figure as a number (percent as 53, not 0.53); empty when not a number.",
        ),
        field(
            "value_lower",
            "number",
            "Lower bound",
            "Lowest possible value (e.g. 1 for <5, 26 for 'ten minste 26', 4500 for "
            "'zo’n 5000'); empty when not a count. See the package README for the qualifiers.",
        ),
        field(
            "value_upper",
            "number",
            "Upper bound",
            "Highest possible value (e.g. 4 for <5, 5499 for 'zo’n 5000'); empty when not a "
            "count or when the text gives no upper bound ('ten minste 26': at least 26).",
        ),
        field(
            "unit",
            "string",
            "Unit",
            "Unit key of the package (victims, cases, ...), count (another count), or "
            "percent, percent_change, years, days.",
            required=True,
        ),
        field(
            "quote",
            "string",
            "Quote",
            "The sentence of the report (Dutch) with the figure.",
            required=True,
        ),
        field(
            "description_en",
            "string",
            "Description",
            "What the figure is (English).",
            required=True,
        ),
        field("section", "string", "Section", "Section of the report."),
        field(
            "refers_to",
            "string",
            "Refers to",
            "Cell reference (resource/period=.../dim=...) or latent quantity (@name/...) "
            "that the figure states; empty if none.",
        ),
        field(
            "dimensions",
            "string",
            "Dimension codes",
            'JSON object {dimension: code} of the figure (e.g. {"region":"latin_america",'
            '"form":"sexual"}): its own codes, or those of the cell or total it states; {} if '
            "none. The coded counts that no table prints are observations in "
            "data/observations.csv.",
            required=True,
        ),
    ]


def _text_resource(meta: Metadata) -> dict[str, Any]:
    pkg = meta.package
    report = [s for s in pkg.sources if s.id == "report"] or list(pkg.sources)
    return {
        "name": TEXT_FIGURES,
        "type": "table",
        "path": f"data/{TEXT_FIGURES}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": "Cijfers in de tekst van het rapport",
        "title_en": "Figures quoted in the text of the report",
        "description": "Elk cijfer dat in de lopende tekst van het rapport wordt genoemd, met het "
        "citaat en, waar van toepassing, de cel of grootheid waar het naar verwijst.",
        "description_en": "Every figure quoted in the prose of the report, with the quote and, "
        "where it applies, the cell or latent quantity it states.",
        "sources": [_source_dict(s) for s in report],
        "licenses": _licenses(pkg),
        "schema": {
            "$schema": TABLESCHEMA_V2,
            "fields": text_fields(),
            "primaryKey": ["figure_id"],
            "missingValues": [""],
        },
    }


def totals_fields() -> list[dict[str, Any]]:
    """Table Schema fields of ``totals.csv`` (columns of :data:`opendata_mh.totals.HEADER`)."""
    f = {x["name"]: x for x in table_fields_shared()}
    return [
        field(
            "quantity",
            "string",
            "Quantity",
            "Id of the total: a latent quantity of the package's relations (victims_total, "
            "investigations_total, suspects_total, om_disposed, ...).",
            required=True,
        ),
        field("quantity_label", "string", "Quantity (Dutch)", "Dutch name.", required=True),
        field("quantity_label_en", "string", "Quantity (English)", "English name.", required=True),
        *year_fields(),
        field(
            "dimension",
            "string",
            "Dimension",
            "The dimension of 'code' (form, disposal, ...); empty for a total over everything.",
        ),
        field(
            "code",
            "string",
            "Code",
            "Code of 'dimension' ('all' for a total over everything).",
            required=True,
        ),
        f["value"],
        f["value_lower"],
        f["value_upper"],
        f["cell_type"],
        field(
            "derived_by",
            "string",
            "Derived by",
            "Space-separated: text:<figure id> when the report prints the total (see "
            "text_figures) and the ids of the additive relations whose parts, all exact cells, "
            "sum to it (see the package's relations).",
            required=True,
        ),
        field("unit", "string", "Unit", "Unit id (see the package's units).", required=True),
        edition_field(),
    ]


def table_fields_shared() -> list[dict[str, Any]]:
    """The value and status fields every table shares (as in :func:`table_fields`)."""
    fields = [
        field(
            "value",
            "integer",
            "Value",
            "The total; empty when the text gives only bounds.",
            minimum=0,
        ),
        *_bound_fields(),
        field(
            "cell_type",
            "string",
            "Cell type",
            "exact (printed or determined by exact cells), zero, or range (printed with a "
            "qualifier such as 'ten minste').",
            required=True,
            enum=["exact", "zero", "range"],
        ),
        field(
            "obs_status",
            "string",
            "Observation status (SDMX OBS_STATUS)",
            "A = normal value; Q = bounds only.",
            required=True,
            enum=list(OBS_STATUS),
        ),
        field(
            "conf_status",
            "string",
            "Confidentiality status (SDMX CONF_STATUS)",
            "F = free (every total here follows from printed figures).",
            required=True,
            enum=list(CONF_STATUS),
        ),
    ]
    return fields


def _totals_resource(meta: Metadata) -> dict[str, Any]:
    pkg = meta.package
    return {
        "name": totals_mod.TOTALS,
        "type": "table",
        "path": f"data/{totals_mod.TOTALS}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": "Totalen",
        "title_en": "Totals",
        "description": "De totalen die het rapport gebruikt maar niet als tabelcel drukt (gemelde "
        "slachtoffers per jaar, opsporingsonderzoeken, verdachten, OM-afdoeningen, totalen over "
        "2019-2023), alleen waar het rapport ze noemt of exacte cellen ze vastleggen.",
        "description_en": "The totals the report uses but prints in no table cell (registered "
        "victims per year, investigations, suspects, cases disposed of by the Public Prosecution "
        "Service, totals over 2019-2023), each published only where the text of the report "
        "prints it or exact cells alone determine it (derived_by names the figure or the "
        "relations). The denominator of a share of victims is victims_total: the sum over "
        "reporters or forms counts a victim with several reporters or forms more than once.",
        "sources": [_source_dict(s) for s in pkg.sources],
        "licenses": _licenses(pkg),
        "schema": {
            "$schema": TABLESCHEMA_V2,
            "fields": totals_fields(),
            "primaryKey": list(totals_mod.KEY),
            "missingValues": [""],
        },
    }


def _observations_resource(meta: Metadata, resources: list[dict[str, Any]]) -> dict[str, Any]:
    pkg = meta.package
    value_fields = [*table_fields_period_years(), *_value_fields(meta), edition_field()]
    sources = [s for r in resources for s in r.get("sources", [])]
    return {
        "name": obs_mod.OBSERVATIONS,
        "type": "table",
        "path": f"data/{obs_mod.OBSERVATIONS}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": "Alle waarnemingen in één lang bestand",
        "title_en": "Every observation in one long file",
        "description": "Elke cel van elke tabel, elk totaal en elk cijfer uit de tekst dat op de "
        "dimensies van het pakket ligt maar in geen tabel staat, één rij per waarneming, met een "
        "codekolom per dimensie.",
        "description_en": "Every cell of every table, every published total and every count of "
        "the prose that lies on the package's dimensions but is in no table (e.g. 26 Latin "
        "American victims of sexual exploitation in 2022), one row per observation, one code "
        "column per dimension (empty where it does not apply). The same values as the tables, "
        "totals and text_figures (isFormatOf); filter, do not add up across resources.",
        "isFormatOf": [
            *(t.id for t in meta.tables),
            *(
                [totals_mod.TOTALS]
                if any(r["name"] == totals_mod.TOTALS for r in resources)
                else []
            ),
            TEXT_FIGURES,
        ],
        "sources": [s for i, s in enumerate(sources) if s not in sources[:i]],
        "licenses": _licenses(pkg),
        "schema": {
            "$schema": TABLESCHEMA_V2,
            "fields": obs_mod.fields(meta, value_fields),
            "missingValues": [""],
        },
    }


def _sdmx_resource(meta: Metadata, resources: list[dict[str, Any]]) -> dict[str, Any]:
    obs = next(r for r in resources if r["name"] == obs_mod.OBSERVATIONS)

    def f(name: str, ftype: str, description: str, **c: Any) -> dict[str, Any]:
        d: dict[str, Any] = {"name": name, "type": ftype, "description": description}
        if c:
            d["constraints"] = c
        return d

    dims = [
        f(
            d.upper(),
            "string",
            f"Dimension {d}: its code, _T for the total (all), _Z not applicable.",
            required=True,
        )
        for d in obs_mod.dimensions(meta)
    ]
    return {
        "name": "observations_sdmx",
        "type": "table",
        "path": "sdmx/observations_sdmx.csv",
        "format": "csv",
        "mediatype": "application/vnd.sdmx.data+csv;version=2.0.0",
        "encoding": "utf-8",
        "title": "Alle waarnemingen als SDMX-CSV 2.0",
        "title_en": "Every observation as SDMX-CSV 2.0",
        "description": "Dezelfde waarnemingen als data/observations.csv in SDMX-CSV 2.0, met "
        "OBS_STATUS, CONF_STATUS en de grenzen als attributen.",
        "description_en": "The observations of data/observations.csv as SDMX-CSV 2.0 (SDMX 3.0) "
        f"for SDMX tools: dataflow {obs_mod.DATAFLOW} (agency NL_NRM, ids chosen by this "
        "project), dimensions SOURCE_TABLE, SERIES, TIME_PERIOD and one per dimension, "
        "OBS_VALUE, attributes UNIT_MEASURE, OBS_STATUS, CONF_STATUS, LOWER_BOUND, UPPER_BOUND, "
        "CELL_TYPE, VALUE_PRINTED, EDITION.",
        "isFormatOf": obs_mod.OBSERVATIONS,
        "sources": obs["sources"],
        "licenses": obs["licenses"],
        "unit": {
            "id": "UNIT_MEASURE",
            "title": "per waarneming (UNIT_MEASURE)",
            "title_en": "per observation (UNIT_MEASURE)",
        },
        "schema": {
            "$schema": TABLESCHEMA_V2,
            "fields": [
                f("STRUCTURE", "string", "Always 'dataflow'.", required=True),
                f("STRUCTURE_ID", "string", f"Always {obs_mod.DATAFLOW}.", required=True),
                f("ACTION", "string", "Always I (information).", required=True),
                f("SOURCE_TABLE", "string", "The resource of the observation.", required=True),
                f("SERIES", "string", "Table id, quantity or figure id.", required=True),
                f(
                    "TIME_PERIOD",
                    "string",
                    "A year (2019) or a time range (2019-01-01/P5Y for 2019-2023).",
                    required=True,
                ),
                *dims,
                f("OBS_VALUE", "integer", "The value; empty when not a single figure."),
                f("UNIT_MEASURE", "string", "Unit id of the package.", required=True),
                f("OBS_STATUS", "string", "SDMX OBS_STATUS.", required=True),
                f("CONF_STATUS", "string", "SDMX CONF_STATUS.", required=True),
                f("LOWER_BOUND", "integer", "Lowest possible true value.", required=True),
                f("UPPER_BOUND", "integer", "Highest possible true value; empty = unbounded."),
                f("CELL_TYPE", "string", "The package's cell_type.", required=True),
                f("VALUE_PRINTED", "string", "As printed in the report."),
                f("EDITION", "string", "The edition the value comes from.", required=True),
            ],
            "missingValues": [""],
        },
    }


def _value_fields(meta: Metadata) -> list[dict[str, Any]]:
    """The value and status fields of the tables (``value`` .. ``conf_status``) as in the long
    file (the first table's unit)."""
    if not meta.tables:
        return []
    t = meta.tables[0]
    return value_fields(meta.package.unit(t.unit).title_en if t.unit else "count")


def table_fields_period_years() -> list[dict[str, Any]]:
    return [table_fields_period(), *year_fields()]


def _years(t: TableSpec) -> tuple[int, int]:
    """First and last year of the table's cells (``(0, 0)`` for a table without cells)."""
    ys = [int(y) for c in t.cells for y in period_years(dict(c.key)[PERIOD]) if y]
    return (min(ys), max(ys)) if ys else (0, 0)


def _base_range(meta: Metadata) -> tuple[int, int]:
    """The years of the base edition (the report's): ``temporalCoverage`` start and the base
    edition's year (the earliest edition of any cell)."""
    start = int((meta.package.temporal_start or "0")[:4] or 0)
    eds = sorted({c.edition for t in meta.tables for c in t.cells if c.edition.isdigit()})
    return (start, int(eds[0]) if eds else start)


def years_followed(text: str, base: tuple[int, int], span: tuple[int, int]) -> str:
    """``text`` with the base edition's range ``2019-2023`` replaced by ``span`` (a table
    without cells keeps its text)."""
    if span == (0, 0) or span[1] <= base[1]:
        return text
    return re.sub(rf"\b{base[0]}-{base[1]}\b", f"{span[0]}-{span[1]}", text)


def _ref(x: Any) -> str | None:
    return None if x is None else str(x)


def relation_dict(r: Relation) -> dict[str, Any]:
    """A relation as an entry of the descriptor's ``relations``."""
    rd: dict[str, Any] = {"id": r.id, "type": r.type}
    if r.type == "identity":
        rd["cells"] = [str(c) for c in r.cells]
    elif r.type in SHARE_TYPES:
        rd["figure"] = _ref(r.figure)
        rd["numerator"] = [str(x) for x in r.numerator]
        rd["denominator"] = [str(x) for x in r.denominator]
        rd["decimals"] = r.decimals
    else:
        rd["total"] = _ref(r.total)
        rd["parts"] = [str(p) for p in r.parts]
    if r.description:
        rd["description"] = r.description
    rd["description_en"] = r.description_en
    rd["origin"] = r.origin
    return rd


def _superseded_resource(meta: Metadata, has_nationalities: bool) -> dict[str, Any]:
    dims = superseded_mod.dimensions(meta)
    pkg = meta.package
    return superseded_mod.resource(
        meta,
        [*year_fields(), *_value_fields(meta)],
        edition_field(),
        codelists_mod.foreign_keys(dims, has_nationalities),
        [_source_dict(s) for s in pkg.sources],
        _licenses(pkg),
    )


def build_descriptor(
    meta: Metadata,
    totals: list[totals_mod.Total] | None = None,
    nationalities: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """The ``datapackage.json`` content as an ordered dict (``totals``: the published totals,
    :func:`opendata_mh.totals.derive`; ``nationalities``: the nationality -> region mapping,
    published as a code-list resource; none by default)."""
    totals = totals or []
    pkg = meta.package
    title, title_en, desc, desc_en = pkg.title, pkg.title_en, pkg.description, pkg.description_en
    if meta.editions:  # the package's years after a built edition (the base is the report's)
        base = _base_range(meta)
        span = (base[0], max(base[1], *(y for t in meta.tables for y in _years(t))))
        title, title_en = (re.sub(rf"\b{base[1]}$", str(span[1]), x) for x in (title, title_en))
        desc, desc_en = (years_followed(x, base, span) for x in (desc, desc_en))
    d: dict[str, Any] = {
        "$schema": DATAPACKAGE_V2,
        "name": pkg.name,
        "id": package_id(meta),
        "title": title,
        "title_en": title_en,
        "description": desc,
        "description_en": desc_en,
        "version": pkg.version,
    }
    if pkg.edition:
        d["edition"] = pkg.edition
    if pkg.homepage:
        d["homepage"] = pkg.homepage
    if pkg.language:
        d["language"] = list(pkg.language)
    d["keywords"] = list(pkg.keywords)
    d["created"] = package_created(meta)
    if pkg.temporal_start or pkg.temporal_end:
        d["temporalCoverage"] = {"start": pkg.temporal_start, "end": pkg.temporal_end}
    for k, v in pkg.extra:
        d[k] = v
    d["licenses"] = _licenses(pkg)
    d["contributors"] = [
        {
            k: v
            for k, v in (
                ("title", c.title),
                ("roles", [c.role]),
                ("path", c.path),
                ("email", c.email),
            )
            if v
        }
        for c in pkg.contributors
    ]
    d["sources"] = [_source_dict(s) for s in pkg.sources]
    d["units"] = {u.id: {"title": u.title, "title_en": u.title_en} for u in pkg.units}
    d["resources"] = [_table_resource(meta, t, nationalities is not None) for t in meta.tables] + [
        _text_resource(meta)
    ]
    if totals:
        d["resources"].append(_totals_resource(meta))
    d["resources"].append(_superseded_resource(meta, nationalities is not None))
    d["resources"].append(_observations_resource(meta, d["resources"]))
    d["resources"] += parquet_resources(d["resources"])
    d["resources"].append(_sdmx_resource(meta, d["resources"]))
    lic = _licenses(pkg)
    src = [_source_dict(s) for s in pkg.sources if s.id == "report"] or [
        _source_dict(s) for s in pkg.sources
    ]
    d["resources"] += [
        codelists_mod.codelist_resource(meta, dim, lic, src)
        for dim in codelists_mod.used_dimensions(meta)
    ]
    if nationalities is not None:
        d["resources"].append(codelists_mod.nationality_resource(meta, lic, src))
    rels = [relation_dict(r) for r in meta.relations]
    rels += totals_mod.relations(totals)
    d["relations"] = rels
    generated = totals_mod.latent_relations(totals)
    lat = []
    for q in meta.latent:
        ld: dict[str, Any] = {"id": str(q.ref), "name": q.ref.name, "key": dict(q.ref.key)}
        for k in ("title", "description", "description_en", "unit"):
            if getattr(q, k):
                ld[k] = getattr(q, k)
        ld["relations"] = [*q.relations, *generated.get(str(q.ref), [])]
        lat.append(ld)
    d["latentQuantities"] = lat
    d["knownDiscrepancies"] = [
        {
            "id": x.id,
            "relations": list(x.relations),
            "description": x.description,
            "description_en": x.description_en,
        }
        for x in meta.discrepancies
    ]
    d["acknowledgedFindings"] = [
        {
            "cell": str(a.cell),
            "code": a.code,
            "fingerprint": a.fingerprint,
            "relations": list(a.relations),
            "reason": a.reason,
            "by": a.by,
            "date": a.date,
        }
        for a in meta.acknowledged_findings
    ]
    # historic findings of printings a later edition replaced move with them (``edition``)
    d["acknowledgedFindings"] += [
        {
            "cell": str(a.cell),
            "code": a.code,
            "fingerprint": a.fingerprint,
            "relations": list(a.relations),
            "reason": a.reason,
            "by": a.by,
            "date": a.date,
            "edition": eid,
        }
        for eid, a in superseded_mod.moved_acknowledgements(meta)
    ]
    if meta.editions:
        d["editions"] = [e.to_dict() for e in meta.editions]
    d.update(superseded_mod.descriptor_entries(meta, relation_dict))
    return d


# --------------------------------------------------------------------------------------------
# Parquet (the files are written by opendata_mh.parquet, from the CSV rows)
# --------------------------------------------------------------------------------------------

PARQUET_DIR = "parquet"
COMBINED = "all_tables"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
_COPIED = ("title", "title_en", "sources", "licenses", "unit")


def _parquet_resource(
    name: str, path: str, of: str | list[str], base: dict[str, Any]
) -> dict[str, Any]:
    res: dict[str, Any] = {
        "name": name,
        "type": "table",
        "path": path,
        "format": "parquet",
        "mediatype": PARQUET_MEDIATYPE,
    }
    res.update({k: base[k] for k in _COPIED if k in base})
    res["isFormatOf"] = of
    return res


def parquet_resources(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Descriptor entries of the Parquet files: one per CSV resource (``isFormatOf`` names it)
    and the combined long file of every table (``isFormatOf`` lists them)."""
    out = []
    for r in resources:
        res = _parquet_resource(
            f"{r['name']}_parquet", f"{PARQUET_DIR}/{r['name']}.parquet", r["name"], r
        )
        res["description"] = (
            f"Dezelfde gegevens als {r['path']}, als Parquet met getypeerde kolommen; "
            "het Table Schema staat in de metadata van het bestand."
        )
        res["description_en"] = (
            f"The same data as {r['path']}, as Parquet with typed columns (integers as int64, "
            "null when masked, a range or unresolved; codes and labels dictionary-encoded); the "
            "Table Schema is in the file's key-value metadata (frictionless:schema)."
        )
        res["schema"] = r["schema"]
        out.append(res)
    tables = [r for r in resources if "sdc" in r]
    combined = _parquet_resource(
        COMBINED,
        f"{PARQUET_DIR}/{COMBINED}.parquet",
        [r["name"] for r in tables],
        {k: v for k, v in (tables[0] if tables else {}).items() if k in ("sources", "licenses")},
    )
    combined["title"] = "Alle tabellen in één lang bestand"
    combined["title_en"] = "All tables in one long file"
    combined["description"] = (
        "Elke gepubliceerde cel van elke tabel: resource, periode, dimensies (JSON en een kolom "
        "per dimensie), waarde, grenzen en status."
    )
    combined["description_en"] = (
        "Every published cell of every table, one row per cell: resource, report_table, unit, "
        "period, dimensions (a JSON object {dimension: code}, labels and labels_en likewise, "
        "and one code column per dimension, null where a table lacks it), then value, "
        "value_lower, value_upper, value_printed, cell_type, obs_status, conf_status."
    )
    combined["sources"] = [s for r in tables for s in r.get("sources", [])]
    combined["sources"] = [
        s for i, s in enumerate(combined["sources"]) if s not in combined["sources"][:i]
    ]
    combined["schema"] = {
        "$schema": TABLESCHEMA_V2,
        "fields": combined_fields(tables),
        "missingValues": [""],
    }
    out.append(combined)
    return out


_LONG_VALUE_FIELDS = {f["name"]: f for f in value_fields()}


def combined_fields(tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Table Schema fields of the combined long file (columns as written by
    :func:`opendata_mh.parquet.combined_arrow`)."""
    dims: dict[str, dict[str, Any]] = {}
    values: dict[str, dict[str, Any]] = {}
    for r in tables:
        by_name = {f["name"]: f for f in r["schema"]["fields"]}
        for k in r["schema"]["primaryKey"][2:]:  # after year_from, year_to
            if k not in dims:
                f = dict(by_name[k])
                f["constraints"] = {}
                dims[k] = f
        for k in VALUE_COLUMNS:  # the long file's value columns (value .. conf_status)
            values.setdefault(k, by_name.get(k) or _LONG_VALUE_FIELDS[k])
    # columns every table shares besides period, dimensions and values (e.g. edition), as in
    # opendata_mh.parquet.combined_arrow
    names = [[f["name"] for f in r["schema"]["fields"]] for r in tables]
    for k in names[0] if names else []:
        if (
            k not in VALUE_COLUMNS
            and k != PERIOD
            and k not in dims
            and not k.endswith(("_label", "_label_en"))
            and all(k in n for n in names)
        ):
            values.setdefault(
                k, dict(next(f for f in tables[0]["schema"]["fields"] if f["name"] == k))
            )
    for f in dims.values():
        f["description"] = str(f["description"]) + " Empty when the table has no such dimension."
        f.pop("constraints")
    text = "JSON object {dimension: %s} of the cell, in the table's dimension order; {} if none."
    return [
        field("resource", "string", "Resource", "Name of the table resource.", required=True),
        field("report_table", "integer", "Report table", "Number of the table in the report."),
        field("unit", "string", "Unit", "Unit id of the table (see the package's units)."),
        table_fields_period(),
        field("dimensions", "string", "Dimensions", text % "code", required=True),
        field("labels", "string", "Dutch labels", text % "Dutch label", required=True),
        field("labels_en", "string", "English labels", text % "English label", required=True),
        *dims.values(),
        *values.values(),
    ]


def table_fields_period() -> dict[str, Any]:
    return field(
        PERIOD,
        "string",
        "Period",
        "Year (YYYY) or a total over several years (YYYY-YYYY).",
        required=True,
        pattern=PERIOD_PATTERN,
    )


def parquet_files(
    meta: Metadata,
    descriptor: Mapping[str, Any],
    extra: Mapping[str, list[list[str]]] | None = None,
) -> dict[str, bytes]:
    """``parquet/<resource>.parquet`` for every CSV resource and ``parquet/all_tables.parquet``,
    built from the same rows as the CSVs (``extra``: rows of further CSV resources, e.g.
    ``totals``)."""
    rows = {t.id: table_rows(t) for t in meta.tables}
    rows[TEXT_FIGURES] = text_rows(meta.text_figures)
    rows.update(extra or {})
    by_name = {r["name"]: r for r in descriptor["resources"]}
    files: dict[str, bytes] = {}
    for name, r in rows.items():
        res = by_name[name]
        pres = by_name[f"{name}_parquet"]
        embedded = {k: v for k, v in res.items() if k not in ("path", "format", "mediatype")}
        embedded.update({k: pres[k] for k in ("path", "format", "mediatype", "isFormatOf")})
        files[pres["path"]] = resource_parquet(embedded, r)
    files[f"{PARQUET_DIR}/{COMBINED}.parquet"] = combined_parquet(
        [(by_name[t.id], long_table_rows(t)) for t in meta.tables], descriptor
    )
    return files


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------


def table_rows(table: TableSpec) -> list[list[str]]:
    """Header + data rows of a table CSV, as strings: :func:`long_table_rows` without the
    columns :data:`LONG_ONLY_COLUMNS` (``period``, ``value_printed``, ``obs_status``,
    ``conf_status``), which a default reader would read with a different type in different
    tables (see the package README, "Column types")."""
    rows = long_table_rows(table)
    keep = [j for j, c in enumerate(rows[0]) if c not in LONG_ONLY_COLUMNS]
    return [[r[j] for j in keep] for r in rows]


def long_table_rows(table: TableSpec) -> list[list[str]]:
    """Header + data rows of a table with every column of the long files (``period`` first,
    :data:`VALUE_COLUMNS`), as strings: the rows of ``all_tables.parquet``."""
    header = [PERIOD, "year_from", "year_to"]
    for d in table.dimensions:
        header += [d, f"{d}_label", f"{d}_label_en"]
    header += [*VALUE_COLUMNS, "edition"]
    rows = [header]
    for c in table.cells:
        key = dict(c.key)
        row = [key[PERIOD], *period_years(key[PERIOD])]
        for _d, label, label_en in c.labels:
            row += [key[_d], label, label_en]
        row += [*c.parsed.as_text(), edition_label(c.edition)]
        rows.append(row)
    return rows


def text_rows(figures: tuple[TextFigure, ...]) -> list[list[str]]:
    rows = [[f["name"] for f in text_fields()]]
    for fig in figures:
        b = figure_bounds(fig)
        rows.append(
            [
                fig.id,
                fig.period,
                fig.printed,
                number_text(fig.value),
                number_text(b[0]) if b else "",
                number_text(b[1]) if b and b[1] != float("inf") else "",
                fig.unit,
                fig.quote,
                fig.description_en,
                fig.section,
                _ref(fig.refers_to) or "",
                figure_dimensions(fig),
            ]
        )
    return rows


def figure_dimensions(fig: TextFigure) -> str:
    """The figure's codes as a JSON object: its own ``dimensions``, else those of the cell or
    latent quantity it refers to (without the period); ``{}`` when none."""
    if fig.dimensions:
        codes = dict(fig.dimensions)
    elif fig.refers_to is not None and fig.refers_to.kind in ("cell", "latent"):
        codes = {k: v for k, v in fig.refers_to.key if k != PERIOD}
    else:
        codes = {}
    return json.dumps(codes, ensure_ascii=False, separators=(",", ":"))


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def build_files(
    meta: Metadata,
    totals_specs: tuple[totals_mod.TotalSpec, ...] = (),
    *,
    metadata_dir: str | Path | None = None,
    previous: str | Path | None = None,
) -> dict[str, bytes]:
    """Every file of the package: relative POSIX path -> bytes (deterministic).

    ``totals_specs``: the quantities of ``totals.toml`` (:func:`opendata_mh.totals.load_specs`)
    to publish in the resource ``totals``. ``metadata_dir``: where code definitions and the
    nationality -> region mapping are read (code-list resources). ``previous``: a package
    directory whose Parquet files are kept byte for byte where their content is unchanged, so
    that ``bytes`` and ``hash`` in the descriptor do not depend on the installed pyarrow (a
    Parquet file records the writer's version)."""
    totals = totals_mod.derive(meta, totals_specs)
    definitions = codelists_mod.load_definitions(metadata_dir) if metadata_dir else {}
    nationalities = codelists_mod.load_nationality_regions(metadata_dir) if metadata_dir else None
    descriptor = build_descriptor(meta, totals, nationalities)
    questions = questions_mod.load(metadata_dir) if metadata_dir else ()
    if questions:  # the index from questions to tables; every resource must exist
        descriptor[questions_mod.PROPERTY] = questions_mod.descriptor_entries(questions, descriptor)
    files: dict[str, bytes] = {}
    for t in meta.tables:
        files[f"data/{t.id}.csv"] = _csv_bytes(table_rows(t))
    files[f"data/{TEXT_FIGURES}.csv"] = _csv_bytes(text_rows(meta.text_figures))
    extra: dict[str, list[list[str]]] = {}
    if totals:
        extra[totals_mod.TOTALS] = totals_mod.rows(totals, edition_label, period_years)
        files[f"data/{totals_mod.TOTALS}.csv"] = _csv_bytes(extra[totals_mod.TOTALS])
    extra[superseded_mod.SUPERSEDED] = superseded_mod.rows(meta, edition_label, period_years)
    files[f"data/{superseded_mod.SUPERSEDED}.csv"] = _csv_bytes(extra[superseded_mod.SUPERSEDED])
    obs_rows = obs_mod.rows(meta, totals, edition_label, period_years)
    extra[obs_mod.OBSERVATIONS] = obs_rows
    files[f"data/{obs_mod.OBSERVATIONS}.csv"] = _csv_bytes(obs_rows)
    files["sdmx/observations_sdmx.csv"] = _csv_bytes(obs_mod.sdmx_rows(meta, obs_rows))
    files.update(parquet_files(meta, descriptor, extra))
    for dim in codelists_mod.used_dimensions(meta):
        files[f"{codelists_mod.CODELIST_DIR}/{dim}.csv"] = _csv_bytes(
            codelists_mod.codelist_rows(meta, dim, definitions)
        )
    if nationalities is not None:
        files[f"{codelists_mod.CODELIST_DIR}/{codelists_mod.NATIONALITY_FILE}"] = _csv_bytes(
            [["nationality", "region"], *[list(r) for r in nationalities]]
        )
    if previous is not None:
        _keep_previous_parquet(files, Path(previous))
    for res in descriptor["resources"]:
        # bytes and hash of every CSV (frictionless verifies them). Not for Parquet: frictionless
        # reads Parquet through pandas and cannot count its bytes, so a declared size fails its
        # validation; the Parquet files' SHA-256 is in the catalogue record (opendata_mh.dcat).
        if res.get("format") == "csv":
            data = files[res["path"]]
            res["bytes"] = len(data)
            res["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    files[DESCRIPTOR] = (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode(
        "utf-8"
    )
    files[CITATION] = citation_mod.citation_cff(descriptor).encode("utf-8")
    files[README] = citation_mod.readme(descriptor).encode("utf-8")
    return dict(sorted(files.items()))


def _keep_previous_parquet(files: dict[str, bytes], previous: Path) -> None:
    for rel, data in files.items():
        old = previous / rel
        if rel.endswith(".parquet") and old.is_file():
            old_bytes = old.read_bytes()
            if old_bytes != data and same_content(old_bytes, data):
                files[rel] = old_bytes


DATAPACKAGE_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"


def package_id(meta: Metadata) -> str:
    """A deterministic ``id`` of the package: a name-based UUID (RFC 4122 v5, URL namespace) of
    the catalogue identifier (or the homepage and name) and the version, so one edition's
    package always has the same id and every edition a different one."""
    pkg = meta.package
    dcat = dict(pkg.extra).get("dcat")
    base = dcat.get("identifier") if isinstance(dcat, dict) else None
    base = base or f"{pkg.homepage or ''}{pkg.name}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base}#{pkg.version}')}"


def package_created(meta: Metadata) -> str:
    """``created`` (RFC 3339), deterministic: ``created`` of package.toml, else the date of the
    latest edition, else the catalogue's ``issued`` date, at midnight UTC."""
    pkg = meta.package
    dcat = dict(pkg.extra).get("dcat")
    issued = dcat.get("issued") if isinstance(dcat, dict) else None
    latest = meta.editions[-1].date if meta.editions else None
    day = pkg.created or latest or (str(issued) if issued else None) or "1970-01-01"
    return day if "T" in day else f"{day}T00:00:00Z"


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileChange:
    path: str
    status: Literal["added", "modified", "removed"]


@dataclass(frozen=True)
class GenerateResult:
    out: Path
    files: tuple[str, ...]
    changes: tuple[FileChange, ...]
    written: bool
    resources: int
    rows: int
    relations: int

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "written": self.written,
            "files": len(self.files),
            "resources": self.resources,
            "rows": self.rows,
            "relations": self.relations,
            "changes": [{"path": c.path, "status": c.status} for c in self.changes],
        }


def diff_files(files: Mapping[str, bytes], out: Path) -> list[FileChange]:
    """Which files of ``out`` would be added, modified or removed by writing ``files``."""
    existing: set[str] = set()
    if out.is_dir():
        existing = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    changes = []
    for rel in sorted(set(files) | existing):
        if rel not in existing:
            changes.append(FileChange(rel, "added"))
        elif rel not in files:
            changes.append(FileChange(rel, "removed"))
        elif (out / rel).read_bytes() != files[rel] and not (
            rel.endswith(".parquet") and same_content((out / rel).read_bytes(), files[rel])
        ):
            changes.append(FileChange(rel, "modified"))
    return changes


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        fh.write(data)


def write_atomic(files: Mapping[str, bytes], out: Path) -> None:
    """Write ``files`` to a temporary sibling of ``out`` and swap it in. All or nothing."""
    out = out.resolve()
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
    except OSError as exc:
        raise GenerateError(f"cannot create a temporary directory in {parent}: {exc}") from exc
    try:
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)
        for rel in sorted(files):
            _write_file(tmp / rel, files[rel])
        if out.exists():
            old = parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
            out.rename(old)
            try:
                tmp.rename(out)
            except BaseException:
                old.rename(out)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise GenerateError(
            f"could not write the package to {out}: {exc}; the previous package is unchanged"
        ) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def generate(
    metadata_dir: str | Path = "metadata",
    out_dir: str | Path = "datapackage",
    *,
    check: bool = False,
    lock_timeout: float = 0.0,
) -> GenerateResult:
    """Load ``metadata_dir`` and write (or, with ``check``, compare) the package in ``out_dir``.

    Raises :class:`~opendata_mh.errors.MetadataError` for invalid metadata,
    :class:`~opendata_mh.errors.GenerateError` when writing fails and
    :class:`~opendata_mh.lock.LockedError` when a build holds the metadata longer than
    ``lock_timeout`` seconds (:mod:`opendata_mh.lock`).
    """

    def _files() -> tuple[Metadata, Path, dict[str, bytes], list[FileChange]]:
        meta = load_metadata(metadata_dir)
        out = Path(out_dir)
        files = build_files(
            meta,
            totals_mod.load_specs(metadata_dir),
            metadata_dir=metadata_dir,
            previous=out if out.is_dir() else None,
        )
        return meta, out, files, diff_files(files, out)

    written = False
    if check:
        meta, out, files, changes = _files()
    else:  # one writer at a time (a build holds the same lock; re-entrant)
        with metadata_lock(metadata_dir, timeout=lock_timeout, what="generate"):
            meta, out, files, changes = _files()
            if changes:
                write_atomic(files, out)
                written = True
    return GenerateResult(
        out=out,
        files=tuple(sorted(files)),
        changes=tuple(changes),
        written=written,
        resources=sum(1 for f in files if f.startswith("data/")),
        rows=sum(len(t.cells) for t in meta.tables),
        relations=len(meta.relations),
    )
