"""Names and vocabularies of the metadata: id and period patterns, cell types, SDMX statuses,
relation types, units that are not counts, the audit's finding codes. Imports nothing from the
package but the relation types, whose meaning lives in :mod:`opendata_mh.sdc.relations`.
"""

from __future__ import annotations

import re
from typing import Literal

from opendata_mh.sdc.relations import RELATION_TYPES as RELATION_TYPES
from opendata_mh.sdc.relations import SHARE_TYPES as SHARE_TYPES

ID_RE = re.compile(r"^[a-z0-9_]+$")
PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
PLACEHOLDER_RE = re.compile(r"\{([A-Za-z0-9_]+)\}")
CellType = Literal["exact", "zero", "masked", "rounded", "range", "unresolved", "secondary"]
CELL_TYPES: tuple[str, ...] = (
    "exact",
    "zero",
    "masked",
    "rounded",
    "range",
    "unresolved",
    "secondary",
)
SECONDARY_SYMBOL = "x"
"""Printed symbol of a secondary suppression (a count >= the threshold withheld so that a
``<n`` cell cannot be derived from the totals; builds only, the 2023 report has none)."""
OBS_STATUS: tuple[str, ...] = ("A", "Q", "O")
CONF_STATUS: tuple[str, ...] = ("F", "A", "D")
NON_COUNT_UNITS: tuple[str, ...] = ("percent", "percent_change", "years", "days")
GENERIC_COUNT_UNIT = "count"  # a count of something that is not a package unit
AUDIT_FINDING_CODES: tuple[str, ...] = (
    "audit.exact-disclosure",
    "audit.narrowed",
    "audit.group-disclosure",
)
"""Codes of the disclosure audit (:mod:`opendata_mh.audit`) that an acknowledgement can name."""
PERIOD = "period"
# The value and status columns of every table CSV, in order (the CSV contract).
VALUE_COLUMNS = (
    "value",
    "value_lower",
    "value_upper",
    "value_printed",
    "cell_type",
    "obs_status",
    "conf_status",
)
TABLE_VALUE_COLUMNS = ("value", "value_lower", "value_upper", "cell_type")
"""The value columns of a table CSV and of ``totals.csv`` (after the period years and the
dimensions, before ``edition``): one type in every default reader (integers, words)."""
LONG_ONLY_COLUMNS = (PERIOD, "value_printed", "obs_status", "conf_status")
"""Columns of the long files only (``observations.csv``, ``all_tables.parquet``, the SDMX-CSV),
not of the table CSVs and ``totals.csv``: a default reader (pandas, polars, DuckDB, R) reads
``2019`` and ``181`` as numbers in a file without ``2019-2023`` or ``<5``, and a status column
holding only ``F`` as a boolean, so one column would have several types across the files. Each
follows from the columns a table keeps (``year_from``/``year_to``; ``cell_type`` and the
bounds): :func:`opendata_mh.csvfile.with_long_columns` adds them to the rows the commands read."""
ALL = "all"


def valid_period(p: str) -> bool:
    m = PERIOD_RE.match(p)
    return bool(m) and (m.group(2) is None or int(m.group(1)) < int(m.group(2)))  # type: ignore[union-attr]
