"""Disclosure audit of a data package: what an attacker derives from everything it publishes.

:func:`audit_package` turns a read package (:class:`~opendata_mh.report.PackageData`: the
``datapackage.json`` descriptor and the CSV rows) into the generic problem of
:func:`opendata_mh.sdc.audit` and back into findings about cells of the package:

* **variables**: every cell of every table (one row of a table CSV), every text figure that a
  relation uses (``text:<figure_id>``, the prose) and every latent quantity
  (``@name/...``, a total the report does not print; a-priori [0, inf));
* **a-priori intervals** (what the attacker reads off the symbols): exact and zero cells are
  published numbers; ``<5`` is [1, 4] (``value_lower``/``value_upper``, from the table's
  threshold); a rounded IND figure R is its rounding interval [R-5, R+4]; a range ``a-b`` is
  [a, b]; an unresolved cell is the hull of its candidates (the text we read is ambiguous); a
  cell printed ``x`` (built editions) is [1, inf): "not published; at least 1", never >= 5,
  because a small count may be printed ``x`` too (:mod:`opendata_mh.build`), and [0, inf) in a
  table whose ``sdc.groupProtection`` is ``breakdown`` (a small group's breakdown is ``x``,
  zeros included); its a-priori interval comes from ``value_lower``/``value_upper`` like every
  other cell;
* **relations**: the linear rows of every entry of ``relations``, as
  :func:`opendata_mh.relations.package_relations` reads them for the consistency check too (the
  meaning of each type: :mod:`opendata_mh.sdc.relations`; additive and identity as equalities,
  multilabel, subset and overlap_subset as inequalities, the identities between a figure in the
  prose and a table cell, ``text.<figure_id>``, and the percentages of the prose, ``share``/
  ``change``, two ``<=`` rows each, scaled for the LP); relations covered by a
  ``knownDiscrepancies`` entry (:meth:`~opendata_mh.relations.PackageRelations.members`: by id,
  or by a reference they use) are **left out** of the plain audit: the report contradicts itself
  there and the program would be infeasible. A conflict shields nothing, though: an attacker uses
  any consistent subset of the relations, so every maximal consistent subset of each
  discrepancy's relations is audited too (:func:`opendata_mh.sdc.audit_consistent_subsets`), and
  a masked cell that a subset discloses (narrows) is a finding; :attr:`CellAudit.conflict` and
  the message name the discrepancy and the relations left out and kept.

**Targets** are the masked cells (``cell_type = masked``): their protection is ``apriori``, i.e.
the audit interval must stay the symbol's interval [1, 4]. A masked cell whose interval shrinks
to one value is an *exact disclosure*; one whose interval shrinks but keeps two or more values is
*narrowed*. Rounded, range and unresolved cells are published intervals, not protected targets;
when the relations narrow them the audit says so as information. Latent quantities are unknowns
and are not reported.

Result per audited cell (:class:`CellAudit`): the interval, the status (``protected``,
``exact``, ``narrowed``, ``infeasible``), and ``pinned_by``: the ids of the package relations (as
in ``datapackage.json``, e.g. ``om.forms_sum_to_registered.2019``) whose duals certify the
narrowed bounds.

Acknowledged findings: the 2019-2023 publication cannot be changed, so ``acknowledgedFindings``
in the descriptor (generated from ``metadata/acknowledged_findings.toml``) records findings a
maintainer accepted, each with ``cell``, ``code``, ``fingerprint``, ``reason``, ``by``, ``date``.
The fingerprint (:func:`opendata_mh.model.finding_fingerprint`) is an HMAC-SHA256, under the key
in ``OPENDATA_MH_ACK_KEY`` (maintainer's environment, CI secret store; never committed), of the
cell, the code and the interval as found: an unkeyed hash of so few candidate intervals would
give every interval back to anyone who hashes them all. Without the key, acknowledgements are
matched by cell and code (``audit.acknowledgements-unverified``, info). The package never
spells out the true value of a masked cell, even one its figures give away (a statistics
office does not do the attacker's work). A finding
matches an acknowledgement when the cell, the code and the fingerprint of the interval found all
agree; it is then reported as ``audit.acknowledged`` (info, without the interval). A finding
whose interval *contains* an acknowledged interval of the same cell (recovered from the
fingerprint by trying every interval within the cell's a-priori bounds) gives away no more than
what was acknowledged, and is acknowledged too (``CellAudit.within_acknowledged``): this is what
a historic cell shows once a later edition has left out some of its relations (the attacker who
also holds the historic publication learns nothing new). A finding that is narrower anywhere,
or a new one, stays an error, and its message shows the interval and the fingerprint to
acknowledge it with; an acknowledgement that matches no finding is
``audit.stale-acknowledgement`` (warning: remove or update it; without the interval). The
relation ids of an acknowledgement are informational: one the package no longer has (a later
edition left it out) is reported as ``audit.acknowledged-relation-lapsed`` (info; a warning
would fail ``check`` for every package with a later edition) and never voids the
acknowledgement; when the cell is protected without those relations, the acknowledgement is
not stale either (the historic publication still gives the cell away).

Where intervals appear: the messages of unacknowledged findings and of
``audit.interval-narrowed`` in ``opendata-mh audit`` (the maintainer must see them), the
``opendata-mh audit`` table and :meth:`CellAudit.to_dict` (``--json``; the audit's result, a
maintainer's tool run locally). Never in ``audit.acknowledged`` or ``audit.stale-
acknowledgement`` messages, and never in any message of :func:`audit_check` (``check`` prints
them in public CI logs: ``audit_package(public=True)``): there an unacknowledged finding names
the cell and the pinning relations and points to ``opendata-mh audit`` for the interval and the
fingerprint, and ``audit.interval-narrowed`` says "narrowed by <relations>" without the interval
(a narrowed unresolved cell, candidates ``<5``/``0`` -> [0, 1], gives a masked value away).

Masked text figures: a figure of the prose printed ``<5`` (``text:<figure_id>``, bounds [1, 4])
is a target like a masked table cell (resource ``text_figures``, its row, field ``value``;
``cell_type`` masked), and can be acknowledged as ``cell = "text:<figure_id>"``.

Issue codes (stable vocabulary; severity in brackets), each naming ``resource``, ``row`` (CSV
data row) and ``field`` (``value``) of the cell:

  ``audit.exact-disclosure``      [error]   a masked cell is given away exactly by the published
                                            figures (interval, pinning relations and the
                                            fingerprint to acknowledge it in the message)
  ``audit.narrowed``              [error]   a masked cell's interval is narrower than [1, 4]
  ``audit.infeasible``            [error]   the published figures cannot all hold: an irreducible
                                            set of relations (not covered by knownDiscrepancies)
  ``audit.acknowledged``          [info]    a finding that matches an acknowledgement (the
                                            message names no interval)
  ``audit.stale-acknowledgement`` [warning] an acknowledgement that matches no current finding
  ``audit.acknowledged-relation-lapsed`` [info] an acknowledgement names a relation id the
                                            package no longer has (left out by a later edition)
  ``audit.interval-narrowed``     [info]    a rounded, range or unresolved cell narrowed by the
                                            relations (not a protected cell)
  ``audit.relations-excluded``    [info]    relations of a known discrepancy left out of the plain
                                            audit (their consistent subsets are audited)
  ``audit.group-disclosure``      [error]   a small group (total known to lie in 1..n-1) whose
                                            breakdown (an additive or multilabel relation) is 0
                                            everywhere but one category (printed 0 or an x
                                            pinned to 0): every member shares it
                                            (:class:`GroupDisclosure`; acknowledged by cell, code
                                            and the fingerprint of the total's interval)
  ``audit.invalid``               [error]   a relation or acknowledgement of the descriptor cannot
                                            be used (malformed, or names an absent cell)
  ``audit.acknowledgements-unverified`` [info] ``OPENDATA_MH_ACK_KEY`` is not set: the
                                            acknowledgements were matched by cell and code,
                                            their keyed fingerprints not verified
  ``audit.revision-disclosure`` [error]   a masked printing (a table's ``<5``, or an earlier
                                            edition's in ``superseded``) that the editions
                                            combined narrow beyond what its own edition gives
                                            away, or an ``x`` they prove below n, under the
                                            package's ``revisionModel``
                                            (:class:`RevisionDisclosure`; names both
                                            editions; not acknowledgeable)
  ``audit.revision-contradicted`` [info] printings that contradict the revision model (a
                                            count that went down under ``monotone``): the
                                            model is left out for them, as a reader would

Editions combined (:func:`_revision_disclosures`): a package with a later edition carries the
earlier printings of every re-printed cell (resource ``superseded``), the relations that held
among them (``supersededRelations``) and the attacker's model of revisions (``revisionModel``;
:mod:`opendata_mh.superseded`). The audit adds each earlier printing as a variable
(``edition-<E>:<cell>``), each earlier relation over that edition's printings (a cell reference
is edition E's printing of the cell, a latent quantity E's own unknown; ``<id>@edition-<E>``),
and the model's rows between consecutive printings of a cell (``revision:<earlier>-><later>``;
:func:`opendata_mh.sdc.revision_relations`). Only the part of the problem the earlier printings
meet is solved. A masked printing's interval with the editions combined is compared with its own
edition alone (a table cell: the plain audit; an earlier printing: that edition's relations and
the current relations among figures it printed, no revision rows), so a historic finding of an
earlier edition is not reported again.

Layering: this module sits between :mod:`opendata_mh.validate` (it reuses
:func:`~opendata_mh.validate.read_package`) and :mod:`opendata_mh.cli`; it is the package's only
user of :mod:`opendata_mh.sdc` (HiGHS). ``validate`` never imports it: the CLI plugs
:func:`audit_check` into ``check(path, extra_checks=...)``.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from opendata_mh import sdc
from opendata_mh.errors import BrokenFileError, OpendataMhError
from opendata_mh.model import (
    ACK_KEY_ENV,
    AUDIT_FINDING_CODES,
    FINGERPRINT_RE,
    REVISION_MODELS,
    SHARE_TYPES,
    AckKeyError,
    CellRef,
    ack_key,
    finding_fingerprint,
)
from opendata_mh.relations import (
    PackageRelation,
    PackageRelations,
    RelationProblem,
    Variable,
    _cell_variable,
    _discrepancy,
    _relation,
    package_relations,
)
from opendata_mh.report import Issue, PackageData, Severity
from opendata_mh.superseded import REVISION_MODEL, SUPERSEDED, SUPERSEDED_RELATIONS
from opendata_mh.validate import read_package

ISSUE_CODES: dict[str, Severity] = {
    "audit.exact-disclosure": "error",
    "audit.narrowed": "error",
    "audit.infeasible": "error",
    "audit.acknowledged": "info",
    "audit.stale-acknowledgement": "warning",
    "audit.acknowledged-relation-lapsed": "info",
    "audit.interval-narrowed": "info",
    "audit.relations-excluded": "info",
    "audit.group-disclosure": "error",
    "audit.invalid": "error",
    "audit.acknowledgements-unverified": "info",
    "audit.revision-disclosure": "error",
    "audit.revision-contradicted": "info",
}
"""Every issue code of the audit, with its severity."""

FINDING_CODES = AUDIT_FINDING_CODES
"""Codes a finding about a masked cell can have (and an acknowledgement can name)."""

Status = Literal["protected", "exact", "narrowed", "infeasible"]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Acknowledgement:
    """A finding a maintainer accepted (one entry of ``acknowledgedFindings``).

    ``cell`` is a cell reference (``resource/period=.../dim=code``), ``code`` one of
    :data:`FINDING_CODES`, ``fingerprint`` the finding's
    :func:`~opendata_mh.model.finding_fingerprint` (``sha256:`` + 64 hex; the interval as
    found, hashed, so that it is not published).
    """

    cell: str
    code: str
    fingerprint: str
    reason: str
    by: str
    date: str
    relations: tuple[str, ...] = ()
    edition: str = ""
    """An earlier edition's printing (in ``superseded``) the finding is about; empty: the
    cell as the tables print it."""

    def to_dict(self) -> dict[str, Any]:
        out = {
            "cell": self.cell,
            "code": self.code,
            "fingerprint": self.fingerprint,
            "reason": self.reason,
            "by": self.by,
            "date": self.date,
            "relations": list(self.relations),
        }
        if self.edition:
            out["edition"] = self.edition
        return out


@dataclass(frozen=True)
class CellAudit:
    """The audit of one masked, rounded, range or unresolved cell.

    Attributes:
        cell: canonical reference (key fields in the resource's primary-key order).
        resource, row: the resource and its CSV data row (1-based).
        printed, cell_type: as in the CSV (``<5``, ``masked``).
        a_priori: the interval the symbol gives, ``(lower, upper)`` (counts).
        interval: the feasibility interval; ``upper`` is ``None`` when unbounded, both are
            ``None`` when the cell lies in an infeasible set of relations.
        status: ``protected`` (nothing learnt beyond the symbol), ``exact`` (one value
            left), ``narrowed`` (strictly inside the a-priori interval), ``infeasible``.
        pinned_by: ids of the package relations that prove the narrowed bounds.
        target: the cell is a protected target (a masked cell).
        acknowledged: the matching acknowledgement, if any.
        within_acknowledged: the finding does not match ``acknowledged`` exactly but its
            interval contains the acknowledged one (it gives away no more).
        conflict: when the finding comes from a consistent subset of a known discrepancy's
            relations: (discrepancy id, relations left out, relations of it kept).
    """

    cell: str
    resource: str
    row: int
    printed: str
    cell_type: str
    a_priori: tuple[int, int | None]
    interval: tuple[int | None, int | None]
    status: Status
    pinned_by: tuple[str, ...] = ()
    target: bool = True
    acknowledged: Acknowledgement | None = None
    within_acknowledged: bool = False
    conflict: tuple[str, tuple[str, ...], tuple[str, ...]] | None = None

    @property
    def finding_code(self) -> str | None:
        """``audit.exact-disclosure`` / ``audit.narrowed`` for an unprotected target, else None."""
        if not self.target:
            return None
        return {"exact": FINDING_CODES[0], "narrowed": FINDING_CODES[1]}.get(self.status)

    def interval_text(self) -> str:
        return _iv(self.interval)

    @property
    def fingerprint(self) -> str | None:
        """The :func:`~opendata_mh.model.finding_fingerprint` of a finding (what an
        acknowledgement must carry), None when the cell is no finding."""
        code = self.finding_code
        lo, up = self.interval
        if code is None or lo is None or up is None:
            return None
        return finding_fingerprint(self.cell, code, (lo, up))

    def to_dict(self) -> dict[str, Any]:
        return {
            "cell": self.cell,
            "resource": self.resource,
            "row": self.row,
            "printed": self.printed,
            "cell_type": self.cell_type,
            "a_priori": list(self.a_priori),
            "interval": list(self.interval),
            "status": self.status,
            "code": self.finding_code,
            "fingerprint": self.fingerprint,
            "pinned_by": list(self.pinned_by),
            "acknowledged": self.acknowledged.to_dict() if self.acknowledged else None,
            "within_acknowledged": self.within_acknowledged,
            "conflict": None
            if self.conflict is None
            else {
                "discrepancy": self.conflict[0],
                "left_out": list(self.conflict[1]),
                "kept": list(self.conflict[2]),
            },
        }


@dataclass(frozen=True)
class InfeasibleSet:
    """Relations (package ids) that cannot hold together, irreducible; the cells they use."""

    relations: tuple[str, ...]
    cells: tuple[str, ...]


@dataclass(frozen=True)
class ExcludedDiscrepancy:
    """A known discrepancy whose relations were left out of the plain audit (each of its
    consistent subsets is audited as well: :func:`opendata_mh.sdc.audit_consistent_subsets`)."""

    discrepancy: str
    relations: tuple[str, ...]
    rows: tuple[sdc.LinearRelation, ...] = field(default=(), repr=False, compare=False)


@dataclass(frozen=True)
class GroupDisclosure:
    """A small group whose published breakdown puts every member in one category.

    Attributes:
        total: the group's total (canonical reference); its true value is known to lie in
            1..n-1 (printed ``<n``, or pinned there by the relations).
        category: the one part of ``relation`` that is not a published 0.
        relation: the exhaustive relation (additive or multilabel) of the breakdown.
        resource, row: the total's resource and CSV data row.
        interval: the total's interval (what the fingerprint hashes).
        acknowledged: the matching acknowledgement, if any.
    """

    total: str
    category: str
    relation: str
    resource: str
    row: int
    printed: str
    interval: tuple[int, int]
    acknowledged: Acknowledgement | None = None

    code = "audit.group-disclosure"

    @property
    def fingerprint(self) -> str:
        return finding_fingerprint(self.total, self.code, self.interval)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "category": self.category,
            "relation": self.relation,
            "resource": self.resource,
            "row": self.row,
            "printed": self.printed,
            "code": self.code,
            "fingerprint": self.fingerprint,
            "acknowledged": self.acknowledged.to_dict() if self.acknowledged else None,
        }


@dataclass
class PackageAudit:
    """The audit of a package: every non-exact cell, infeasible sets, acknowledgements.

    ``cells`` is in package order (resources as in the descriptor, then CSV rows); ``issues``
    are the findings as :class:`~opendata_mh.report.Issue` (see the module's code list).
    """

    cells: tuple[CellAudit, ...]
    infeasible: tuple[InfeasibleSet, ...] = ()
    excluded: tuple[ExcludedDiscrepancy, ...] = ()
    acknowledgements: tuple[Acknowledgement, ...] = ()
    stale: tuple[Acknowledgement, ...] = ()
    issues: list[Issue] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    groups: tuple[GroupDisclosure, ...] = ()
    revisions: tuple[RevisionDisclosure, ...] = ()
    editions: _Revisions | None = field(default=None, repr=False, compare=False)
    """The editions' part of the attacker's problem (superseded printings; internal)."""
    earlier_acknowledgements: tuple[Acknowledgement, ...] = ()
    """Acknowledgements of an earlier edition's printing (``edition`` set; matched by
    :func:`earlier_finding`, reported in :attr:`issues`)."""

    @property
    def ok(self) -> bool:
        return not any(i.severity in ("error", "warning") for i in self.issues)

    @property
    def targets(self) -> list[CellAudit]:
        return [c for c in self.cells if c.target]

    def findings(self) -> list[CellAudit]:
        """Masked cells that the publication gives away or narrows (acknowledged or not)."""
        return [c for c in self.cells if c.finding_code]

    def new_findings(self) -> list[CellAudit]:
        return [c for c in self.findings() if c.acknowledged is None]

    def by_cell(self) -> dict[str, CellAudit]:
        return {c.cell: c for c in self.cells}

    def summary(self) -> dict[str, Any]:
        found = self.findings()
        return {
            "masked_cells": len(self.targets),
            "audited_cells": len(self.cells),
            "exact_disclosures": sum(1 for c in found if c.status == "exact"),
            "narrowed": sum(1 for c in found if c.status == "narrowed"),
            "acknowledged": sum(1 for c in found if c.acknowledged),
            "new_findings": len(self.new_findings())
            + sum(1 for g in self.groups if g.acknowledged is None)
            + len(self.revisions),
            "group_disclosures": len(self.groups),
            "revision_disclosures": len(self.revisions),
            "stale_acknowledgements": len(self.stale),
            "infeasible_sets": [list(s.relations) for s in self.infeasible],
            "excluded_relations": {e.discrepancy: list(e.relations) for e in self.excluded},
            **self.stats,
        }

    def to_dict(self, all_cells: bool = False) -> dict[str, Any]:
        """JSON-ready: :meth:`summary` plus ``cells`` (the findings, or with ``all_cells`` every
        audited cell), ``stale_acknowledged_findings`` (with ``edition`` for an earlier
        edition's printing) and ``earlier_edition_acknowledgements`` (the acknowledgements of an
        earlier edition's printing, each with its ``edition`` and whether it is ``stale``). The
        CLI's ``--json`` summary."""
        shown = self.cells if all_cells else tuple(self.findings())
        return {
            **self.summary(),
            "cells": [c.to_dict() for c in shown],
            "groups": [g.to_dict() for g in self.groups],
            "revisions": [r.to_dict() for r in self.revisions],
            "stale_acknowledged_findings": [a.to_dict() for a in self.stale],
            "earlier_edition_acknowledgements": [
                {**a.to_dict(), "stale": a in self.stale} for a in self.earlier_acknowledgements
            ],
        }


# --------------------------------------------------------------------------------------------
# Building the attacker's problem
# --------------------------------------------------------------------------------------------


def _int(x: float | None) -> int | None:
    if x is None or not math.isfinite(x):
        return None
    return round(x)


def _iv(iv: tuple[int | None, int | None]) -> str:
    lo, up = iv
    if lo is None and up is None:
        return "infeasible"
    return f"[{lo}, {'inf' if up is None else up}]"


def _cell(v: Variable) -> sdc.Cell:
    """A variable of the package as the attacker's cell: published exactly, masked (a
    protected target: its interval must stay the symbol's), a published interval (rounded,
    range, unresolved, ``x``), or an unknown (a latent total)."""
    if v.kind == "latent":
        return sdc.Cell(v.id, 0, math.inf, "suppressed", "none")
    if v.masked:
        return sdc.Cell(v.id, v.lower, v.upper, "suppressed", "apriori")
    if v.lower == v.upper:
        return sdc.Cell.exact(v.id, v.lower)
    return sdc.Cell(v.id, v.lower, v.upper, "interval", "none")


class _Problem:
    """The package's variables and relations (:func:`opendata_mh.relations.package_relations`,
    the rows the consistency check reads too) as the attacker's cells and linear rows."""

    def __init__(self, pkg: PackageData) -> None:
        self.pkg = pkg
        self.pr = package_relations(pkg)
        self.issues: list[Issue] = [_invalid(p.message) for p in self.pr.problems]
        self.vars = self.pr.variables
        # the audited cells: every table cell and every masked figure of the prose
        self.order = [
            vid
            for vid, v in self.vars.items()
            if v.kind == "cell" or (v.kind == "text" and v.masked)
        ]

    def canonical_str(self, s: str) -> str | None:
        return self.pr.resolve(s)


def _invalid(message: str, resource: str | None = None, row: int | None = None) -> Issue:
    return Issue("audit.invalid", "error", message, resource, row, "value" if row else None)


def _lp_rows(r: PackageRelation) -> list[sdc.LinearRelation]:
    """The rows of ``r`` for the LP: a ``share``/``change`` row divided by ``200 * 10**d`` (its
    numerator coefficients become +-1: keeps the LP well scaled)."""
    if r.type not in SHARE_TYPES:
        return list(r.rows)
    scale = 200.0 * 10**r.decimals
    return [
        sdc.LinearRelation(
            row.id, row.kind, {x: a / scale for x, a in row.coeffs.items()}, row.rhs / scale, r.id
        )
        for row in r.rows
    ]


Group = tuple[str, str, tuple[str, ...]]
"""(relation id, total variable, part variables) of an exhaustive relation."""


def _relations(
    prob: _Problem,
) -> tuple[list[sdc.LinearRelation], list[ExcludedDiscrepancy], int, list[Group]]:
    """Linear rows of every usable relation; the known discrepancies left out; the exhaustive
    relations (additive, multilabel) for the group-disclosure check."""
    pr = prob.pr
    excluded = [
        ExcludedDiscrepancy(
            k.id, k.members, tuple(row for r in pr.members(k) for row in _lp_rows(r))
        )
        for k in pr.discrepancies
        if k.members
    ]
    out_ids = pr.known_members()
    rows = [row for r in pr.relations if r.id not in out_ids for row in _lp_rows(r)]
    groups = [
        (r.id, r.total, r.parts)
        for r in pr.relations
        if r.type in ("additive", "multilabel") and r.total is not None and len(r.parts) > 1
    ]
    return rows, excluded, len(pr.relations) - len(out_ids), groups


LEGACY_FINGERPRINT_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
"""An unkeyed fingerprint of earlier packages: read (matched by cell and code without the key,
never verified), so that ``--rekey`` can replace it."""


def _acknowledgements(prob: _Problem) -> list[Acknowledgement]:
    out = []
    for j, a in enumerate(prob.pkg.descriptor.get("acknowledgedFindings") or [], 1):
        fp = a.get("fingerprint") if isinstance(a, dict) else None
        if (
            not isinstance(a, dict)
            or not isinstance(a.get("cell"), str)
            or a.get("code") not in FINDING_CODES
            or not isinstance(fp, str)
            or not (FINGERPRINT_RE.match(fp) or LEGACY_FINGERPRINT_RE.match(fp))
        ):
            prob.issues.append(
                _invalid(
                    f"acknowledgedFindings[{j}] needs 'cell', 'code' (one of "
                    f"{', '.join(FINDING_CODES)}) and 'fingerprint' (hmac-sha256: and 64 hex "
                    "digits)"
                )
            )
            continue
        cid = prob.canonical_str(a["cell"])
        if cid is None:
            prob.issues.append(
                _invalid(f"acknowledgedFindings[{j}]: no such cell {a['cell']!r} in the package")
            )
            continue
        out.append(
            Acknowledgement(
                cid,
                a["code"],
                fp,
                str(a.get("reason", "")),
                str(a.get("by", "")),
                str(a.get("date", "")),
                tuple(str(x) for x in a.get("relations") or ()),
                str(a.get("edition") or ""),
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def audit_package(
    pkg: PackageData,
    *,
    mip: bool = False,
    progress: Progress | None = None,
    public: bool = False,
    shortest: bool = True,
    verify_fingerprints: bool | None = None,
    targets: Collection[str] | None = None,
) -> PackageAudit:
    """Audit a read package (see the module docstring).

    Args:
        pkg: the package as read by :func:`opendata_mh.validate.read_package`.
        mip: solve the integer attacker problem exactly (HiGHS MIP) instead of the LP
            relaxation rounded inwards; slower, at least as strong.
        progress: called with a short description of each stage (for a progress display).
        public: issue messages for public output (``check``, CI logs): no interval of any
            audited cell and no fingerprint (which encodes the interval) in any message; the
            cells of the result keep their intervals.
        verify_fingerprints: match acknowledgements by their keyed fingerprint (default: when
            ``OPENDATA_MH_ACK_KEY`` is set); otherwise by cell and code only, with an info note
            (``audit.acknowledgements-unverified``). ``False`` is what ``--rekey`` uses.
        shortest: the pinning relations of a narrowed cell are an irreducible set found by
            a deletion filter over every relation of its component, longest first, so that a
            figure stated outright wins (most of the audit's LPs: ``opendata-mh audit``);
            ``False`` filters only the relations the optimal LP's duals name (a few LPs per
            cell; still irreducible, possibly longer: ``check``).
        targets: audit only these cells (ids as in ``pinned_by``'s cells), in the components
            of the relations that hold them; the editions of superseded printings are left
            out. The result holds only them (the narrative check looks again at the cells a
            draft gives away, :mod:`opendata_mh.text.verification`).

    Returns:
        :class:`PackageAudit` with every non-exact table cell, and the issues.

    Raises:
        opendata_mh.sdc.SDCError: only on an internal inconsistency (duplicate ids).
    """
    say = progress or (lambda _s: None)
    try:
        keyed = ack_key() is not None if verify_fingerprints is None else verify_fingerprints
    except AckKeyError as exc:
        raise OpendataMhError(str(exc)) from None

    def mk(cell: str, code: str, fp: str | None) -> tuple[str, str, str]:
        """What an acknowledgement is matched by: cell, code and (keyed) the fingerprint."""
        return (cell, code, (fp or "") if keyed else "")

    say("building the attacker's problem")
    prob = _Problem(pkg)
    rows, excluded, n_rel, groups = _relations(prob)
    acks = _acknowledgements(prob)
    earlier_acks = [a for a in acks if a.edition]  # about a superseded printing
    acks = [a for a in acks if not a.edition]
    variables = [_cell(v) for v in prob.vars.values()]
    say(f"solving: {len(variables)} variables, {len(rows)} linear rows")
    rep = sdc.audit(variables, rows, mip=mip, shortest=shortest, targets=targets)
    by_id = rep.by_id
    # a conflict shields nothing: every consistent subset of a known discrepancy's relations
    say("auditing the consistent subsets of the known discrepancies")
    subsets = sdc.audit_consistent_subsets(
        variables,
        rows,
        {e.discrepancy: e.rows for e in excluded if e.rows},
        targets=[
            c.id
            for c in variables
            if c.protection == "apriori" and (targets is None or c.id in targets)
        ],
        shortest=shortest,
    )
    via: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}
    for vid, (sub, res) in sdc.worst_subset_results(subsets).items():
        base = by_id.get(vid)
        if base is None or base.status != "ok" or base.exact:
            continue
        if res.exact or (
            res.narrowed and (not base.narrowed or res.upper - res.lower < base.upper - base.lower)
        ):
            by_id[vid] = res
            via[vid] = (sub.conflict, sub.dropped, sub.kept)
    rv = _revision_problem(prob) if targets is None else None
    revisions: list[RevisionDisclosure] = []
    if rv is not None:
        say("auditing the editions together (superseded printings)")
        revisions = _revision_disclosures(prob, rv, rows, by_id, mip=mip)
    issues: list[Issue] = list(prob.issues)
    earlier_stale: list[Acknowledgement] = []
    if rv is None and earlier_acks and targets is None:  # no superseded printing to match
        issues += _earlier_acknowledgements(
            earlier_acks, _Revisions({}, [], [], {}, {}, [], "monotone"), keyed, earlier_stale
        )
    if rv is not None:
        issues += rv.issues
        issues += [_revision_issue(f, rv.model, public) for f in revisions]
        issues += _earlier_acknowledgements(earlier_acks, rv, keyed, earlier_stale)
        if rv.contradicted:
            shown = ", ".join(x.removeprefix("revision:") for x in rv.contradicted[:3])
            more = f" and {len(rv.contradicted) - 3} more" if len(rv.contradicted) > 3 else ""
            issues.append(
                Issue(
                    "audit.revision-contradicted",
                    "info",
                    f"{len(rv.contradicted)} revised printing(s) contradict the {rv.model} "
                    "revision model (a later printing outside what the model allows from the "
                    "earlier one, e.g. a count that went down): the model is left out for them, "
                    f"as a reader would: {shown}{more}",
                    SUPERSEDED,
                )
            )
    for e in excluded:
        issues.append(
            Issue(
                "audit.relations-excluded",
                "info",
                f"known discrepancy {e.discrepancy}: relations {', '.join(e.relations)} left "
                "out of the audit (the report contradicts itself there)",
            )
        )
    infeasible = []
    for inf in rep.infeasible:
        s = InfeasibleSet(tuple(inf.sources), tuple(inf.cells))
        infeasible.append(s)
        first = next((prob.vars[c] for c in s.cells if prob.vars[c].resource), None)
        issues.append(
            Issue(
                "audit.infeasible",
                "error",
                "the published figures cannot all hold; irreducible set of relations: "
                f"{', '.join(s.relations)} (cells {', '.join(s.cells[:8])}"
                f"{', ...' if len(s.cells) > 8 else ''}); record it in discrepancies.toml "
                "if it is a discrepancy of the report",
                first.resource if first else None,
                first.row if first else None,
                "value" if first else None,
            )
        )
    ack_by = {mk(a.cell, a.code, a.fingerprint): a for a in acks}
    if acks and not keyed:
        issues.append(
            Issue(
                "audit.acknowledgements-unverified",
                "info",
                f"{ACK_KEY_ENV} is not set: {len(acks)} acknowledgement(s) matched by cell and "
                "code only; their keyed fingerprints were not verified (a finding narrower than "
                "acknowledged is only detected with the key)",
            )
        )
    acks_of: dict[str, list[Acknowledgement]] = {}
    for a in acks:
        acks_of.setdefault(a.cell, []).append(a)
    used: set[tuple[str, str, str]] = set()
    cells: list[CellAudit] = []
    groups_out: list[GroupDisclosure] = []
    for vid in prob.order:
        var = prob.vars[vid]
        r = by_id.get(vid)
        if r is None:  # published exactly
            continue
        assert var.resource is not None and var.row is not None
        ap = (_int(r.a_priori[0]) or 0, _int(r.a_priori[1]))
        if r.status == "infeasible":
            status: Status = "infeasible"
            iv: tuple[int | None, int | None] = (None, None)
        else:
            iv = (_int(r.lower), _int(r.upper))
            status = "exact" if r.exact else "narrowed" if r.narrowed else "protected"
        ca = CellAudit(
            vid,
            var.resource,
            var.row,
            var.printed,
            var.cell_type,
            ap,
            iv,
            status,
            tuple(r.pinned_by),
            var.masked,
            conflict=via.get(vid),
        )
        code, fp = ca.finding_code, ca.fingerprint
        if code is not None and fp is not None:
            key = mk(vid, code, fp)
            ack = ack_by.get(key)
            within = False
            if ack is None and iv[0] is not None and iv[1] is not None:
                for a in acks_of.get(vid, ()):
                    aiv = _acknowledged_interval(a, ap)
                    if aiv is not None and iv[0] <= aiv[0] and aiv[1] <= iv[1]:
                        ack, key, within = a, mk(a.cell, a.code, a.fingerprint), True
                        break
            if ack is not None:
                used.add(key)
                ca = CellAudit(
                    **{**ca.__dict__, "acknowledged": ack, "within_acknowledged": within}
                )
        cells.append(ca)
        issues += _cell_issues(ca, public)
    rel_ids = {
        r.get("id") for r in prob.pkg.descriptor.get("relations") or [] if isinstance(r, dict)
    }
    now_of = {c.cell: c for c in cells}
    lapsed_protected: set[tuple[str, str, str]] = set()
    for a in acks:
        gone = [r for r in a.relations if r not in rel_ids]
        if gone:
            var = prob.vars[a.cell]
            key = mk(a.cell, a.code, a.fingerprint)
            now = now_of.get(a.cell)
            also = ""
            if key not in used and now is not None and now.status == "protected":
                # the historic finding is not visible in this package any more: expected once a
                # later edition left out its relations, so no stale warning
                lapsed_protected.add(key)
                also = "; without them the cell is protected in this package"
            issues.append(
                Issue(
                    "audit.acknowledged-relation-lapsed",
                    "info",
                    f"acknowledgement of {a.code} for {a.cell} names relation(s) "
                    f"{', '.join(gone)} that the package no longer has (a later edition left "
                    "them out); the relations are informational: the acknowledgement holds "
                    f"while cell, code and fingerprint match{also}",
                    var.resource,
                    var.row,
                    "value",
                )
            )
    group_found = _group_disclosures(prob, groups, by_id)
    for g in group_found:
        key = mk(g.total, g.code, g.fingerprint)
        ack = ack_by.get(key)
        if ack is not None:
            used.add(key)
            g = GroupDisclosure(**{**g.__dict__, "acknowledged": ack})
        groups_out.append(g)
        issues.append(_group_issue(g, public))
    stale = tuple(a for k, a in ack_by.items() if k not in used and k not in lapsed_protected)
    for a in stale:
        var = prob.vars[a.cell]
        now = now_of.get(a.cell)
        # no interval here: neither the acknowledged one (it is only a fingerprint) nor the
        # current one (an unacknowledged finding's own error message shows it)
        if now is None:
            state = "the cell is now published exactly"
        elif now.finding_code:
            state = f"the cell is now an {now.finding_code} with another interval or code"
        else:
            state = f"the cell is now {now.status}"
        issues.append(
            Issue(
                "audit.stale-acknowledgement",
                "warning",
                f"acknowledgement of {a.code} for {a.cell} matches no finding ({state}); remove "
                "it from metadata/acknowledged_findings.toml, or replace its fingerprint with "
                "the one 'opendata-mh audit' prints for the current finding"
                + (
                    f" (if every acknowledgement is stale, {ACK_KEY_ENV} is probably not the "
                    "key the fingerprints were made with)"
                    if keyed
                    else ""
                ),
                var.resource,
                var.row,
                "value",
            )
        )
    stale += tuple(earlier_stale)  # their issues name the edition (above)
    stats = {
        "relations": n_rel,
        "variables": len(variables),
        "linear_rows": len(rows),
        "components": int(rep.stats.get("components", 0)),
        "lps": int(rep.stats.get("lps", 0)),
        "mip": mip,
    }
    say("done")
    return PackageAudit(
        tuple(cells),
        tuple(infeasible),
        tuple(excluded),
        tuple(acks),
        stale,
        issues,
        stats,
        tuple(groups_out),
        tuple(revisions),
        rv,
        tuple(earlier_acks),
    )


def _dims(vid: str) -> dict[str, str]:
    return dict(p.split("=", 1) for p in vid.split("/")[1:] if "=" in p)


def _group_disclosures(
    prob: _Problem, groups: Iterable[Group], by_id: Mapping[str, sdc.AuditResult]
) -> list[GroupDisclosure]:
    """Small totals whose breakdown puts every member in one category (one finding per total,
    the first relation that shows it). A breakdown over periods only (all members registered in
    one year) tells nothing about a person and is not a finding."""
    thresholds = {
        str(r.get("name")): int((r.get("sdc") or {}).get("threshold") or 5)
        for r in prob.pkg.descriptor.get("resources", [])
        if isinstance(r, dict)
    }
    out: dict[str, GroupDisclosure] = {}
    for rid, total, parts in groups:
        tv = prob.vars.get(total)
        if total in out or tv is None or tv.resource is None or tv.row is None:
            continue
        if tv.resource == "text_figures":
            continue
        n = thresholds.get(tv.resource, 5)
        r = by_id.get(total)
        if r is not None and r.status != "ok":
            continue
        lo, hi = (tv.lower, tv.upper) if r is None else (r.lower, r.upper)
        if not (lo >= 1 and hi <= n - 1):
            continue
        pv = [prob.vars.get(p) for p in parts]
        if any(v is None for v in pv):
            continue
        # a part is 0 when printed 0 or pinned there (an x that may be 0, sdc.groupProtection
        # "breakdown", whose audit interval is [0, 0])
        zero = [
            p
            for p, v in zip(parts, pv, strict=True)
            if v
            and (
                v.lower == v.upper == 0
                or (p in by_id and by_id[p].status == "ok" and by_id[p].upper < 0.5)
            )
        ]
        rest = [p for p in parts if p not in zero]
        if len(rest) != 1 or not zero:
            continue
        td = _dims(total)
        differ = {k for p in parts for k, v in _dims(p).items() if td.get(k) != v}
        if differ <= {"period"}:
            continue
        out[total] = GroupDisclosure(
            total, rest[0], rid, tv.resource, tv.row, tv.printed, (int(lo), int(hi))
        )
    return list(out.values())


def _group_issue(g: GroupDisclosure, public: bool) -> Issue:
    where = (g.resource, g.row, "value")
    what = (
        f"{g.code}: {g.total} (printed {g.printed}) is a small group whose breakdown "
        f"{g.relation} puts every member in {g.category} (its other parts are 0)"
    )
    if g.acknowledged is not None:
        a = g.acknowledged
        return Issue(
            "audit.acknowledged",
            "info",
            f"{what}: acknowledged on {a.date} by {a.by} (reason in acknowledgedFindings)",
            *where,
        )
    tail = (
        "; run 'opendata-mh audit' locally for the fingerprint to acknowledge it with"
        if public
        else f"; fingerprint to acknowledge it: {_fp_text(g.fingerprint)}"
    )
    return Issue(g.code, "error", what[len(g.code) + 2 :] + tail, *where)


def _cell_issues(c: CellAudit, public: bool = False) -> list[Issue]:
    pins = ", ".join(c.pinned_by) or "(no single relation)"
    if c.conflict is not None:
        d, out, kept = c.conflict
        pins += (
            f" (the consistent subset of known discrepancy {d} that leaves out "
            f"{', '.join(out) or 'nothing'}"
            + (f" and keeps {', '.join(kept)}" if kept else "")
            + ")"
        )
    where = (c.resource, c.row, "value")
    if c.status == "infeasible":
        return []  # reported once per infeasible set
    code = c.finding_code
    if code is None:
        if c.status in ("exact", "narrowed") and public:
            # no interval: a narrowed unresolved cell (candidates <5 / 0 -> [0, 1]) or a
            # narrowed rounded/range cell can give a masked value away in public CI logs
            return [
                Issue(
                    "audit.interval-narrowed",
                    "info",
                    f"{c.cell} (printed {c.printed or '?'}, {c.cell_type}) is narrowed by "
                    f"{pins} (the interval: 'opendata-mh audit')",
                    *where,
                )
            ]
        if c.status in ("exact", "narrowed"):
            return [
                Issue(
                    "audit.interval-narrowed",
                    "info",
                    f"{c.cell} (printed {c.printed or '?'}, {c.cell_type} {_iv(c.a_priori)}) "
                    f"is {c.interval_text()} by {pins}",
                    *where,
                )
            ]
        return []
    if c.acknowledged is not None:
        # no interval: check prints this in public CI logs
        a = c.acknowledged
        what = "exact disclosure" if c.status == "exact" else "narrowing"
        if c.within_acknowledged:
            what = (
                f"{what} that gives away no more than the acknowledged {a.code} (its interval "
                "contains the acknowledged one)"
            )
        return [
            Issue(
                "audit.acknowledged",
                "info",
                f"{code}: {c.cell} (printed {c.printed}): acknowledged {what}, pinned by {pins}; "
                f"acknowledged on {a.date} by {a.by} (reason in acknowledgedFindings)",
                *where,
            )
        ]
    what = "disclosed exactly" if c.status == "exact" else "narrowed"
    if public:
        msg = (
            f"{c.cell} (printed {c.printed}) is {what}, pinned by {pins}; run 'opendata-mh "
            "audit' locally for the interval and the fingerprint to acknowledge it with (not "
            "printed here: check output is public)"
        )
        return [Issue(code, "error", msg, *where)]
    msg = (
        f"{c.cell} (printed {c.printed}, a priori {_iv(c.a_priori)}) is {what}: "
        f"{c.interval_text()}, pinned by {pins}; fingerprint to acknowledge it: "
        f"{_fp_text(c.fingerprint)}"
    )
    return [Issue(code, "error", msg, *where)]


def _fp_text(fp: str | None) -> str:
    return fp or f"(set {ACK_KEY_ENV} to compute it)"


def _acknowledged_interval(
    a: Acknowledgement, a_priori: tuple[int, int | None]
) -> tuple[int, int] | None:
    """The interval whose fingerprint ``a`` carries, found by trying every interval within the
    cell's a-priori bounds (at most ~5,000 for a span of 100), or None (unbounded, not found)."""
    lo0, hi0 = a_priori
    if hi0 is None or hi0 - lo0 > 100:
        return None
    for lo in range(lo0, hi0 + 1):
        for up in range(lo, hi0 + 1):
            if finding_fingerprint(a.cell, a.code, (lo, up)) == a.fingerprint:
                return (lo, up)
    return None


def audit_path(
    path: str | Path = "datapackage",
    *,
    mip: bool = False,
    progress: Progress | None = None,
    verify_fingerprints: bool | None = None,
) -> PackageAudit:
    """Read the package at ``path`` (directory or ``datapackage.json``) and audit it.

    Raises :class:`~opendata_mh.errors.PackageError` when the package cannot be read, and its
    subclass :class:`~opendata_mh.errors.BrokenFileError` when a file of it is broken.
    """
    from opendata_mh.csvfile import BROKEN

    pkg = read_package(path)
    broken = [i for i in pkg.file_issues if i.code in BROKEN]
    if broken:  # the audit over the rows that could be read would only report their absence
        where = "; ".join(
            f"{(pkg.resource(i.resource or '') or {}).get('path', i.resource)}: "
            f"{i.code}: {i.message}"
            for i in broken
        )
        raise BrokenFileError(
            f"cannot audit {pkg.base_path}: {len(broken)} broken file(s): {where}. "
            "Fix them ('opendata-mh check' lists every finding) and run the audit again."
        )
    return audit_package(pkg, mip=mip, progress=progress, verify_fingerprints=verify_fingerprints)


def audit_check(pkg: PackageData) -> Iterable[Issue]:
    """The audit as an extra check of ``validate.check(path, extra_checks=[audit_check])``,
    with public messages (no interval, no fingerprint; see :func:`audit_package`). The pinning
    relations come from the LP duals (``shortest=False``): the search for the shortest
    explanation is most of the audit's LPs and is left to ``opendata-mh audit``."""
    return audit_package(pkg, public=True, shortest=False).issues


__all__ = [
    "FINDING_CODES",
    "ISSUE_CODES",
    "Acknowledgement",
    "CellAudit",
    "ExcludedDiscrepancy",
    "InfeasibleSet",
    "PackageAudit",
    "audit_check",
    "audit_package",
    "audit_path",
    "earlier_finding",
    "published_problem",
]


def feasibility_intervals(pkg: PackageData, *, mip: bool = False) -> dict[str, tuple[float, float]]:
    """The feasibility interval of every variable that the package does not publish exactly:
    table cells, latent totals (``@name/...``) and text figures, keyed by their canonical id.

    The same attacker's problem as :func:`audit_package` (relations of known discrepancies left
    out); a variable of an infeasible component is left out. Used by the narrative check
    (:mod:`opendata_mh.text`) to give latent totals ("868 slachtoffers") and masked cells the
    interval the tables imply.
    """
    prob = _Problem(pkg)
    rows, _excluded, _n, _groups = _relations(prob)
    rep = sdc.audit([_cell(v) for v in prob.vars.values()], rows, mip=mip, explain=False)
    return {r.cell_id: (r.lower, r.upper) for r in rep.results if r.status != "infeasible"}


def published_problem(
    pkg: PackageData, prefix: str = ""
) -> tuple[list[sdc.Cell], list[sdc.LinearRelation]]:
    """What a published package gives the attacker, as cells and linear rows for
    :func:`opendata_mh.sdc.protect_revision` (a new edition protected jointly with it): every
    variable of :func:`audit_package` with its a-priori interval, except that a masked cell
    the package already gives away (exact or narrowed, acknowledged or not, plainly or through
    a consistent subset of a known discrepancy) is its audit interval, known and no longer a
    protected target (the new edition cannot take back what was published). Relations of
    known discrepancies are left out, as in the plain audit. Ids get ``prefix``.

    A package with later editions gives the attacker every earlier printing too (``superseded``,
    ``edition-<E>:<cell>``; a ``<5`` printing is a protected target, one the editions combined
    already give away its interval), the relations that held among them and the revision
    model's rows between consecutive printings (:func:`_revision_problem`; rows a printing
    contradicts left out, as the audit does): a new edition protected jointly with this package
    is protected against every earlier printing, not only the latest."""
    prob = _Problem(pkg)
    rows, _excluded, _n, _groups = _relations(prob)
    pa = audit_package(pkg, public=True, shortest=False)
    found = {c.cell: c.interval for c in pa.cells if c.target and c.status in ("exact", "narrowed")}
    for f in pa.revisions:  # what the editions combined give away is known too
        found[f"edition-{f.edition}:{f.cell}" if f.resource == SUPERSEDED else f.cell] = f.interval
    variables = list(prob.vars.values())
    rv = pa.editions
    if rv is not None and rv.variables:
        found.update(rv.given_away)
        # every earlier printing, its edition's relations and the model between printings
        variables += list(rv.variables.values())
        rows = [*rows, *rv.rows]
        rev = list(rv.revision_rows)
        known = [_cell(v) for v in variables]
        if rev and sdc.feasible_values(known, [*rows, *rev]) is None:
            gone = sdc.contradicted_rows(known, rows, rev)
            rev = [r for r in rev if r.source not in gone]
        rows += rev
    cells: list[sdc.Cell] = []
    for v in variables:
        c = _cell(v)
        iv = found.get(v.id)
        if iv is not None and iv[0] is not None:
            lo, up = float(iv[0]), math.inf if iv[1] is None else float(iv[1])
            c = (
                sdc.Cell.exact(v.id, lo)
                if lo == up
                else sdc.Cell(v.id, lo, up, "suppressed", "none")
            )
        cells.append(sdc.Cell(prefix + c.id, c.lower, c.upper, c.kind, c.protection))
    out = [
        sdc.LinearRelation(
            prefix + r.id,
            r.kind,
            {prefix + str(k): a for k, a in r.coeffs.items()},
            r.rhs,
            prefix + r.source,
        )
        for r in rows
    ]
    return cells, out


# --------------------------------------------------------------------------------------------
# Editions combined: the superseded printings, their relations and the revision model
# --------------------------------------------------------------------------------------------

REVISION_CODE = "audit.revision-disclosure"


@dataclass(frozen=True)
class RevisionDisclosure:
    """A masked cell that a reader holding several editions narrows beyond what each edition
    gives away alone (the package's ``superseded`` printings, ``supersededRelations`` and
    ``revisionModel``).

    Attributes:
        cell: canonical reference of the table cell.
        edition: the edition whose printing is narrowed (the table's row, or a row of
            ``superseded``).
        editions: every edition the narrowing combines (``edition`` included), in order.
        resource, row: where that printing is (``superseded`` and its row for an earlier one).
        printed: the printed symbol.
        alone: the interval of that printing from its own edition alone.
        interval: the interval with the editions combined.
        pinned_by: the relations that prove it (``<id>@edition-<E>`` for an earlier edition's
            relation, ``revision:...`` for the revision model's rows).
    """

    cell: str
    edition: str
    editions: tuple[str, ...]
    resource: str
    row: int
    printed: str
    alone: tuple[int, int | None]
    interval: tuple[int, int | None]
    pinned_by: tuple[str, ...] = ()

    code = REVISION_CODE

    @property
    def exact(self) -> bool:
        return self.interval[0] == self.interval[1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "cell": self.cell,
            "edition": self.edition,
            "editions": list(self.editions),
            "resource": self.resource,
            "row": self.row,
            "printed": self.printed,
            "code": self.code,
            "alone": list(self.alone),
            "interval": list(self.interval),
            "status": "exact" if self.exact else "narrowed",
            "pinned_by": list(self.pinned_by),
        }


def _edition_of(label: str | None) -> str:
    return (label or "").removeprefix("edition-")


def _ed_key(e: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in e.split("."))
    except ValueError:
        return (0,)


class _EditionView(PackageRelations):
    """The package's references as one earlier edition read them: a table cell is that
    edition's printing of it (a row of ``superseded`` if a later edition replaced it), a
    latent quantity that edition's own unknown, a figure of the prose the same figure."""

    def __init__(
        self,
        base: PackageRelations,
        edition: str,
        printing: Callable[[str, str], str | None],
        extra: dict[str, Variable],
    ) -> None:
        super().__init__(base.pkg, key_fields=base.key_fields, index=base.index)
        self.base, self.edition, self.printing, self.extra = base, edition, printing, extra

    def variable_id(self, ref: CellRef) -> str | None:
        if ref.kind == "latent":
            lid = f"edition-{self.edition}:{ref}"
            self.extra.setdefault(lid, Variable(lid, "latent", 0.0, math.inf))
            return lid
        vid = self.base.variable_id(ref)
        if vid is None or ref.kind != "cell":
            return vid
        return self.printing(vid, self.edition)


@dataclass
class _Revisions:
    """The editions' part of the attacker's problem."""

    variables: dict[str, Variable]  # printings of earlier editions and their latents
    rows: list[sdc.LinearRelation]  # earlier editions' relations
    revision_rows: list[sdc.LinearRelation]
    edition_of: dict[str, str]  # variable -> edition of its printing (table cells, printings)
    cell_of: dict[str, str]  # printing variable -> canonical cell
    issues: list[Issue]
    model: str
    chains: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    contradicted: list[str] = field(default_factory=list)  # revision rows' sources left out
    given_away: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    """Earlier printings their own edition alone narrows (historic findings): the interval."""

    def printing(self, cid: str, e: str) -> str | None:
        """The variable of edition ``e``'s printing of cell ``cid`` (None: not printed)."""
        ch = self.chains.get(cid)
        if ch is None:
            return cid if _ed_key(self.edition_of.get(cid, "")) <= _ed_key(e) else None
        seen = [vid for ed, vid in ch if _ed_key(ed) <= _ed_key(e)]
        return seen[-1] if seen else None

    def visible(self, x: str, e: str) -> bool:
        """Whether a reader of edition ``e`` alone had variable ``x``: its printing of a cell,
        its own latent quantities, the current ones and the figures of the prose."""
        if x in self.cell_of:  # an earlier printing
            return self.printing(self.cell_of[x], e) == x
        if x in self.edition_of:  # a table cell as the package prints it now
            return self.printing(x, e) == x
        if x.startswith("edition-"):  # an earlier edition's latent quantity
            return x.split(":", 1)[0] == f"edition-{e}"
        return True


def _revision_problem(prob: _Problem) -> _Revisions | None:
    """The superseded printings as variables, the relations of the editions that printed them
    and the revision model's rows between consecutive printings of a cell (None when the
    package has no superseded printing)."""
    pkg, pr = prob.pkg, prob.pr
    data = pkg.rows.get(SUPERSEDED) or []
    if not data:
        return None
    desc = pkg.descriptor
    rm = desc.get(REVISION_MODEL) or {"model": "monotone", "min_change": 0, "max_change": None}
    issues: list[Issue] = []
    lo, hi = rm.get("min_change"), rm.get("max_change")
    if rm.get("model") not in REVISION_MODELS or not all(
        x is None or isinstance(x, int | float) for x in (lo, hi)
    ):
        issues.append(_invalid(f"{REVISION_MODEL} must name a model of {list(REVISION_MODELS)}"))
        lo, hi = 0, None
    edition_of: dict[str, str] = {}
    for vid, v in prob.vars.items():
        if v.kind == "cell" and v.resource is not None and v.row is not None:
            edition_of[vid] = _edition_of(pkg.rows[v.resource][v.row - 1].get("edition"))
    variables: dict[str, Variable] = {}
    cell_of: dict[str, str] = {}
    chains: dict[str, list[tuple[str, str]]] = {}  # cell -> [(edition, variable)]
    for i, row in enumerate(data, 1):
        res = row.get("resource", "")
        kf = pr.key_fields.get(res)
        cid = None if kf is None else res + "".join(f"/{k}={row.get(k, '')}" for k in kf)
        e = _edition_of(row.get("edition"))
        if cid is None or cid not in prob.vars or not e:
            issues.append(
                _invalid(
                    f"{SUPERSEDED} row {i}: no such cell in the package ({res}) or no edition",
                    SUPERSEDED,
                    i,
                )
            )
            continue
        vid = f"edition-{e}:{cid}"
        v = _cell_variable(vid, SUPERSEDED, i, row)
        variables[vid] = v
        edition_of[vid] = e
        cell_of[vid] = cid
        chains.setdefault(cid, []).append((e, vid))
    model = str(rm.get("model"))
    if not variables:
        return _Revisions({}, [], [], edition_of, cell_of, issues, model)
    for cid, ch in chains.items():
        ch.append((edition_of.get(cid, ""), cid))
        ch.sort(key=lambda x: _ed_key(x[0]))
    rv = _Revisions(variables, [], [], edition_of, cell_of, issues, model, chains)
    printing = rv.printing

    rows: list[sdc.LinearRelation] = []
    by_edition: dict[str, list[tuple[int, Any]]] = {}
    for j, r in enumerate(desc.get(SUPERSEDED_RELATIONS) or [], 1):
        e = str(r.get("edition", "")) if isinstance(r, dict) else ""
        by_edition.setdefault(e, []).append((j, r))
    for e, entries in by_edition.items():
        view = _EditionView(pr, e, printing, variables)
        for j, r in entries:
            rel = _relation(view, j, r)
            if isinstance(rel, RelationProblem):
                issues.append(_invalid(f"{SUPERSEDED_RELATIONS}[{j}]: {rel.message}"))
            else:
                view.relations.append(rel)
        out: set[str] = set()
        for k in desc.get("knownDiscrepancies") or []:
            if isinstance(k, dict):
                out |= set(_discrepancy(view, k).members)
        for rel in view.relations:
            if rel.id in out:
                continue
            src = f"{rel.id}@edition-{e}"
            rows += [
                sdc.LinearRelation(f"{src}#{n}", x.kind, dict(x.coeffs), x.rhs, src)
                for n, x in enumerate(_lp_rows(rel))
            ]
    rv.rows = rows
    if model != "none":
        pairs = [(a[1], b[1]) for ch in chains.values() for a, b in itertools.pairwise(ch)]
        rv.revision_rows = sdc.revision_relations(pairs, min_change=lo, max_change=hi)
    return rv


def _revision_disclosures(
    prob: _Problem,
    rv: _Revisions,
    cur_rows: list[sdc.LinearRelation],
    by_id: Mapping[str, sdc.AuditResult],
    *,
    mip: bool,
) -> list[RevisionDisclosure]:
    """Masked printings (of the current tables and of ``superseded``) that the editions
    combined narrow beyond what each printing's own edition gives away (module docstring)."""
    if not rv.variables:
        return []
    cells = [_cell(v) for v in prob.vars.values()] + [_cell(v) for v in rv.variables.values()]
    fixed = {c.id for c in cells if c.fixed}
    joint_rows = [*cur_rows, *rv.rows, *rv.revision_rows]
    # only the part of the problem the earlier editions meet (the rest is the plain audit)
    keep = _linked(joint_rows, set(rv.variables), fixed)
    sub_rows = [r for i, r in enumerate(joint_rows) if i in keep]
    used = {x for r in sub_rows for x in r.coeffs}
    sub_cells = [c for c in cells if c.id in used]
    if rv.revision_rows and sdc.feasible_values(sub_cells, sub_rows) is None:
        # a printing the model does not allow (it went down under 'monotone'): a reader sees
        # it and leaves the model out for that cell (the fewest such cells: an elastic LP)
        rev_ids = {r.id for r in rv.revision_rows}
        gone = sdc.contradicted_rows(
            sub_cells,
            [r for r in sub_rows if r.id not in rev_ids],
            [r for r in sub_rows if r.id in rev_ids],
        )
        rv.contradicted = sorted(gone)
        sub_rows = [r for r in sub_rows if r.source not in gone]
    allv = {**prob.vars, **rv.variables}
    thresholds = {
        str(r.get("name")): int((r.get("sdc") or {}).get("threshold") or 5)
        for r in prob.pkg.descriptor.get("resources", [])
        if isinstance(r, dict)
    }

    def small_x(vid: str) -> int | None:
        """The threshold of a cell printed ``x`` (None for any other): an ``x`` may be a
        small count (an upgraded primary), so a reader must not learn that it is below n."""
        v = allv.get(vid)
        if v is None or v.kind != "cell" or v.cell_type != "secondary":
            return None
        return thresholds.get(rv.cell_of.get(vid, vid).split("/", 1)[0], 5)

    def leaked(r: sdc.AuditResult, a: tuple[float, float]) -> bool:
        n = small_x(r.cell_id)
        if n is not None:
            return r.upper < n <= a[1]
        return r.lower > a[0] + 1e-6 or r.upper < a[1] - 1e-6

    targets = [c.id for c in sub_cells if c.protection == "apriori" or small_x(c.id)]
    if not targets:
        return []
    rep = sdc.audit(sub_cells, sub_rows, targets=targets, mip=mip, shortest=False)
    narrowed = [
        r
        for r in rep.results
        if r.status == "ok" and (r.exact or r.narrowed) and r.cell_id in targets
    ]
    if not narrowed:
        return []
    # each printing's own edition alone: the current tables' plain audit; an earlier edition:
    # its relations and the current relations among figures it printed, no revision rows
    alone: dict[str, tuple[float, float]] = {}
    for r in narrowed:
        if r.cell_id in prob.vars:
            b = by_id.get(r.cell_id)
            alone[r.cell_id] = (b.lower, b.upper) if b is not None else r.a_priori
    earlier = sorted({rv.edition_of[r.cell_id] for r in narrowed if r.cell_id in rv.variables})
    for e in earlier:

        def held(row: sdc.LinearRelation, e: str = e) -> bool:
            return all(rv.visible(x, e) for x in row.coeffs)

        e_rows = [r for r in cur_rows if held(r)] + [r for r in rv.rows if held(r)]
        mine = [
            r.cell_id
            for r in narrowed
            if rv.edition_of.get(r.cell_id) == e and r.cell_id in rv.variables
        ]
        e_used = {x for r in e_rows for x in r.coeffs} | set(mine)
        e_rep = sdc.audit(
            [c for c in cells if c.id in e_used], e_rows, targets=mine, mip=mip, explain=False
        )
        for x in e_rep.results:
            if x.cell_id in set(mine):
                alone[x.cell_id] = (x.lower, x.upper) if x.status == "ok" else x.a_priori
                if x.status == "ok" and (x.exact or x.narrowed):
                    # its own edition gave it away (a historic finding): known to a reader
                    rv.given_away[x.cell_id] = (_int(x.lower) or 0, _int(x.upper))
    out: list[RevisionDisclosure] = []
    for r in narrowed:
        a = alone.get(r.cell_id, r.a_priori)
        if not leaked(r, a):
            continue  # no more than the printing's own edition gives away
        var = prob.vars.get(r.cell_id) or rv.variables[r.cell_id]
        cid = rv.cell_of.get(r.cell_id, r.cell_id)
        e = rv.edition_of.get(r.cell_id, "")
        eds = {e}
        for src in r.pinned_by:
            for m in re.finditer(r"edition-([0-9.]+)", src):
                eds.add(m.group(1))
            ends = src.removeprefix("revision:").split("->") if src.startswith("revision:") else []
            for end in ends:
                eds.add(rv.edition_of.get(end, ""))
        if len(eds - {""}) < 2:  # the pinning rows name no other edition: every one printed
            eds |= {rv.edition_of[v] for v, c in rv.cell_of.items() if c == cid}
            eds.add(rv.edition_of.get(cid, ""))
        assert var.resource is not None and var.row is not None
        out.append(
            RevisionDisclosure(
                cid,
                e,
                tuple(sorted(eds - {""}, key=_ed_key)),
                var.resource,
                var.row,
                var.printed,
                (_int(a[0]) or 0, _int(a[1])),
                (_int(r.lower) or 0, _int(r.upper)),
                tuple(r.pinned_by),
            )
        )
    return out


def _linked(rows: Sequence[sdc.LinearRelation], seeds: set[str], fixed: set[str]) -> set[int]:
    """Indices of the rows connected to ``seeds`` through variables not known exactly."""
    of: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        for x in r.coeffs:
            if x not in fixed:
                of.setdefault(x, []).append(i)
    seen, todo, used = set(seeds), list(seeds), set()
    while todo:
        x = todo.pop()
        for i in of.get(x, ()):
            if i in used:
                continue
            used.add(i)
            for y in rows[i].coeffs:
                if y not in seen and y not in fixed:
                    seen.add(y)
                    todo.append(y)
    return used


def earlier_finding(
    a: Acknowledgement, rv: _Revisions | None
) -> tuple[str, tuple[int, int]] | None:
    """The finding (code, interval) that edition ``a.edition`` alone gives away about its own
    printing of ``a.cell`` (:attr:`_Revisions.given_away`), or None (protected there, or no
    such printing). What an acknowledgement with ``edition`` is matched against (and re-keyed
    from, :func:`opendata_mh.acknowledge.rekey`)."""
    if rv is None or not a.edition:
        return None
    iv = rv.given_away.get(f"edition-{a.edition}:{a.cell}")
    if iv is None or iv[1] is None:
        return None
    return (FINDING_CODES[0] if iv[0] == iv[1] else FINDING_CODES[1]), (iv[0], iv[1])


def _earlier_acknowledgements(
    acks: Sequence[Acknowledgement], rv: _Revisions, keyed: bool, stale: list[Acknowledgement]
) -> list[Issue]:
    """Acknowledged historic findings of printings a later edition replaced: matched against
    what that edition alone gives away (:attr:`_Revisions.given_away`), by cell, code and
    (keyed) the fingerprint; ``audit.acknowledged`` (info) or ``audit.stale-acknowledgement``
    (warning; the acknowledgement is appended to ``stale``). No interval in any message."""
    out: list[Issue] = []
    for a in acks:
        vid = f"edition-{a.edition}:{a.cell}"
        var = rv.variables.get(vid)
        where = (SUPERSEDED, var.row if var else None, "value" if var else None)
        iv = rv.given_away.get(vid)
        found = earlier_finding(a, rv)
        ok = found is not None and found[0] == a.code
        if ok and keyed and found is not None:
            ok = finding_fingerprint(a.cell, *found) == a.fingerprint
        what = f"edition {a.edition}'s printing of {a.cell} ({SUPERSEDED} row {where[1]})"
        if ok:
            out.append(
                Issue(
                    "audit.acknowledged",
                    "info",
                    f"{a.code}: {what}: acknowledged historic finding of that edition (a later "
                    f"edition replaced the printing); acknowledged on {a.date} by {a.by} (reason "
                    "in acknowledgedFindings)",
                    *where,
                )
            )
        else:
            stale.append(a)
            state = "it is protected there" if iv is None else "another interval or code"
            out.append(
                Issue(
                    "audit.stale-acknowledgement",
                    "warning",
                    f"acknowledgement of {a.code} for {what} matches no finding of edition "
                    f"{a.edition} alone ({state}); remove it from "
                    "metadata/acknowledged_findings.toml or update its fingerprint",
                    *where,
                )
            )
    return out


def _revision_issue(f: RevisionDisclosure, model: str, public: bool) -> Issue:
    what = "disclosed exactly" if f.exact else "narrowed"
    others = [e for e in f.editions if e != f.edition]
    whose = (
        f"edition {f.edition}'s printing of {f.cell} (printed {f.printed}, {SUPERSEDED} row "
        f"{f.row})"
        if f.resource == SUPERSEDED
        else f"{f.cell} (printed {f.printed}, edition {f.edition})"
    )
    msg = (
        f"{whose} is {what} by combining edition {f.edition} with edition(s) "
        f"{', '.join(others) or '?'} under the {model} revision model, pinned by "
        f"{', '.join(f.pinned_by) or '(no single relation)'}"
    )
    if public:
        msg += "; run 'opendata-mh audit' locally for the interval"
    else:
        msg += f": {_iv(f.interval)} (its own edition alone: {_iv(f.alone)})"
    msg += (
        "; protect the new edition jointly with the published ones ('opendata-mh build', "
        "--revision-model as the package states)"
    )
    return Issue(REVISION_CODE, "error", msg, f.resource, f.row, "value")
