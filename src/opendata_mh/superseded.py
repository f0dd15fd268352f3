"""What earlier editions printed for cells a later edition re-printed: the ``superseded``
resource, the relations that held among those printings and the attacker's model of
revisions, so that a reader (and ``opendata-mh check`` / ``audit``) can combine the editions
from the package alone.

Every edition re-counts earlier years (late registrations), and the package shows each cell as its
latest edition printed it. ``data/superseded.csv`` (and its Parquet twin) keeps every earlier
printing (:func:`opendata_mh.model.superseded_cells`), one row per printing: the table
(``resource``), the period as ``year_from``/``year_to`` and one code column per dimension of the
revised tables (the tables' codes; empty where the table has no such dimension; foreign keys to
the code lists), ``unit``, the value columns of a table CSV as that edition printed them
(``value``, ``value_lower``, ``value_upper``, ``cell_type``: the bounds are what the printed
symbol says, ``<5`` = [1, 4], never an audit interval; the printed form and the SDMX statuses
follow from them as in a table, :func:`opendata_mh.csvfile.with_long_columns`), ``edition``
(``edition-<id>``, the edition that printed it) and ``superseded_by`` (the edition that printed
the cell next). A printing is superseded when a later edition re-printed the cell, whether or not
the figure changed (a ``<5`` printed again as ``<5`` may stand for another count). The base
edition alone has no superseded printings: the resource is then its header only.

Descriptor (:func:`descriptor_entries`; and :func:`moved_acknowledgements`: an acknowledged
historic finding of a re-printed cell stays in ``acknowledgedFindings`` with ``edition``, about
that edition's printing in ``superseded``):

* ``supersededRelations``: the relations that held among an earlier edition's printed figures
  and use a printing that a later edition replaced (:func:`opendata_mh.model.
  superseded_relations`), written as in ``relations`` plus ``edition`` (``2023``): a cell
  reference in such a relation means that edition's printing of the cell (its row of
  ``superseded`` when a later edition replaced it, else the table's row), a latent quantity
  that edition's own unknown;
* ``revisionModel``: the attacker's model of revisions between editions (``package.toml``
  ``[revisions]``): ``monotone`` (default; late registrations only add: an earlier printing's
  count <= the later one's), ``either`` with ``bound`` k (a revision moves a count by at most
  k either way) or ``none`` (the editions taken as independent), with ``min_change`` and
  ``max_change`` (the change later - earlier lies in between; ``null`` = open).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opendata_mh.model import (
    PERIOD,
    AcknowledgedFinding,
    Metadata,
    Relation,
    superseded_cells,
    superseded_relations,
)
from opendata_mh.model.constants import TABLE_VALUE_COLUMNS
from opendata_mh.tableschema import TABLESCHEMA_V2, field

SUPERSEDED = "superseded"
"""The resource name (``data/superseded.csv``)."""

SUPERSEDED_RELATIONS = "supersededRelations"
REVISION_MODEL = "revisionModel"


def dimensions(meta: Metadata) -> list[str]:
    """The dimensions of the tables that have superseded printings, in code-list order: a
    column for a dimension no revised table has would be empty in every row, which a default
    reader types as a float or a logical instead of text (none while there is one edition)."""
    revised = {s.table for s in superseded_cells(meta.states())}
    used = {d for t in meta.tables if t.id in revised for d in t.dimensions}
    return [c.id for c in meta.codelists if c.id in used]


def header(meta: Metadata) -> list[str]:
    return [
        "resource",
        "year_from",
        "year_to",
        *dimensions(meta),
        "unit",
        *TABLE_VALUE_COLUMNS,
        "edition",
        "superseded_by",
    ]


def rows(
    meta: Metadata,
    edition_label: Callable[[str], str],
    period_years: Callable[[str], tuple[str, str]],
) -> list[list[str]]:
    """Header + rows of ``superseded.csv`` (strings)."""
    dims = dimensions(meta)
    tables = {t.id: t for t in meta.tables}
    out = [header(meta)]
    for s in superseded_cells(meta.states()):
        t = tables[s.table]
        key = dict(s.cell.key)
        out.append(
            [
                t.id,
                *period_years(key[PERIOD]),
                *(key.get(d, "") for d in dims),
                t.unit or "",
                *s.cell.parsed.as_text(TABLE_VALUE_COLUMNS),
                edition_label(s.cell.edition),
                edition_label(s.superseded_by),
            ]
        )
    return out


def fields(
    meta: Metadata, value_fields: list[dict[str, Any]], edition_field: dict[str, Any]
) -> list[dict[str, Any]]:
    """Table Schema fields; ``value_fields``: the tables' ``period``, ``year_from``,
    ``year_to`` and value columns (by name); ``edition_field``: the tables' ``edition``."""
    by = {f["name"]: f for f in value_fields}

    dims = [
        field(
            d,
            "string",
            meta.codelist(d).title_en,
            f"Code of the dimension '{d}' (code list resource codelist_{d}), as in the table; "
            "empty when the table has no such dimension.",
        )
        for d in dimensions(meta)
    ]
    ed = dict(edition_field)
    ed["description"] = "The edition that printed this figure, as 'edition-<id>'."
    sup = dict(edition_field)
    sup.update(
        name="superseded_by",
        title="Superseded by",
        description="The edition that printed the cell next (its figure is in the table, or "
        "in a later row of this resource), as 'edition-<id>'.",
    )
    return [
        field(
            "resource",
            "string",
            "Resource",
            "The table resource of the cell.",
            required=True,
            enum=[t.id for t in meta.tables],
        ),
        by["year_from"],
        by["year_to"],
        *dims,
        field("unit", "string", "Unit", "Unit id (see the package's units)."),
        *(by[k] for k in TABLE_VALUE_COLUMNS),
        ed,
        sup,
    ]


def resource(
    meta: Metadata,
    value_fields: list[dict[str, Any]],
    edition_field: dict[str, Any],
    foreign_keys: list[dict[str, Any]],
    sources: list[dict[str, Any]],
    licenses: list[dict[str, Any]],
) -> dict[str, Any]:
    """The descriptor entry of ``superseded``."""
    return {
        "name": SUPERSEDED,
        "type": "table",
        "path": f"data/{SUPERSEDED}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": "Vervangen cijfers van eerdere edities",
        "title_en": "Figures of earlier editions that a later edition replaced",
        "description": "Elke cel die een latere editie opnieuw heeft geteld (late registraties), "
        "zoals een eerdere editie haar drukte: één rij per eerdere druk, met de editie die haar "
        "drukte (edition) en de editie die haar verving (superseded_by). De tabellen tonen de "
        "laatste druk. Boven- en ondergrens volgen alleen uit het gedrukte symbool (<5 is 1 tot "
        "en met 4). Leeg zolang er maar één editie is.",
        "description_en": "Every cell that a later edition counted again (late registrations), "
        "as an earlier edition printed it: one row per earlier printing, with the edition that "
        "printed it (edition) and the edition that replaced it (superseded_by); the tables show "
        "the latest printing. value_lower and value_upper are what the printed symbol says (<5 "
        "is 1 to 4), nothing more. The relations among an edition's printings are in the "
        "descriptor's supersededRelations, the attacker's model of revisions in revisionModel "
        "(what 'opendata-mh check' audits the editions together with). Empty (header only) "
        "while the package has one edition.",
        "sources": sources,
        "licenses": licenses,
        "schema": {
            "$schema": TABLESCHEMA_V2,
            "fields": fields(meta, value_fields, edition_field),
            # none while no revised table has a dimension (v2: foreignKeys has minItems 1)
            **({"foreignKeys": foreign_keys} if foreign_keys else {}),
            "missingValues": [""],
        },
    }


def revision_model(meta: Metadata) -> dict[str, Any]:
    """``revisionModel`` of the descriptor (module docstring)."""
    pkg = meta.package
    model = pkg.revision_model
    lo: int | None
    hi: int | None
    if model == "monotone":
        lo, hi = 0, None
        text = (
            "Late registrations only add: a later edition's count of a cell is at least what an "
            "earlier edition counted."
        )
    elif model == "either":
        lo, hi = -(pkg.revision_bound or 0), pkg.revision_bound or 0
        text = f"A later edition moves a count by at most {hi} either way."
    else:
        lo, hi = None, None
        text = "The editions are taken as independent (no link between their counts)."
    out: dict[str, Any] = {"model": model, "min_change": lo, "max_change": hi}
    if model == "either":
        out["bound"] = hi
    out["description_en"] = text
    return out


def moved_acknowledgements(meta: Metadata) -> list[tuple[str, AcknowledgedFinding]]:
    """The acknowledged historic findings (``acknowledged_findings.toml``, about the base
    edition's publication) of cells a later edition re-printed: they move with the base
    edition's printing into ``superseded`` (``(base edition, finding)``; in the descriptor's
    ``acknowledgedFindings`` with ``edition``)."""
    if not meta.earlier:
        return []
    base = meta.earlier[0]
    eid = base.package.edition or ""
    printed = {
        (s.table, s.cell.key) for s in superseded_cells(meta.states()) if s.cell.edition == eid
    }
    return [
        (eid, a)
        for a in base.acknowledged_findings
        if a.cell.kind == "cell" and (a.cell.name, a.cell.key) in printed
    ]


def descriptor_entries(
    meta: Metadata, relation_dict: Callable[[Relation], dict[str, Any]]
) -> dict[str, Any]:
    """``revisionModel`` and ``supersededRelations`` (module docstring)."""
    rels = []
    for eid, r in superseded_relations(meta.states()):
        rels.append({**relation_dict(r), "edition": eid})
    return {REVISION_MODEL: revision_model(meta), SUPERSEDED_RELATIONS: rels}


__all__ = [
    "REVISION_MODEL",
    "SUPERSEDED",
    "SUPERSEDED_RELATIONS",
    "descriptor_entries",
    "fields",
    "header",
    "resource",
    "revision_model",
    "rows",
]
