"""Statistical disclosure control for count tables: the threshold rule,
rounding and ranges (:mod:`.rules`), the interval audit (:mod:`.audit`) and
secondary suppression (:mod:`.suppress`). Pure functions, no I/O; HiGHS
(``highspy``) is used only inside this subpackage (:mod:`._lp`)."""

from .audit import (
    AuditReport,
    AuditResult,
    Cell,
    Infeasibility,
    LinearRelation,
    additive,
    audit,
    identity,
    multilabel,
    overlap_subset,
    relation,
    subset,
)
from .rules import (
    CONF_STATUS,
    CellStatus,
    PrintedCell,
    SDCError,
    controlled_rounding_interval,
    is_primary,
    parse_printed,
    parse_range,
    round_half_up,
    rounding_interval,
    secondary_interval,
    threshold_interval,
    threshold_status,
)
from .suppress import SuppressionResult, published_cells, suppress
from .tables import two_way_table

__all__ = [
    "CONF_STATUS",
    "AuditReport",
    "AuditResult",
    "Cell",
    "CellStatus",
    "Infeasibility",
    "LinearRelation",
    "PrintedCell",
    "SDCError",
    "SuppressionResult",
    "additive",
    "audit",
    "controlled_rounding_interval",
    "identity",
    "is_primary",
    "multilabel",
    "overlap_subset",
    "parse_printed",
    "parse_range",
    "published_cells",
    "relation",
    "round_half_up",
    "rounding_interval",
    "secondary_interval",
    "subset",
    "suppress",
    "threshold_interval",
    "threshold_status",
    "two_way_table",
]
