"""The narrative check as one call, and its result as data, HTML and ``text_figures.toml``.

:func:`check_text` reads a draft, extracts, links and verifies every figure against a data
package and returns a :class:`TextReport`: per figure the line, offset, printed form, interval,
kind, links (ranked, with confidence), derivation, computed value, status; a summary with the
coverage (the share of figures linked); the issues (``text.*`` codes, ``resource`` = ``draft``,
``row`` = the line). :func:`render_html` marks every figure in the draft's text by status;
:func:`figures_toml` gives ``text_figures.toml`` entries and ``relations.toml`` entries for the
linked figures, so a new year's prose enters ``check`` and the audit without transcription.

Confidential values: a link that uses a masked cell shows the cell's symbol (``<5``), never its
feasibility interval; the computed value of such a link is left out.

Issue codes (severity):

``text.contradiction`` [error]   the figure disagrees with what the tables give (alone, or
                                 jointly with other figures of the draft)
``text.rounding``      [warning] a percentage that holds only when truncated, not when rounded
                                 half up
``text.disclosure``    [error]   the draft states a masked cell, or gives one away with other
                                 figures and the tables (the disclosure audit)
``text.narrows-unresolved`` [warning] the draft narrows an unresolved cell one of whose
                                 readings is a masked symbol (no interval shown)
``text.unlinked``      [info]    no quantity of the package that the words name agrees with it
``text.ambiguous``     [info]    two candidates are about as likely and disagree
``text.no-links``      [warning] (almost) no figure of the draft matches the package: another
                                 report, or the wrong package
"""

from __future__ import annotations

import html
import math
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opendata_mh.errors import DraftError, OutputError
from opendata_mh.report import Issue, PackageData
from opendata_mh.text.extraction import Extraction, Figure, extract
from opendata_mh.text.linking import Index, Link, hides_masked
from opendata_mh.text.reading import Draft, read_draft
from opendata_mh.text.verification import (
    Baseline,
    FigureCheck,
    Verification,
    figure_id,
    verify,
)

ISSUE_CODES: dict[str, str] = {
    "text.contradiction": "error",
    "text.rounding": "warning",
    "text.disclosure": "error",
    "text.narrows-unresolved": "warning",
    "text.unlinked": "info",
    "text.ambiguous": "info",
    "text.no-links": "warning",
}
"""Every issue code of the narrative check, with its severity."""

_DUTCH = frozenset(
    [
        "de",
        "het",
        "een",
        "van",
        "en",
        "in",
        "is",
        "zijn",
        "dat",
        "die",
        "met",
        "voor",
        "op",
        "niet",
        "er",
        "ook",
        "aan",
        "bij",
    ]
)
_ENGLISH = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "is",
        "that",
        "for",
        "with",
        "was",
        "are",
        "were",
        "this",
        "by",
        "from",
    ]
)
_GERMAN = frozenset(
    [
        "der",
        "die",
        "das",
        "und",
        "von",
        "im",
        "ist",
        "sind",
        "wurden",
        "wurde",
        "als",
        "bei",
        "mit",
        "nicht",
        "auch",
        "für",
        "zu",
        "den",
        "dem",
        "des",
        "ein",
        "eine",
        "einer",
        "vom",
        "zum",
        "zur",
        "hat",
        "haben",
        "mehr",
        "weniger",
    ]
)
_FRENCH = frozenset(
    [
        "le",
        "la",
        "les",
        "des",
        "du",
        "et",
        "est",
        "sont",
        "une",
        "un",
        "que",
        "qui",
        "pour",
        "dans",
        "sur",
        "avec",
        "pas",
        "au",
        "aux",
        "ont",
        "été",
        "plus",
        "cette",
        "ce",
        "il",
        "elle",
    ]
)
_OTHER_LANGUAGES = (("English", _ENGLISH), ("German", _GERMAN), ("French", _FRENCH))
MIN_COVERAGE = 0.10


@dataclass
class TextReport:
    draft: Draft
    extraction: Extraction
    verification: Verification
    index: Index
    package: str
    issues: list[Issue] = field(default_factory=list)

    @property
    def checks(self) -> list[FigureCheck]:
        return self.verification.checks

    @property
    def ok(self) -> bool:
        return not any(i.severity in ("error", "warning") for i in self.issues)

    def figure_dict(self, c: FigureCheck) -> dict[str, Any]:
        f = c.figure
        links = [self._link_dict(ln) for ln in c.links[:3]]
        top = c.link
        return {
            "line": f.line,
            "offset": f.offset,
            "printed": c.shown,
            "kind": f.kind,
            "value": None if c.names_masked_value else f.value,
            "interval": None if c.names_masked_value else [_num(f.lower), _num(f.upper)],
            "interval_text": None if c.names_masked_value else f.interval_text,
            "hedge": f.hedge or None,
            "status": c.status,
            "confidence": top.confidence if top else 0.0,
            "derivation": top.derivation if top else None,
            "link": top.describe() if top else None,
            "computed": links[0]["interval"] if links else None,
            "links": links,
            "message": c.message,
        }

    def _link_dict(self, ln: Link) -> dict[str, Any]:
        masked = [r for r in (*ln.refs, *ln.denominator) if self._masked(r)]
        return {
            "derivation": ln.derivation,
            "refs": list(ln.refs),
            "denominator": list(ln.denominator),
            "interval": None
            if hides_masked(self.index, (*ln.refs, *ln.denominator))
            else [_num(ln.lower), _num(ln.upper)],
            "masked_cells": masked,
            "score": ln.score,
            "evidence": ln.evidence,
            "confidence": ln.confidence,
        }

    def _masked(self, ref: str) -> bool:
        q = self.index.quantities.get(ref)
        return bool(q and q.masked)

    def summary(self) -> dict[str, Any]:
        n = len(self.checks)
        linked = sum(1 for c in self.checks if c.status not in ("unlinked",))
        return {
            "draft": self.draft.path,
            "format": self.draft.format,
            "package": self.package,
            "lines": len(self.draft.lines),
            "glyphs_repaired": self.draft.repaired,
            "figures_total": n,
            "linked": linked,
            "coverage": round(linked / n, 3) if n else 0.0,
            "by_status": dict(Counter(c.status for c in self.checks)),
            "by_kind": dict(Counter(c.figure.kind for c in self.checks)),
            "set_aside": dict(Counter(a.reason for a in self.extraction.set_aside)),
            "text_sums": len(self.verification.sums),
            "draft_relations": len(self.verification.relations),
            "figures": [self.figure_dict(c) for c in self.checks],
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "summary": self.summary(),
            "issues": [i.to_dict() for i in self.issues],
        }


def _num(x: float) -> float | None:
    if math.isinf(x) or math.isnan(x):
        return None
    return int(x) if float(x).is_integer() else round(x, 4)


def check_language(draft: Draft) -> None:
    """Refuse a draft that is not Dutch: too few Dutch function words, or more English, German
    or French ones than Dutch (a draft of fewer than 8 words is not judged)."""
    ws = re.findall(r"[a-zà-ÿ]+", draft.text.lower())
    if len(ws) < 8:
        return
    nl = sum(1 for w in ws if w in _DUTCH)
    lang, other = max(
        ((name, sum(1 for w in ws if w in words)) for name, words in _OTHER_LANGUAGES),
        key=lambda t: t[1],
    )
    if nl < 0.04 * len(ws) or other > nl:
        raise DraftError(
            f"{draft.path}: the draft is not Dutch ({nl} Dutch and {other} {lang} function "
            f"words in {len(ws)} words); the narrative check reads the Dutch report text",
            code="text.not-dutch",
        )


def check_text(draft_path: str | Path, pkg: PackageData, package: str = "") -> TextReport:
    """Check the draft at ``draft_path`` against ``pkg`` (raises DraftError on bad input)."""
    draft = read_draft(draft_path)
    return check_draft(draft, pkg, package)


def check_draft(
    draft: Draft,
    pkg: PackageData,
    package: str = "",
    base_line: Baseline | None = None,
    ex: Extraction | None = None,
    checks: list[FigureCheck] | None = None,
) -> TextReport:
    """Check a draft as read (``base_line``, ``checks``: see
    :func:`~opendata_mh.text.verification.verify`; ``ex``: the draft's extraction if done)."""
    check_language(draft)
    ex = extract(draft.lines) if ex is None else ex
    ver, index = verify(ex, pkg, base_line, checks)
    rep = TextReport(draft, ex, ver, index, package, list(ver.issues))
    n = len(ver.checks)
    linked = sum(1 for c in ver.checks if c.status != "unlinked")
    if n == 0 or linked / n < MIN_COVERAGE:
        rep.issues.insert(
            0,
            Issue(
                "text.no-links",
                "warning",
                f"{linked} of {n} figures of the draft match a quantity of the package: is it "
                "a report on these tables, and the right package?",
                "draft",
            ),
        )
    return rep


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

_COLORS = {
    "consistent": "#d4edda",
    "contradiction": "#f8d7da",
    "rounding": "#fff3cd",
    "disclosure": "#f5c6fb",
    "unlinked": "#e2e3e5",
    "ambiguous": "#d6d8f5",
    "unchecked": "#ffffff",
}


def render_html(rep: TextReport) -> str:
    """The draft's text with every figure marked by status (colour, tooltip, anchor), and a
    table of the figures that are not consistent."""
    lines = rep.draft.lines
    by_line: dict[int, list[tuple[int, int, FigureCheck]]] = {}
    for c in rep.checks:
        f = c.figure
        start = f.start - rep.extraction.line_start(f.line)
        end = min(len(lines[f.line - 1]), start + (f.end - f.start))
        by_line.setdefault(f.line, []).append((start, end, c))
    out = [
        "<!DOCTYPE html>",
        '<html lang="nl"><head><meta charset="utf-8">',
        f"<title>Narrative check: {html.escape(Path(rep.draft.path).name)}</title>",
        "<style>body{font-family:sans-serif;max-width:70em;margin:auto}"
        "pre{white-space:pre-wrap;line-height:1.5}"
        ".ln{color:#999;user-select:none;display:inline-block;width:4em}"
        "mark{padding:0 .15em;border-radius:.2em}"
        + "".join(f".s-{k}{{background:{v}}}" for k, v in _COLORS.items())
        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .4em;"
        "vertical-align:top;font-size:.9em}</style></head><body>",
        f"<h1>Narrative check of {html.escape(rep.draft.path)}</h1>",
    ]
    s = rep.summary()
    out.append(
        f"<p>{s['figures_total']} figures, {s['linked']} linked (coverage "
        f"{100 * s['coverage']:.0f}%); "
        + ", ".join(
            f'<mark class="s-{k}">{html.escape(k)}: {v}</mark>' for k, v in s["by_status"].items()
        )
        + "</p>"
    )
    flagged = [c for c in rep.checks if c.status not in ("consistent",)]
    if flagged:
        out.append(
            "<h2>Figures to look at</h2><table><tr><th>line</th><th>figure</th>"
            "<th>status</th><th>why</th></tr>"
        )
        for c in flagged:
            fid = figure_id(c.figure)
            out.append(
                f'<tr><td><a href="#{fid}">{c.figure.line}</a></td>'
                f"<td>{html.escape(c.shown)}</td>"
                f'<td class="s-{c.status}">{c.status}</td><td>{html.escape(c.message)}</td></tr>'
            )
        out.append("</table>")
    out.append("<h2>Text</h2><pre>")
    for i, line in enumerate(lines, 1):
        spans = sorted(by_line.get(i, []), key=lambda t: t[0])
        pos = 0
        buf = [f'<span class="ln">{i}</span>']
        for a, b, c in spans:
            if a < pos:
                continue
            buf.append(html.escape(line[pos:a]))
            tip = f"{c.status}: {c.message}"
            buf.append(
                f'<mark id="{figure_id(c.figure)}" class="s-{c.status}" '
                f'title="{html.escape(tip, quote=True)}" data-status="{c.status}">'
                f"{html.escape(line[a:b])}</mark>"
            )
            pos = b
        buf.append(html.escape(line[pos:]))
        out.append("".join(buf))
    out.append("</pre></body></html>")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
# text_figures.toml
# --------------------------------------------------------------------------------------------


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


WRITTEN_STATUS = "consistent"
"""The only status whose figures ``--write-figures`` writes: a contradiction, rounding or
disclosure is a finding to fix in the draft first, and a figure that gives a masked cell away
is never written (not its printed form, value or sentence)."""


def _id_prefix(rep: TextReport) -> str:
    stem = re.sub(r"[^a-z0-9]+", "_", Path(rep.draft.path).stem.lower()).strip("_")
    return f"draft_{stem or 'text'}"


def left_out(rep: TextReport) -> list[str]:
    """What :func:`figures_toml` leaves out and why, by status (counts only, never values)."""
    findings = Counter(
        c.status for c in rep.checks if c.status not in (WRITTEN_STATUS, "unlinked") and c.link
    )
    out = []
    if findings:
        out.append(
            f"{sum(findings.values())} figures left out, findings to fix in the draft first ("
            + ", ".join(f"{k} {v}" for k, v in sorted(findings.items()))
            + "; a disclosing figure is never written)"
        )
    derived = sum(
        1
        for c in rep.checks
        if c.status == WRITTEN_STATUS and c.link and c.link.derivation.startswith("text_")
    )
    if derived:
        out.append(f"{derived} figures left out, derived from other figures of the draft only")
    unlinked = sum(1 for c in rep.checks if c.status == "unlinked" or c.link is None)
    if unlinked:
        out.append(f"{unlinked} unlinked figures left out (no quantity of the package)")
    return out


def figures_toml(rep: TextReport) -> tuple[str, str]:
    """``text_figures.toml`` entries for the consistent linked figures and ``relations.toml``
    entries for their shares, changes and differences (``(figures, relations)``).

    Ids start with ``draft_<draft stem>_l<line>`` so that the entries can be appended to
    ``metadata/text_figures.toml`` and ``metadata/relations.toml`` without colliding with the
    transcribed figures. A figure that is not consistent is left out (the header says how many,
    by status, never their values); a hedged percentage ("zo'n 45%", "ruim 20%") gets no share
    or change relation, which would read it as exact (as ``metadata/relations.toml`` does)."""
    prefix = _id_prefix(rep)
    name = Path(rep.draft.path).name
    figs: list[str] = [
        f"# Figures of the draft {name} (opendata-mh text --write-figures).",
        "# Only the figures the narrative check found consistent with the package. Append this",
        "# file to metadata/text_figures.toml and the .relations.toml beside it to",
        "# metadata/relations.toml, then run opendata-mh generate and check (README, `text`).",
        *("# " + s for s in left_out(rep)),
    ]
    rels: list[str] = [
        f"# Relations of the figures of the draft {name} (opendata-mh text --write-figures)."
    ]
    hedged: list[str] = []
    used: set[str] = set()
    for c in rep.checks:
        top = c.link
        if top is None or c.status != WRITTEN_STATUS or top.derivation.startswith("text_"):
            continue
        f = c.figure
        q = rep.index.quantities.get(top.refs[0]) if top.refs else None
        period = q.period if q else ""
        base = re.sub(r"[^A-Za-z0-9_]+", "_", (q.table.lstrip("@") if q else "figure"))
        fid = f"{prefix}_l{f.line}_{base}_{period.replace('-', '_')}".strip("_")
        while fid in used:
            fid += "_b"
        used.add(fid)
        unit = _unit(rep, f, q)
        value = f.value if f.value is not None else None
        entry = [
            "",
            "[[figures]]",
            f"id = {_toml_str(fid)}",
            f"period = {_toml_str(period if top.derivation != 'average' else _span(top))}",
            f"printed = {_toml_str(f.printed)}",
        ]
        if value is not None and f.kind != "masked":
            entry.append(
                f"value = {value:g}" if not float(value).is_integer() else f"value = {int(value)}"
            )
        entry += [
            f"unit = {_toml_str(unit)}",
            f"quote = {_toml_str(rep.extraction.sentence_text(f))}",
            "description_en = "
            + _toml_str(f"Figure on line {f.line} of the draft: {top.describe()}"),
            f"section = {_toml_str(f.section)}",
        ]
        if top.derivation == "value" and f.kind in ("count", "range"):
            entry.append(f"refers_to = {_toml_str(top.refs[0])}")
        figs += entry
        if top.derivation in ("share", "change") and f.kind in ("percent", "change_percent"):
            if f.hedge:
                hedged.append(fid)
                continue
            rels += [
                "",
                "[[relations]]",
                f"id = {_toml_str(top.derivation + '.' + fid)}",
                f"type = {_toml_str(top.derivation)}",
                f"figure = {_toml_str('text:' + fid)}",
                "numerator = [" + ", ".join(_toml_str(r) for r in top.refs) + "]",
                "denominator = [" + ", ".join(_toml_str(r) for r in top.denominator) + "]",
                "description_en = "
                + _toml_str(f"The {top.derivation} on line {f.line} of the draft."),
            ]
        elif top.derivation == "difference" and f.kind == "change_count":
            # the later year is the earlier one plus the signed change ("18 minder" is -18)
            new, old = top.refs[0], top.denominator[0]
            rels += [
                "",
                "[[relations]]",
                f"id = {_toml_str('difference.' + fid)}",
                'type = "additive"',
                f"total = {_toml_str(new)}",
                f"parts = [{_toml_str(old)}, {_toml_str('text:' + fid)}]",
                f"description_en = {_toml_str(f'The difference on line {f.line} of the draft.')}",
            ]
    if hedged:
        rels.insert(
            1,
            f"# No share or change relation for {len(hedged)} hedged percentages (zo'n, ruim, "
            "bijna: not a rounded value):\n" + "\n".join(f"#   {h}" for h in hedged),
        )
    return "\n".join(figs) + "\n", "\n".join(rels) + "\n"


def _span(top: Link) -> str:
    ys = sorted({m.group(1) for r in top.refs for m in [re.search(r"period=(\d{4})", r)] if m})
    return f"{ys[0]}-{ys[-1]}" if len(ys) > 1 else (ys[0] if ys else "")


def _unit(rep: TextReport, f: Figure, q: Any) -> str:
    if f.kind in ("percent", "share_words"):
        return "percent"
    if f.kind == "change_percent":
        return "percent_change"
    if q is not None and q.table in rep.index.tables:
        return str((rep.index.tables[q.table].get("unit") or {}).get("id") or "count")
    if q is not None and q.ref in rep.index.latent_units:
        return rep.index.latent_units[q.ref]
    return "count"


def relations_path(path: str | Path) -> Path:
    """Where :func:`write_figures` writes the relations: ``<stem>.relations.toml`` beside."""
    p = Path(path)
    return p.with_name(p.stem + ".relations.toml")


def write_figures(rep: TextReport, path: str | Path) -> tuple[Path, Path]:
    """Write :func:`figures_toml` to ``path`` and :func:`relations_path` beside it, each
    atomically (a temporary file renamed into place, with the mode the umask gives)."""
    p = Path(path)
    figs, rels = figures_toml(rep)
    rp = relations_path(p)
    if not p.parent.is_dir():
        raise OutputError(f"{p}: cannot write: the directory {p.parent} does not exist")
    umask = os.umask(0)
    os.umask(umask)
    for target, text in ((p, figs), (rp, rels)):
        tmp: Path | None = None
        try:
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=target.parent, delete=False, suffix=".tmp"
            ) as fh:
                fh.write(text)
            tmp = Path(fh.name)
            tmp.chmod(0o666 & ~umask)
            tmp.replace(target)
        except OSError as exc:
            if tmp is not None:
                tmp.unlink(missing_ok=True)
            raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from exc
    return p, rp
