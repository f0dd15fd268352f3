"""The hand-edited metadata (``metadata/*.toml``) as frozen dataclasses, loaded and validated.

The format is specified in ``docs/metadata-format.md``. :func:`load_metadata` reads every file,
collects *every* problem (file, table, panel, row, field) and raises one
:class:`~opendata_mh.errors.MetadataError` listing them all, or returns a :class:`Metadata`.

One module per kind of metadata, each with its types and its loader; imports run one way, from
the first to the last (``tests/unit/test_architecture.py`` keeps them so):

* :mod:`.constants` ids, periods, cell types, statuses, relation types (imports nothing);
* :mod:`.printed` printed values -> cells (``181``, ``<5``, ``170`` rounded, ``170-180``, ``x``,
  ``?``; the table of the rules and their sources);
* :mod:`._collect` the problem collector and TOML reading of the loaders;
* :mod:`.package` ``package.toml`` (package metadata, licences, contributors, sources, units);
* :mod:`.codelists` ``codelists.toml``;
* :mod:`.tables` ``tables/*.toml`` (panels, unresolved cells, the cells they define);
* :mod:`.refs` cell references and the expansion of patterns and ``for_each``;
* :mod:`.figures` ``text_figures.toml`` (the figures of the prose);
* :mod:`.relations` ``relations.toml``, ``latent.toml``, ``discrepancies.toml``;
* :mod:`.findings` ``acknowledged_findings.toml`` and the finding fingerprint;
* :mod:`.editions` later editions (``metadata/editions/<id>/``);
* :mod:`.load` :class:`Metadata` and :func:`load_metadata`.

What is validated:

* ids unique and ``[a-z0-9_]+``; codes exist in their code list; periods are ``YYYY`` or
  ``YYYY-YYYY``; source and unit ids exist in ``package.toml``;
* every panel covers the table's dimensions (row dim, column dim or ``fixed``) and ``period``;
  every grid row has one printed value per column; no cell is defined twice (across panels);
* printed values have the syntax ``181``, ``<5``, ``170-180`` or ``?`` (see :func:`parse_printed`);
  under ``sdc.rule = "rounding"`` integers are multiples of ``base``; ``<n`` uses the table's
  threshold;
* every ``?`` has exactly one ``[[unresolved]]`` entry and every entry has its ``?``;
* relations expand (``for_each``, ``*`` patterns) to explicit cell references that all resolve;
  latent quantities (``@name/...``) and text figures (``text:id``) are resolved too.
"""

from __future__ import annotations

from opendata_mh.model.codelists import Code, CodeList
from opendata_mh.model.constants import (
    ALL,
    AUDIT_FINDING_CODES,
    CELL_TYPES,
    CONF_STATUS,
    GENERIC_COUNT_UNIT,
    ID_RE,
    NON_COUNT_UNITS,
    OBS_STATUS,
    PERIOD,
    PERIOD_RE,
    PLACEHOLDER_RE,
    RELATION_TYPES,
    SECONDARY_SYMBOL,
    SHARE_TYPES,
    CellType,
    valid_period,
)
from opendata_mh.model.editions import (
    EDITION_ID_RE,
    EDITION_MANIFEST,
    EDITIONS_DIR,
    Edition,
    EditionState,
    EditionTable,
    SupersededCell,
    read_edition_csv,
    superseded_cells,
    superseded_relations,
)
from opendata_mh.model.figures import TextFigure
from opendata_mh.model.findings import (
    ACK_KEY_ENV,
    FINGERPRINT_RE,
    AckKeyError,
    AcknowledgedFinding,
    ack_key,
    finding_fingerprint,
)
from opendata_mh.model.load import Metadata, load_metadata
from opendata_mh.model.package import (
    REVISION_MODELS,
    Contributor,
    License,
    PackageMeta,
    Source,
    Unit,
)
from opendata_mh.model.printed import (
    GROUP_PROTECTIONS,
    ParsedValue,
    SdcRule,
    count_bounds,
    is_masked,
    number_text,
    parse_printed,
)
from opendata_mh.model.refs import CellRef, parse_ref
from opendata_mh.model.relations import Discrepancy, LatentQuantity, Relation, share_rows
from opendata_mh.model.tables import Cell, Column, Panel, PanelRow, TableSpec, Unresolved

__all__ = [
    "ACK_KEY_ENV",
    "ALL",
    "AUDIT_FINDING_CODES",
    "CELL_TYPES",
    "CONF_STATUS",
    "EDITIONS_DIR",
    "EDITION_ID_RE",
    "EDITION_MANIFEST",
    "FINGERPRINT_RE",
    "GENERIC_COUNT_UNIT",
    "GROUP_PROTECTIONS",
    "ID_RE",
    "NON_COUNT_UNITS",
    "OBS_STATUS",
    "PERIOD",
    "PERIOD_RE",
    "PLACEHOLDER_RE",
    "RELATION_TYPES",
    "REVISION_MODELS",
    "SECONDARY_SYMBOL",
    "SHARE_TYPES",
    "AckKeyError",
    "AcknowledgedFinding",
    "Cell",
    "CellRef",
    "CellType",
    "Code",
    "CodeList",
    "Column",
    "Contributor",
    "Discrepancy",
    "Edition",
    "EditionState",
    "EditionTable",
    "LatentQuantity",
    "License",
    "Metadata",
    "PackageMeta",
    "Panel",
    "PanelRow",
    "ParsedValue",
    "Relation",
    "SdcRule",
    "Source",
    "SupersededCell",
    "TableSpec",
    "TextFigure",
    "Unit",
    "Unresolved",
    "ack_key",
    "count_bounds",
    "finding_fingerprint",
    "is_masked",
    "load_metadata",
    "number_text",
    "parse_printed",
    "parse_ref",
    "read_edition_csv",
    "share_rows",
    "superseded_cells",
    "superseded_relations",
    "valid_period",
]
