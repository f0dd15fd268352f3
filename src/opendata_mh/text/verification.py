"""Verification: each linked figure against the package, and the draft as a whole through the
disclosure audit.

1. **The tables alone**: the package without its own prose (the ``text_figures`` resource, the
   relations that use ``text:`` figures, the share/change relations of the old report, the known
   discrepancies and acknowledgements about them) is audited once with
   :func:`opendata_mh.audit.feasibility_intervals`: every masked cell and latent total gets the
   interval the tables imply (``@victims_sex_unknown/period=2023`` is 868 - 857 = 11).
2. **Each figure** against its first link, with the package's interval rules: a count must lie
   in the linked interval; a printed percentage p is rounded half up ([p - 0.5, p + 0.5)); one
   that holds only when truncated ([p, p + 1), towards zero) is ``text.rounding`` (warning); a
   hedge widens the figure (:mod:`opendata_mh.text.extraction`). A figure outside is
   ``text.contradiction``. A figure that states a masked cell more narrowly than its symbol
   and within it ("een dieptepunt van 2 zaken" for a ``<5``) is ``text.disclosure`` (direct),
   right or wrong alike (:func:`states_masked`): nothing the check says depends on the
   interval the tables imply for a masked cell, so it neither confirms nor denies the value
   (the linker ranks a masked cell by its symbol's range too); such a figure is left out of
   the joint audit.
3. **The draft as a whole**: the draft's figures become ``text_figures`` rows and its links
   relations (identities, differences as additive relations, shares and changes with the
   rounding rows of :func:`opendata_mh.model.share_rows`, sums the text enumerates), and the
   disclosure audit (:func:`opendata_mh.audit.audit_package`, the one LP engine) runs on the
   package with them. A masked cell the tables leave at [1, 4] that the draft narrows is
   ``text.disclosure`` (by arithmetic) on the line of the figure that completes it; a masked
   figure of the draft (``<5``) that the draft's own figures pin likewise. Then the audit
   looks again at those cells without the lines of the certificates found, until no other
   line gives them away: every line that does is flagged. When the draft and
   the tables cannot all hold (the audit's irreducible infeasible sets), the draft's relations
   in each set are ``text.contradiction`` (joint), and the audit runs again without them: every
   consistent subset is audited (:func:`audit_consistent`, the one place to swap in the
   package-wide consistent-subset audit).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from opendata_mh.audit import PackageAudit, audit_package, feasibility_intervals
from opendata_mh.model import SHARE_TYPES
from opendata_mh.report import Issue, PackageData, Severity
from opendata_mh.text.extraction import Extraction, Figure
from opendata_mh.text.linking import (
    AMBIGUOUS_MARGIN,
    MIN_SCORE,
    Context,
    Index,
    Link,
    Quantity,
    TextSum,
    build_index,
    candidates,
    hides_masked,
    names_empty,
    text_sums,
)
from opendata_mh.text.pairing import pair, value_link

Status = Literal[
    "consistent", "contradiction", "rounding", "disclosure", "unlinked", "ambiguous", "unchecked"
]
STATUS_CODE: dict[str, tuple[str, Severity]] = {
    "contradiction": ("text.contradiction", "error"),
    "rounding": ("text.rounding", "warning"),
    "disclosure": ("text.disclosure", "error"),
    "unlinked": ("text.unlinked", "info"),
    "ambiguous": ("text.ambiguous", "info"),
}
MAX_ROUNDS = 6
MAX_CERTIFICATES = 3
"""Audits of the draft for disclosure by arithmetic: the first, then again with the draft
relations of the certificates found set aside (:func:`verify`)."""
STRONG_EVIDENCE = 2.2
JOINT_EVIDENCE = 1.2
CLEAR_EVIDENCE = 1.2
CLEAR_MARGIN = 0.5
"""... or when its words name it this clearly and no other candidate comes close."""
"""A figure that disagrees with its best candidate is a contradiction only when the words name
that candidate this clearly (score without the value bonus); otherwise it is unlinked."""


STATES_A_VALUE = "states a value for "
MAY_STATE_A_VALUE = "may state a value for "
NOT_REPEATED = "(not repeated)"


@dataclass
class FigureCheck:
    """The verdict on one figure."""

    index: int
    figure: Figure
    links: list[Link]
    status: Status
    message: str = ""
    computed: tuple[float, float] | None = None
    joint: list[str] = field(default_factory=list)

    @property
    def link(self) -> Link | None:
        return self.links[0] if self.links else None

    @property
    def names_masked_value(self) -> bool:
        """The figure states the value of a masked cell (a direct disclosure): when the draft
        is right it *is* the masked value, so findings and listings do not repeat it."""
        return self.status == "disclosure" and self.message.startswith(
            (STATES_A_VALUE, MAY_STATE_A_VALUE)
        )

    @property
    def shown(self) -> str:
        """The figure as findings and listings show it (:attr:`names_masked_value`)."""
        return NOT_REPEATED if self.names_masked_value else self.figure.printed


def strip_prose(pkg: PackageData) -> PackageData:
    """The package without the old report's prose: tables, their relations and latents only."""
    d = dict(pkg.descriptor)

    def uses_text(r: Mapping[str, Any]) -> bool:
        refs = [r.get("total"), r.get("figure"), *(r.get("parts") or []), *(r.get("cells") or [])]
        refs += [*(r.get("numerator") or []), *(r.get("denominator") or [])]
        return r.get("type") in SHARE_TYPES or any(str(x).startswith("text:") for x in refs if x)

    # the published totals repeat the old prose or sums of cells (resource totals, relations of
    # origin totals.toml): without the prose they are nothing the tables do not say
    rels = [
        r
        for r in d.get("relations") or []
        if isinstance(r, dict) and not uses_text(r) and r.get("origin") != "totals.toml"
    ]
    ids = {r.get("id") for r in rels}
    d["relations"] = rels
    d["resources"] = [r for r in d.get("resources") or [] if r.get("name") != "totals"]
    d["knownDiscrepancies"] = [
        k
        for k in d.get("knownDiscrepancies") or []
        if isinstance(k, dict)
        and all(
            x in ids or not str(x).startswith(("text", "share.", "change."))
            for x in k.get("relations") or []
        )
    ]
    d["acknowledgedFindings"] = [
        a
        for a in d.get("acknowledgedFindings") or []
        if isinstance(a, dict) and not str(a.get("cell", "")).startswith("text:")
    ]
    rows = {k: v for k, v in pkg.rows.items() if k != "totals"}
    rows["text_figures"] = []
    return PackageData(pkg.base_path, d, rows)


def _percent_ok(f: Figure, iv: tuple[float, float]) -> Literal["ok", "truncated", "no"]:
    lo, hi = iv
    if math.isnan(lo):
        return "no"
    if _meets(f.lower, f.upper, f.lower_open, f.upper_open, lo, hi):
        return "ok"
    if f.kind in ("percent", "change_percent", "points", "decimal") and not f.hedge:
        step = 10.0**-f.decimals
        v = f.value if f.value is not None else 0.0
        t_lo, t_hi = (v, v + step) if v >= 0 else (v - step, v)
        if _meets(t_lo, t_hi, v < 0, v >= 0, lo, hi):
            return "truncated"
    return "no"


def _meets(
    flo: float, fhi: float, lo_open: bool, hi_open: bool, lo: float, hi: float, eps: float = 1e-9
) -> bool:
    if lo > fhi + eps or (hi_open and lo >= fhi - eps):
        return False
    return not (hi < flo - eps or (lo_open and hi <= flo + eps))


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "inf"
    return str(round(x)) if abs(x - round(x)) < 1e-9 else f"{x:.1f}"


def iv_text(iv: tuple[float, float]) -> str:
    lo, hi = iv
    return _fmt(lo) if lo == hi else f"[{_fmt(lo)}, {_fmt(hi)}]"


def states_masked(f: Figure, q: Quantity) -> bool:
    """Whether figure ``f`` states a value for the masked cell ``q``: narrower than its symbol
    and within what the symbol allows (``3`` for a ``<5``). Right or wrong alike: the check
    never confirms nor denies a masked value, so it does not compare with the interval the
    tables imply (a figure the symbol does not allow, ``40`` for a ``<5``, is no disclosure)."""
    lo, hi = q.apriori
    if f.lower <= lo and f.upper >= hi:
        return False  # the symbol itself, or wider ("minder dan vijf")
    return _meets(f.lower, f.upper, f.lower_open, f.upper_open, lo, hi)


def _states_message(q: Quantity, top: Link, links: Sequence[Link]) -> str:
    """The finding for a figure that states masked cell ``q`` (its first link ``top``); when
    the words name another candidate better, a possible disclosure (conservative: the
    figure is the masked cell's as far as its value goes)."""
    rival = max(
        (ln for ln in links[1:] if ln.refs != top.refs), key=lambda ln: ln.evidence, default=None
    )
    if rival is not None and rival.evidence > top.evidence:
        return (
            f"{MAY_STATE_A_VALUE}{q.ref}, which the table masks as {q.printed}: its words name "
            f"{rival.describe()} about as well (the figure is not repeated)"
        )
    return (
        f"{STATES_A_VALUE}{q.ref}, which the table masks as {q.printed} (the figure is not "
        "repeated)"
    )


def check_figure(f: Figure, links: list[Link], index: Index, fi: int) -> FigureCheck:
    if not links or links[0].score < MIN_SCORE:
        why = "no quantity of the package matches its words and year"
        if links:
            why += f" well enough (best: {links[0].describe()}, score {links[0].score:.2f})"
        return FigureCheck(fi, f, links, "unlinked", why)
    top = links[0]
    iv = (top.lower, top.upper)
    ok = _percent_ok(f, iv)
    masked = [
        r
        for r in (*top.refs, *top.denominator)
        if r in index.quantities and index.quantities[r].masked
    ]
    hidden = hides_masked(index, (*top.refs, *top.denominator))
    shown = "a value of masked cells" if hidden else iv_text(iv)
    if top.derivation == "value" and masked and f.kind != "masked":
        q = index.quantities[masked[0]]
        if states_masked(f, q):
            return FigureCheck(fi, f, links, "disclosure", _states_message(q, top, links), iv)
    if ok == "ok":
        if (
            len(links) > 1
            and links[1].score > top.score - AMBIGUOUS_MARGIN
            and _percent_ok(f, (links[1].lower, links[1].upper)) == "no"
            and not top.derivation.startswith("text_")
        ):
            return FigureCheck(
                fi,
                f,
                links,
                "consistent",
                f"agrees with {top.describe()} = {shown} (a close second candidate "
                f"{links[1].describe()} would not)",
                iv,
            )
        return FigureCheck(fi, f, links, "consistent", f"{top.describe()} = {shown}", iv)
    if ok == "truncated":
        return FigureCheck(
            fi,
            f,
            links,
            "rounding",
            f"{top.describe()} = {shown}: {f.printed} holds only when truncated, not "
            "rounded half up",
            iv,
        )
    if top.evidence < STRONG_EVIDENCE and not (
        top.evidence >= CLEAR_EVIDENCE and top.margin >= CLEAR_MARGIN and f.kind != "masked"
    ):
        return FigureCheck(
            fi,
            f,
            links,
            "unlinked",
            f"no quantity of the package that its words name agrees with it (best: "
            f"{top.describe()} = {shown}, evidence {top.evidence:.2f})",
            iv,
        )
    return FigureCheck(
        fi,
        f,
        links,
        "contradiction",
        f"{top.describe()} = {shown}, not {f.printed} {f.interval_text}",
        iv,
    )


# --------------------------------------------------------------------------------------------
# The draft as relations for the audit
# --------------------------------------------------------------------------------------------


def figure_id(f: Figure) -> str:
    return f"L{f.line}c{f.offset}"


def _figure_row(f: Figure) -> dict[str, str]:
    def num(x: float) -> str:
        return "" if math.isinf(x) else (str(int(x)) if float(x).is_integer() else repr(x))

    if f.kind == "masked":
        return {
            "figure_id": figure_id(f),
            "printed": f.printed,
            "value": "",
            "value_lower": num(f.lower),
            "value_upper": num(f.upper),
        }
    v = abs(f.value or 0.0) if f.kind == "change_count" else (f.value or 0.0)
    lo, hi = (
        (abs(f.upper), abs(f.lower))
        if f.kind == "change_count" and v and (f.value or 0) < 0
        else (f.lower, f.upper)
    )
    if f.kind in ("percent", "change_percent"):
        lo = hi = f.value or 0.0
    return {
        "figure_id": figure_id(f),
        "printed": f.printed,
        "value": num(v),
        "value_lower": num(lo),
        "value_upper": num(hi),
    }


def draft_relations(
    ex: Extraction, checks: Sequence[FigureCheck], sums: Sequence[TextSum]
) -> tuple[list[dict[str, str]], list[dict[str, Any]], dict[str, int]]:
    """Rows of ``text_figures`` and relations for the audit; relation id -> figure index."""
    rows: dict[str, dict[str, str]] = {}
    rels: list[dict[str, Any]] = []
    owner: dict[str, int] = {}
    figs = ex.figures

    def row(j: int) -> str:
        fid = figure_id(figs[j])
        rows.setdefault(fid, _figure_row(figs[j]))
        return "text:" + fid

    for c in checks:
        f, top = c.figure, c.link
        if top is None or c.status not in ("consistent", "rounding", "disclosure"):
            continue
        if c.names_masked_value:
            # flagged already; with its value in the audit the findings on it and on other
            # figures would differ as the stated value is right or wrong (confirm or deny)
            continue
        if top.evidence < JOINT_EVIDENCE and not top.derivation.startswith("text_"):
            continue
        rid = f"draft.{figure_id(f)}"
        exact_pct = f.kind in ("percent", "change_percent") and not f.hedge
        if top.derivation == "value" and f.kind in ("count", "masked", "range"):
            rels.append({"id": rid, "type": "identity", "cells": [row(c.index), top.refs[0]]})
        elif top.derivation == "difference" and f.kind == "change_count":
            new, old = top.refs[0], top.denominator[0]
            t, p = (new, old) if (f.value or 0) >= 0 else (old, new)
            rels.append({"id": rid, "type": "additive", "total": t, "parts": [p, row(c.index)]})
        elif top.derivation in ("share", "change") and exact_pct and c.status == "consistent":
            row(c.index)
            rels.append(
                {
                    "id": rid,
                    "type": top.derivation,
                    "figure": "text:" + figure_id(f),
                    "numerator": list(top.refs),
                    "denominator": list(top.denominator),
                    "decimals": f.decimals,
                }
            )
        elif top.derivation == "text_change" and exact_pct and c.status == "consistent":
            jn, jo = top.text_refs
            rels.append(
                {
                    "id": rid,
                    "type": "change",
                    "figure": row(c.index),
                    "numerator": [row(jn)],
                    "denominator": [row(jo)],
                    "decimals": f.decimals,
                }
            )
        elif top.derivation == "text_difference" and f.kind == "change_count":
            jn, jo = top.text_refs
            t, p = (row(jn), row(jo)) if (f.value or 0) >= 0 else (row(jo), row(jn))
            rels.append({"id": rid, "type": "additive", "total": t, "parts": [p, row(c.index)]})
        else:
            continue
        owner[rid] = c.index
    for s in sums:
        rid = f"draft.sum.{figure_id(figs[s.total])}"
        rels.append(
            {
                "id": rid,
                "type": "additive",
                "total": row(s.total),
                "parts": [row(j) for j in s.parts],
            }
        )
        owner[rid] = max(s.parts, key=lambda j: figs[j].start)
    return list(rows.values()), rels, owner


def _with_draft(
    base: PackageData,
    rows: list[dict[str, str]],
    rels: list[dict[str, Any]],
    discrepancies: Sequence[Mapping[str, Any]] = (),
) -> PackageData:
    d = dict(base.descriptor)
    d["relations"] = [*base.descriptor.get("relations", []), *rels]
    if discrepancies:
        d["knownDiscrepancies"] = [*(d.get("knownDiscrepancies") or []), *discrepancies]
    res = list(d.get("resources", []))
    if not any(r.get("name") == "text_figures" for r in res):
        res.append({"name": "text_figures", "path": "", "schema": {"primaryKey": ["figure_id"]}})
    d["resources"] = res
    r2 = dict(base.rows)
    r2["text_figures"] = rows
    return PackageData(base.base_path, d, r2)


@dataclass
class JointResult:
    audit: PackageAudit | None
    conflicts: list[tuple[tuple[str, ...], tuple[str, ...]]]  # (draft relations, all relations)
    rounds: int = 0


def audit_consistent(
    base: PackageData,
    rows: list[dict[str, str]],
    rels: list[dict[str, Any]],
    weight: Mapping[str, float] | None = None,
) -> JointResult:
    """Audit the package with the draft's relations; while the audit finds an irreducible
    infeasible set, set the draft's weakest relation in it aside (reported as the
    contradiction) and look again. Each conflict found then enters the final audit as a known
    discrepancy of the draft, so the package audit leaves its draft relations out of the plain
    audit and audits every maximal consistent subset of them
    (:func:`opendata_mh.sdc.audit_consistent_subsets`): a masked cell that any consistent part
    of the draft gives away is found too."""
    weight = weight or {}
    active = list(rels)
    conflicts: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    audit: PackageAudit | None = None
    rounds = 0
    for rounds in range(1, MAX_ROUNDS + 1):  # noqa: B007
        audit = audit_package(_with_draft(base, rows, active))
        if not audit.infeasible:
            break
        drop: set[str] = set()
        for s in audit.infeasible:
            mine = tuple(r for r in s.relations if r.startswith("draft."))
            if mine:
                # the draft's weakest relation is the likely culprit (see verify)
                worst = min(mine, key=lambda r: (weight.get(r, 0.0), r))
                conflicts.append(((worst,), tuple(s.relations)))
                drop.add(worst)
        if not drop:
            break
        active = [r for r in active if r["id"] not in drop]
    if conflicts:
        known = [
            {"id": f"draft-conflict-{k}", "relations": [r for r in allr if r.startswith("draft.")]}
            for k, (_mine, allr) in enumerate(conflicts, 1)
        ]
        audit = audit_package(_with_draft(base, rows, rels, known))
    return JointResult(audit, conflicts, rounds)


def _phrase_before(ex: Extraction, f: Figure) -> str:
    """Figure ``f`` quoted with up to three words before it on its line ("'een Aziatische
    (<5'"), to name a figure that no cell of the package holds."""
    line = ex.text[: f.start].rsplit("\n", 1)[-1]
    m = re.search(r"(?:\S+\s+){0,3}\S*$", line)
    return f"'{m.group(0) if m else ''}{f.printed}'"


def _arithmetic_findings(
    audit: PackageAudit,
    before: Mapping[str, Any],
    owner: Mapping[str, int],
    ex: Extraction,
    checks: list[FigureCheck],
    told: set[tuple[str, int]],
) -> set[str]:
    """Report each masked cell that ``audit`` (of the package with the draft) narrows and the
    tables alone (``before``: cell -> audited cell) do not, on the last figure of the
    certificate that completes it (:func:`verify`); ``told`` holds the (cell, figure) pairs
    reported already. The draft relations of the certificates."""
    figs = ex.figures
    used: set[str] = set()
    for ca in audit.cells:
        if not ca.target or ca.status not in ("exact", "narrowed"):
            continue
        b = before.get(ca.cell)
        if b is not None and b.interval == ca.interval:
            continue  # the tables alone give this away already (audit's own finding)
        pins = [p for p in ca.pinned_by if p.startswith("draft.")]
        by = sorted({owner[p] for p in pins if p in owner}, key=lambda j: figs[j].start)
        if ca.resource == "text_figures":
            fid = ca.cell.removeprefix("text:")
            target = next((j for j, f in enumerate(figs) if figure_id(f) == fid), None)
            if target is not None:
                by = [target]
        if not by:
            continue
        used.update(pins)
        # on the last figure that completes it; a contradiction keeps its status
        free = [k for k in by if checks[k].status != "contradiction"]
        j = free[-1] if free else by[-1]
        if (ca.cell, j) in told:
            continue
        told.add((ca.cell, j))
        ck = checks[j]
        if ca.resource == "text_figures":
            # a figure the draft itself masks: no cell of the package, so name it by the
            # words before it ("een Aziatische (<5)")
            what = f"its own masked figure {_phrase_before(ex, figs[j])}"
        else:
            what = f"{ca.cell} (masked as {ca.printed or '<5'})"
        verb = "gives away" if ca.status == "exact" else "narrows"
        pinning = sorted({figs[owner[p]].line for p in pins if p in owner})
        src = ", ".join(f"line {ln}" for ln in pinning)
        said = (
            f"with the figures on {src or 'this line'} and the tables the draft {verb} "
            f"{what}; relations: {', '.join(ca.pinned_by[:6])}"
        )
        if ck.status in ("contradiction", "disclosure"):
            ck.message += f"; and {said}"
        else:
            ck.status = "disclosure"
            ck.message = said
    return used


def _unresolved_findings(
    pkg: PackageData,
    audit: PackageAudit,
    base_audit: PackageAudit,
    owner: Mapping[str, int],
    ex: Extraction,
) -> list[Issue]:
    """``text.narrows-unresolved``: the draft narrows an unresolved cell one of whose readings
    is a masked symbol (``<5``, ``x``). The audit treats it as a published interval, not a
    protected target, but its narrowing can give a masked value away, so the interval is not
    shown (as ``audit.interval-narrowed``)."""
    symbols: dict[tuple[str, int], str] = {}
    for res in pkg.descriptor.get("resources", []):
        for u in res.get("unresolved") or []:
            masked = [str(c) for c in u.get("candidates") or [] if str(c)[:1] in ("<", "x")]
            if masked and isinstance(u.get("row"), int):
                symbols[(str(res.get("name", "")), u["row"])] = masked[0]
    before = {b.cell: b for b in base_audit.cells}
    out: list[Issue] = []
    for ca in audit.cells:
        symbol = symbols.get((ca.resource, ca.row))
        if ca.target or symbol is None or ca.status not in ("exact", "narrowed"):
            continue
        b = before.get(ca.cell)
        if b is not None and b.interval == ca.interval:
            continue  # the tables alone narrow it (the audit's own finding)
        by = sorted(
            {owner[p] for p in ca.pinned_by if p in owner}, key=lambda j: ex.figures[j].start
        )
        if not by:
            continue
        lines = sorted({ex.figures[j].line for j in by})
        f = ex.figures[by[-1]]
        out.append(
            Issue(
                "text.narrows-unresolved",
                "warning",
                f"line {f.line}: with the figures on line(s) {', '.join(map(str, lines))} and the "
                f"tables the draft narrows {ca.cell}, an unresolved cell one of whose readings is "
                f"{symbol}: it can give a masked value away (the interval: 'opendata-mh audit')",
                "draft",
                f.line,
                f.kind,
            )
        )
    return out


@dataclass
class Verification:
    checks: list[FigureCheck]
    issues: list[Issue]
    base_audit: PackageAudit | None
    joint: JointResult | None
    sums: list[TextSum]
    relations: list[dict[str, Any]]
    rows: list[dict[str, str]]


def _evidence(c: FigureCheck) -> float:
    return c.link.evidence if c.link is not None else 0.0


@dataclass
class Baseline:
    """What the tables alone give: the package without its prose, its quantities with their
    feasibility intervals, and its audit (the same for every draft checked against it)."""

    base: PackageData
    index: Index
    audit: PackageAudit


def baseline(pkg: PackageData) -> Baseline:
    base = strip_prose(pkg)
    return Baseline(base, build_index(base, feasibility_intervals(base)), audit_package(base))


def check_figures(ex: Extraction, index: Index) -> list[FigureCheck]:
    """Link and check each figure of ``ex`` on its own (step 2 of the module docstring). The
    joint audit of :func:`verify` only adds findings: a figure flagged here stays flagged."""
    checks: list[FigureCheck] = []
    prior: dict[int, Link] = {}
    for fi, f in enumerate(ex.figures):
        links, ctx = candidates(ex, fi, index, prior=prior)
        if links:
            prior[fi] = links[0]
        checks.append(unchecked_table(check_figure(f, links, index, fi), index, ctx))
    # figures that belong together by the structure of the prose (years, "respectievelijk",
    # legend pairs, appositions, lists of shares): see opendata_mh.text.pairing
    paired = pair(ex, [c.links for c in checks], [c.status for c in checks], index)
    for fi, p in paired.items():
        if p.link is not None:
            checks[fi] = check_in_list(checks[fi], p.link, index)
        else:
            checks[fi] = FigureCheck(fi, ex.figures[fi], checks[fi].links, "unlinked", p.why)
    for fi, link in share_bases(ex, checks, index).items():
        checks[fi] = check_in_list(checks[fi], link, index)
    for fi, link in enumerated_totals(ex, checks, index).items():
        checks[fi] = check_in_list(checks[fi], link, index)
    return checks


def unchecked_table(c: FigureCheck, index: Index, ctx: Context) -> FigureCheck:
    """A figure that disagrees with its best candidate while its words name a table the
    package has without cells ("het percentage vrouwen dat terechtstaat ... 22%": the tried
    suspects by sex, ``available: false``) at least as well: the tables cannot check it, so
    it is unlinked, not a contradiction of the neighbouring table that happens to have cells."""
    top = c.link
    if c.status not in ("contradiction", "rounding") or top is None:
        return c
    table, score = names_empty(index, ctx)
    if score < top.evidence:
        return c
    return FigureCheck(
        c.index,
        c.figure,
        c.links,
        "unlinked",
        f"its words name {table}, a table of the package without cells (best with cells: "
        f"{top.describe()}, evidence {top.evidence:.2f})",
    )


_OF_THE_BEFORE_RE = re.compile(r"\bvan\s+de\s*$", re.IGNORECASE)


def enumerated_totals(
    ex: Extraction, checks: Sequence[FigureCheck], index: Index
) -> dict[int, Link]:
    """ "Van de 179 zaken in 2022 zijn er 87 ..., 52 ... en 38 ...": a count after "van de"
    that the words alone do not link, followed in its sentence by counts linked to parts of
    one relation of the package (additive, multilabel, subset), is that relation's total.
    Figure index -> link."""
    figs = ex.figures
    out: dict[int, Link] = {}
    for t, f in enumerate(figs):
        if f.kind != "count" or checks[t].status != "unlinked":
            continue
        if not _OF_THE_BEFORE_RE.search(ex.text[max(0, f.start - 10) : f.start]):
            continue
        parts = [
            k
            for k in range(t + 1, len(figs))
            if figs[k].sentence == f.sentence
            and checks[k].status in ("consistent", "disclosure")
            and checks[k].link is not None
            and checks[k].link.derivation == "value"  # type: ignore[union-attr]
        ]
        if len(parts) < 2:
            continue
        refs = [checks[k].link.refs[0] for k in parts]  # type: ignore[union-attr]
        common = set(index.parents.get(refs[0], []))
        for r in refs[1:]:
            common &= set(index.parents.get(r, []))
        if len(common) != 1:
            continue
        q = index.quantities.get(common.pop())
        if q is None:
            continue
        ev = min(_evidence(checks[k]) for k in parts)
        out[t] = Link(
            "value",
            (q.ref,),
            lower=q.lower,
            upper=q.upper,
            score=ev,
            confidence=1.0,
            text_refs=tuple(parts),
            explain=f"the total of the parts the sentence names next (line {f.line})",
            evidence=ev,
        )
    return out


_OF_THE_RE = re.compile(r"\s*van\s+de\s*$")


def share_bases(ex: Extraction, checks: Sequence[FigureCheck], index: Index) -> dict[int, Link]:
    """A count right after a linked share ("68% van de 78 afgedane zaken") that the words alone
    do not link is the share's denominator, when that is one quantity. Figure index -> link."""
    figs = ex.figures
    out: dict[int, Link] = {}
    for j in range(1, len(figs)):
        n, p = figs[j], figs[j - 1]
        c, cp = checks[j], checks[j - 1]
        top = cp.link
        if n.kind != "count" or c.status != "unlinked" or n.sentence != p.sentence:
            continue
        if top is None or top.derivation != "share" or cp.status not in ("consistent", "rounding"):
            continue
        if len(top.denominator) != 1 or not _OF_THE_RE.fullmatch(ex.text[p.end : n.start]):
            continue
        q = index.quantities.get(top.denominator[0])
        if q is None:
            continue
        out[j] = value_link(q, top, j - 1, f"the base of {p.printed!r} (line {p.line})")
    return out


def check_in_list(c: FigureCheck, link: Link, index: Index) -> FigureCheck:
    """The verdict on a figure against the link that its partners give it
    (:mod:`opendata_mh.text.pairing`, :func:`share_bases`, :func:`enumerated_totals`)."""
    f = c.figure
    iv = (link.lower, link.upper)
    q = index.quantities[link.refs[0]]
    value = link.derivation == "value"
    # a latent total the tables leave open holds masked cells: its interval is theirs
    refs = [index.quantities[r] for r in (*link.refs, *link.denominator) if r in index.quantities]
    hidden = any(x.hidden or (x.latent and not x.exact) for x in refs)
    shown = "a value of masked cells" if hidden else iv_text(iv)
    what = q.ref if value else link.describe()
    links = [link, *[x for x in c.links if x != link]]
    if value and q.masked and f.kind != "masked" and states_masked(f, q):
        return FigureCheck(c.index, f, links, "disclosure", _states_message(q, link, []), iv)
    if _percent_ok(f, iv) == "ok":
        return FigureCheck(
            c.index, f, links, "consistent", f"{what} = {shown} ({link.explain})", iv
        )
    if _percent_ok(f, iv) == "truncated":
        return FigureCheck(
            c.index,
            f,
            links,
            "rounding",
            f"{what} = {shown} ({link.explain}): {f.printed} holds only when truncated, not "
            "rounded half up",
            iv,
        )
    return FigureCheck(
        c.index,
        f,
        links,
        "contradiction",
        f"{link.explain}: {what} = {shown}, not {f.printed} {f.interval_text}",
        iv,
    )


def verify(
    ex: Extraction,
    pkg: PackageData,
    base_line: Baseline | None = None,
    checks: list[FigureCheck] | None = None,
) -> tuple[Verification, Index]:
    """Link and verify every figure of ``ex`` against ``pkg`` (see the module docstring);
    ``base_line`` (:func:`baseline` of ``pkg``) saves its work when many drafts are checked;
    ``checks`` (fresh from :func:`check_figures` of ``ex`` on ``base_line``'s index) saves the
    linking when the caller has done it already."""
    bl = base_line or baseline(pkg)
    base, index = bl.base, bl.index
    checks = check_figures(ex, index) if checks is None else checks
    sums = text_sums(ex)
    rows, rels, owner = draft_relations(ex, checks, sums)
    base_audit = bl.audit
    # blame a rounded percentage before a count read off a cell, then the weaker evidence
    kind_of = {r["id"]: r["type"] for r in rels}
    weight = {
        r: _evidence(checks[j]) + (0.0 if kind_of.get(r) in SHARE_TYPES else 10.0)
        for r, j in owner.items()
    }
    joint = audit_consistent(base, rows, rels, weight)
    issues: list[Issue] = []
    figs = ex.figures
    # joint contradictions
    for mine, allr in joint.conflicts:
        lines = sorted({figs[owner[r]].line for r in allr if r in owner})
        for r in mine:
            c = checks[owner[r]] if r in owner else None
            if c is None or c.status != "consistent":
                continue
            c.status = "contradiction"
            others = [x for x in allr if x != r]
            c.joint = list(allr)
            c.message = (
                f"cannot hold together with the figures on line(s) "
                f"{', '.join(str(x) for x in lines if x != c.figure.line) or '-'} and the "
                f"tables (irreducible set: {', '.join(others[:6])}"
                f"{', ...' if len(others) > 6 else ''}); alone: {c.message}"
            )
    # disclosure by arithmetic: on every line that gives a masked cell away, not only on the
    # line of the first certificate the audit finds; the draft relations of the lines of the
    # certificates found are set aside and the audit looks again (a line that repeats what
    # another line gives away still has to change when that other line does)
    if joint.audit is not None and base_audit is not None:
        before = {b0.cell: b0 for b0 in base_audit.cells}
        audit: PackageAudit | None = joint.audit
        aside: set[str] = set()
        told: set[tuple[str, int]] = set()
        # only a cell the whole draft narrows can be narrowed without some of it
        narrowed = [
            ca.cell
            for ca in joint.audit.cells
            if ca.target
            and ca.status in ("exact", "narrowed")
            and any(p.startswith("draft.") for p in ca.pinned_by)
        ]
        for _round in range(MAX_CERTIFICATES):
            assert audit is not None
            pins = _arithmetic_findings(audit, before, owner, ex, checks, told)
            pinning = {figs[owner[p]].line for p in pins if p in owner}
            more = {r for r, j in owner.items() if figs[j].line in pinning} - aside
            if not more:
                break
            aside |= more
            rest = [r for r in rels if r["id"] not in aside]
            if _round == MAX_CERTIFICATES - 1 or not rest:
                break
            known = [
                {"id": f"draft-conflict-{k}", "relations": left}
                for k, (_m, allr) in enumerate(joint.conflicts, 1)
                if (left := [r for r in allr if r.startswith("draft.") and r not in aside])
            ]
            audit = audit_package(_with_draft(base, rows, rest, known), targets=narrowed)
    if joint.audit is not None and base_audit is not None:
        issues += _unresolved_findings(pkg, joint.audit, base_audit, owner, ex)
    for c in checks:
        if c.status in STATUS_CODE:
            code, sev = STATUS_CODE[c.status]
            issues.append(
                Issue(
                    code,
                    sev,
                    f"line {c.figure.line}: {c.shown!r}: {c.message}",
                    "draft",
                    c.figure.line,
                    c.figure.kind,
                )
            )
    return (
        Verification(checks, issues, base_audit, joint, sums, rels, rows),
        index,
    )


__all__ = ["FigureCheck", "Verification", "check_figures", "replace", "strip_prose", "verify"]
