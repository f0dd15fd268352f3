"""Code lists as resources of the package: one CSV per dimension (``codelists/<dim>.csv``:
``code``, ``label`` (Dutch), ``label_en``, ``definition_en``) and the nationality -> region
mapping (``codelists/nationality_regions.csv``), each a Data Package v2 ``table`` resource that
the tables reference by ``foreignKeys`` (every code of a table must be in its list).

Definitions are optional per code in ``metadata/codelists.toml`` (``definition_en``); a code
without one is defined by its English label and the dimension ("Police (reporting
organisation)."). ``all`` is always "the total
over every category of the dimension".
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from opendata_mh.errors import MetadataError, MetadataProblem
from opendata_mh.model import ALL, Metadata
from opendata_mh.tableschema import TABLESCHEMA_V2, field

CODELIST_DIR = "codelists"
NATIONALITY_REGIONS = "nationality_regions"
NATIONALITY_FILE = "nationality_regions.csv"
ALL_DEFINITION = "The total over every category of the dimension."


def resource_name(dim: str) -> str:
    return f"codelist_{dim}"


def load_definitions(root: str | Path) -> dict[tuple[str, str], str]:
    """``(dimension, code) -> definition_en`` from ``codelists.toml`` (optional key)."""
    path = Path(root) / "codelists.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MetadataError([MetadataProblem("codelists.toml", f"cannot read: {exc}")]) from exc
    out: dict[tuple[str, str], str] = {}
    problems = []
    for dim, cl in data.items():
        for i, c in enumerate((cl or {}).get("codes") or [], 1) if isinstance(cl, dict) else ():
            if isinstance(c, dict) and "definition_en" in c:
                d = c["definition_en"]
                if not isinstance(d, str) or not d.strip():
                    problems.append(
                        MetadataProblem(
                            "codelists.toml",
                            "'definition_en' must be a non-empty string",
                            table=dim,
                            row=i,
                            field="definition_en",
                        )
                    )
                else:
                    out[(dim, str(c.get("code")))] = d
    if problems:
        raise MetadataError(problems)
    return out


def load_nationality_regions(root: str | Path) -> list[tuple[str, str]] | None:
    """The rows of ``nationality_regions.csv`` (``nationality, region``), or None if absent."""
    path = Path(root) / NATIONALITY_FILE
    if not path.is_file():
        return None
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    if not rows or rows[0] != ["nationality", "region"]:
        raise MetadataError(
            [MetadataProblem(NATIONALITY_FILE, "want the header 'nationality,region'", row=1)]
        )
    return [(r[0], r[1]) for r in rows[1:] if r]


def used_dimensions(meta: Metadata) -> list[str]:
    """The dimensions of the tables, in code-list order."""
    used = {d for t in meta.tables for d in t.dimensions}
    return [c.id for c in meta.codelists if c.id in used]


def codelist_rows(
    meta: Metadata, dim: str, definitions: Mapping[tuple[str, str], str]
) -> list[list[str]]:
    cl = meta.codelist(dim)
    rows = [["code", "label", "label_en", "definition_en"]]
    for c in cl.codes:
        d = definitions.get((dim, c.code)) or (
            ALL_DEFINITION if c.code == ALL else f"{c.label_en} ({cl.title_en.lower()})."
        )
        rows.append([c.code, c.label, c.label_en, d])
    return rows


def _f(name: str, title: str, description: str, **constraints: Any) -> dict[str, Any]:
    return field(name, "string", title, description, **constraints)


def codelist_resource(
    meta: Metadata, dim: str, licenses: list[dict[str, Any]], sources: list[dict[str, Any]]
) -> dict[str, Any]:
    cl = meta.codelist(dim)
    return {
        "name": resource_name(dim),
        "type": "table",
        "path": f"{CODELIST_DIR}/{dim}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": f"Codelijst: {cl.title}",
        "title_en": f"Code list: {cl.title_en}",
        "description": f"De codes van de dimensie '{dim}' ({cl.title}) met hun labels.",
        "description_en": f"The codes of the dimension '{dim}' ({cl.title_en}), with their "
        "Dutch and English labels and, where needed, a definition. Every table column "
        f"'{dim}' references this list (foreignKeys).",
        "sources": sources,
        "licenses": licenses,
        "schema": {
            "$schema": TABLESCHEMA_V2,
            "fields": [
                _f("code", "Code", "Stable code.", required=True, unique=True),
                _f("label", "Label (Dutch)", "Canonical Dutch label.", required=True),
                _f("label_en", "Label (English)", "English label.", required=True),
                _f(
                    "definition_en",
                    "Definition",
                    "What the code covers (English).",
                    required=True,
                ),
            ],
            "primaryKey": ["code"],
            "missingValues": [""],
        },
    }


def nationality_resource(
    meta: Metadata, licenses: list[dict[str, Any]], sources: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "name": NATIONALITY_REGIONS,
        "type": "table",
        "path": f"{CODELIST_DIR}/{NATIONALITY_FILE}",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": "Nationaliteit naar regio",
        "title_en": "Nationality to region",
        "description": "Elke nationaliteit (ISO 3166-1 alpha-2, kleine letters) met de regio "
        "waartoe het rapport haar rekent.",
        "description_en": "Every nationality (ISO 3166-1 alpha-2, lower case) with the region "
        "the report counts it under (the regions of table 5); used by 'opendata-mh build' to "
        "aggregate records and by researchers to place a nationality of table 6 in table 5.",
        "sources": [
            *sources,
            {
                "id": "iso3166",
                "title": "ISO 3166-1 alpha-2",
                "title_en": "ISO 3166-1 alpha-2 country codes",
                "path": "https://www.iso.org/iso-3166-country-codes.html",
            },
        ],
        "licenses": licenses,
        "schema": {
            "$schema": TABLESCHEMA_V2,
            "fields": [
                _f(
                    "nationality",
                    "Nationality",
                    "ISO 3166-1 alpha-2 code, lower case.",
                    required=True,
                    unique=True,
                    pattern="^[a-z]{2}$",
                ),
                _f("region", "Region", "Code of the code list 'region'.", required=True),
            ],
            "primaryKey": ["nationality"],
            "foreignKeys": [
                {
                    "fields": ["region"],
                    "reference": {"resource": resource_name("region"), "fields": ["code"]},
                }
            ],
            "missingValues": [""],
        },
    }


def foreign_keys(dims: list[str], has_nationalities: bool) -> list[dict[str, Any]]:
    """The ``foreignKeys`` of a table with dimensions ``dims``."""
    fks: list[dict[str, Any]] = [
        {"fields": [d], "reference": {"resource": resource_name(d), "fields": ["code"]}}
        for d in dims
    ]
    if has_nationalities and "nationality" in dims:
        fks.append(
            {
                "fields": ["nationality"],
                "reference": {"resource": NATIONALITY_REGIONS, "fields": ["nationality"]},
            }
        )
    return fks


def categories(meta: Metadata, dim: str) -> list[dict[str, str]]:
    """The Table Schema v2 ``categories`` of a code field: ``value`` (the code), ``label``
    (Dutch, the package's data language) and ``label_en``."""
    return [
        {"value": c.code, "label": c.label, "label_en": c.label_en}
        for c in meta.codelist(dim).codes
    ]
