"""Statistical disclosure control for count tables: the threshold rule,
rounding and ranges, and what a printed symbol says (:mod:`.rules`), what a relation
between figures means as linear rows (:mod:`.relations`), the interval audit
(:mod:`.audit`) and secondary suppression (:mod:`.suppress`). Pure functions, no I/O,
nothing from the rest of the package; HiGHS (``highspy``) is used only inside this
subpackage (:mod:`._lp`), and :mod:`.rules` and :mod:`.relations` load neither numpy nor
HiGHS (the names below are imported on first use)."""

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .audit import AuditReport, AuditResult, Cell, Infeasibility, audit
    from .conflicts import SubsetAudit, audit_consistent_subsets, worst_subset_results
    from .relations import (
        RELATION_TYPES,
        SHARE_TYPES,
        LinearRelation,
        additive,
        holds,
        identity,
        implied_bounds,
        multilabel,
        overlap_subset,
        propagate,
        relation,
        share,
        share_rows,
        subset,
    )
    from .revisions import (
        RevisionResult,
        contradicted_rows,
        feasible_values,
        protect_revision,
        revision_relations,
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

_HOMES = {
    "RELATION_TYPES": "relations",
    "SHARE_TYPES": "relations",
    "holds": "relations",
    "implied_bounds": "relations",
    "propagate": "relations",
    "share": "relations",
    "share_rows": "relations",
    "AuditReport": "audit",
    "AuditResult": "audit",
    "Cell": "audit",
    "Infeasibility": "audit",
    "LinearRelation": "relations",
    "additive": "relations",
    "audit": "audit",
    "identity": "relations",
    "multilabel": "relations",
    "overlap_subset": "relations",
    "relation": "relations",
    "subset": "relations",
    "CONF_STATUS": "rules",
    "CellStatus": "rules",
    "PrintedCell": "rules",
    "SDCError": "rules",
    "controlled_rounding_interval": "rules",
    "is_primary": "rules",
    "parse_printed": "rules",
    "parse_range": "rules",
    "round_half_up": "rules",
    "rounding_interval": "rules",
    "secondary_interval": "rules",
    "threshold_interval": "rules",
    "threshold_status": "rules",
    "SubsetAudit": "conflicts",
    "audit_consistent_subsets": "conflicts",
    "worst_subset_results": "conflicts",
    "RevisionResult": "revisions",
    "contradicted_rows": "revisions",
    "feasible_values": "revisions",
    "protect_revision": "revisions",
    "revision_relations": "revisions",
    "SuppressionResult": "suppress",
    "published_cells": "suppress",
    "suppress": "suppress",
    "two_way_table": "tables",
}
"""Where each public name lives: the submodules are imported on first use (``from
opendata_mh.sdc import parse_printed`` loads neither numpy nor HiGHS)."""


def __getattr__(name: str) -> Any:
    module = _HOMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])


class _Package(types.ModuleType):
    """Importing a submodule sets it as an attribute of its package: ``sdc.audit`` would then
    be the module :mod:`.audit`, not the function :func:`.audit.audit`. Keep public names."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _HOMES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "CONF_STATUS",
    "RELATION_TYPES",
    "SHARE_TYPES",
    "AuditReport",
    "AuditResult",
    "Cell",
    "CellStatus",
    "Infeasibility",
    "LinearRelation",
    "PrintedCell",
    "RevisionResult",
    "SDCError",
    "SubsetAudit",
    "SuppressionResult",
    "additive",
    "audit",
    "audit_consistent_subsets",
    "contradicted_rows",
    "controlled_rounding_interval",
    "feasible_values",
    "holds",
    "identity",
    "implied_bounds",
    "is_primary",
    "multilabel",
    "overlap_subset",
    "parse_printed",
    "parse_range",
    "propagate",
    "protect_revision",
    "published_cells",
    "relation",
    "revision_relations",
    "round_half_up",
    "rounding_interval",
    "secondary_interval",
    "share",
    "share_rows",
    "subset",
    "suppress",
    "threshold_interval",
    "threshold_status",
    "two_way_table",
    "worst_subset_results",
]
