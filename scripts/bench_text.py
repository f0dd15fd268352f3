"""Benchmark of the narrative check (opendata-mh text) on the 2023 report text.

    python scripts/bench_text.py [PACKAGE_DIR] [--mutations N] [--seed S] [--no-mutations] [-v]

Prints, as tables (targets of issue 12 in brackets):

* extraction recall and precision per kind against tests/fixtures/text/gold_2023.toml
  (>= 0.99 / >= 0.97);
* correct first link for the linkable gold figures (>= 0.90): the first link has the gold
  derivation and the same value (its numerator and denominator give the gold interval);
* the known problems of the 2023 text (tests/fixtures/text/known_problems_2023.toml) found, and
  the flags on the clean text beyond them (<= 5), the historic disclosures the package
  acknowledges counted apart;
* a seeded mutation benchmark (>= 200 injected errors, >= 0.95 flagged on the right line): a
  count +-1..10, a percentage +-1..10 points, a changed year, a changed difference, a new
  sentence that states a masked cell or gives it away by subtraction; a mutation the tables
  cannot tell from the truth (the new value still inside the linked interval) is counted apart;
* the runtime of one check of the whole text (<= 10 s).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import multiprocessing
import random
import re
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.unit.text_gold import PROBLEMS_2023, TEXT_2023, gold, match  # noqa: E402

from opendata_mh.report import PackageData  # noqa: E402
from opendata_mh.text import linking  # noqa: E402
from opendata_mh.text.extraction import KINDS, Extraction, extract  # noqa: E402
from opendata_mh.text.linking import Index, Link  # noqa: E402
from opendata_mh.text.output import check_draft, check_language  # noqa: E402
from opendata_mh.text.reading import read_draft, read_text  # noqa: E402
from opendata_mh.text.verification import (  # noqa: E402
    Baseline,
    _percent_ok,
    baseline,
    check_figures,
    strip_prose,
)
from opendata_mh.validate import read_package  # noqa: E402

FLAGS = ("contradiction", "rounding", "disclosure")


def _table(title: str, head: list[str], rows: list[list[Any]]) -> None:
    print(f"\n{title}")
    widths = [max(len(str(x)) for x in [h, *(r[i] for r in rows)]) for i, h in enumerate(head)]
    print("  " + "  ".join(str(h).ljust(w) for h, w in zip(head, widths, strict=True)))
    for r in rows:
        print("  " + "  ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=True)))


def _fmt(x: float) -> str:
    return f"{x:.3f}"


# --------------------------------------------------------------------------------------------
# Gold links
# --------------------------------------------------------------------------------------------

_LINK_RE = re.compile(r"^(\w+)\((.*?)\s*\|\s*(.*)\)$")


def _expand(index: Index, ref: str) -> list[str]:
    if "*" not in ref:
        return [ref]
    table, *kv = ref.split("/")
    want = dict(x.split("=", 1) for x in kv)
    out = []
    for q in index.quantities.values():
        if q.table != table:
            continue
        kd = dict(q.key)
        if all(
            (v == "*" and kd.get(k) not in (None, "all")) or kd.get(k) == v for k, v in want.items()
        ):
            out.append(q.ref)
    return out


def _value(index: Index, refs: list[str], texts: dict[str, float]) -> tuple[float, float] | None:
    lo = hi = 0.0
    for r in refs:
        if r.startswith("text:"):
            v = texts.get(r[5:])
            if v is None:
                return None
            lo += v
            hi += v
            continue
        for x in _expand(index, r):
            q = index.quantities.get(x)
            if q is None:
                return None
            lo += q.lower
            hi += q.upper
    return lo, hi


def gold_link(
    index: Index, g: dict[str, Any], texts: dict[str, float]
) -> tuple[str, tuple[float, float]] | None:
    link = g.get("link")
    if not link:
        return None
    m = _LINK_RE.match(link)
    if not m:
        iv = _value(index, [link], texts)
        return ("value", iv) if iv else None
    der, num, den = m.group(1), m.group(2), m.group(3)
    nv = _value(index, [x.strip() for x in num.split(" + ") if x.strip()], texts)
    dv = (
        _value(index, [x.strip() for x in den.split(" + ") if x.strip()], texts)
        if den.strip()
        else (0.0, 0.0)
    )
    if nv is None or dv is None:
        return None
    if der == "share":
        return der, (100 * nv[0] / max(dv[1], 1e-9), 100 * nv[1] / max(dv[0], 1e-9))
    if der == "change":
        return der, (100 * nv[0] / max(dv[1], 1e-9) - 100, 100 * nv[1] / max(dv[0], 1e-9) - 100)
    if der == "difference":
        return der, (nv[0] - dv[1], nv[1] - dv[0])
    if der == "average":
        n = len([x for x in num.split(" + ") if x.strip()])
        return der, (nv[0] / n, nv[1] / n)
    return None


_FAMILY = {"text_change": "change", "text_difference": "difference", "text_ratio": "ratio"}


def link_ok(link: Link | None, want: tuple[str, tuple[float, float]]) -> bool:
    if link is None:
        return False
    der = _FAMILY.get(link.derivation, link.derivation)
    if der != want[0]:
        return False
    lo, hi = want[1]
    return abs(link.lower - lo) <= 0.05 + 1e-6 * abs(lo) and abs(
        link.upper - hi
    ) <= 0.05 + 1e-6 * abs(hi)


# --------------------------------------------------------------------------------------------
# Mutations
# --------------------------------------------------------------------------------------------


def _replace_at(lines: list[str], line: int, offset: int, old: str, new: str) -> list[str]:
    out = list(lines)
    s = out[line - 1]
    assert s[offset : offset + len(old)] == old, (line, offset, old, s)
    out[line - 1] = s[:offset] + new + s[offset + len(old) :]
    return out


def mutations(rep: Any, pkg: PackageData, n: int, seed: int) -> list[dict[str, Any]]:
    """Seeded mutations of linked figures of the clean text (and new sentences)."""
    rng = random.Random(seed)
    lines = list(rep.draft.lines)
    out: list[dict[str, Any]] = []
    linked = [c for c in rep.checks if c.status == "consistent" and c.link is not None]
    counts = [c for c in linked if c.figure.kind in ("count", "change_count") and c.figure.value]
    pcts = [
        c for c in linked if c.figure.kind in ("percent", "change_percent") and not c.figure.hedge
    ]
    years = [
        (i + 1, m)
        for i, s in enumerate(lines)
        for m in re.finditer(r"\bin (20\d\d)\b", s)
        if rep.extraction.line_kinds[i] == "prose"
    ]
    truth = _truths(rep)
    masked = [q for q in rep.index.quantities.values() if q.masked and q.period.isdigit()]
    additive = [
        r for r in strip_prose(pkg).descriptor.get("relations") or [] if r.get("type") == "additive"
    ]
    subtractable = [q for q in masked if _additive(additive, rep.index, q, random.Random(0))]
    kinds = ["count", "percent", "year", "difference", "masked", "subtraction"]
    weights = [0.35, 0.3, 0.1, 0.1, 0.075, 0.075]
    tries = 0
    while len(out) < n and tries < n * 20:
        tries += 1
        k = rng.choices(kinds, weights)[0]
        if k == "count" and counts:
            c = rng.choice(counts)
            f = c.figure
            num = f.number
            delta = rng.choice([-1, 1]) * rng.randint(1, 10)
            v = int(abs(f.value or 0)) + delta
            if v < 0 or str(v) == num:
                continue
            out.append(
                {
                    "kind": k,
                    "line": f.line,
                    "lines": _replace_at(lines, f.line, f.offset, num, str(v)),
                    "what": f"{num} -> {v} ({c.link.describe()})",
                    "value": v,
                    "link": c.link,
                    "figure": f,
                    "targets": [_target(truth, c)],
                }
            )
        elif k == "difference":
            cs = [c for c in counts if c.figure.kind == "change_count"]
            if not cs:
                continue
            c = rng.choice(cs)
            f = c.figure
            v = int(abs(f.value or 0)) + rng.choice([-1, 1]) * rng.randint(1, 10)
            if v <= 0 or str(v) == f.number:
                continue
            out.append(
                {
                    "kind": k,
                    "line": f.line,
                    "lines": _replace_at(lines, f.line, f.offset, f.number, str(v)),
                    "what": f"{f.number} -> {v} ({c.link.describe()})",
                    "value": v * (1 if (f.value or 0) >= 0 else -1),
                    "link": c.link,
                    "figure": f,
                    "targets": [_target(truth, c)],
                }
            )
        elif k == "percent" and pcts:
            c = rng.choice(pcts)
            f = c.figure
            m = re.match(r"([+\-−]?)(\d+)", f.number)
            if not m:
                continue
            p = int(m.group(2)) + rng.choice([-1, 1]) * rng.randint(1, 10)
            if p < 0:
                continue
            new = m.group(1) + str(p) + f.number[m.end() :]
            signed = p * (-1 if (f.value or 0) < 0 else 1)
            out.append(
                {
                    "kind": k,
                    "line": f.line,
                    "lines": _replace_at(lines, f.line, f.offset, f.number, new),
                    "what": f"{f.number} -> {new} ({c.link.describe()})",
                    "value": signed,
                    "link": c.link,
                    "figure": f,
                    "percent": True,
                    "targets": [_target(truth, c)],
                }
            )
        elif k == "year" and years:
            ln, m = rng.choice(years)
            y = int(m.group(1))
            ny = y + rng.choice([-1, 1])
            if ny > 2023 or ny < 2019:
                continue
            # the figures whose year this is (on its line or the next, where a flag counts),
            # each with what its quantity is in the new year (None: the tables do not say)
            targets = [
                (c.figure.line, c.figure.offset, _in_year(rep.index, c.link, y, ny))
                for c in linked
                if c.figure.line in (ln, ln + 1) and _periods(c.link) == {str(y)}
            ]
            if not targets:
                continue  # the year is no figure's context: the meaning does not change
            out.append(
                {
                    "kind": k,
                    "line": ln,
                    "lines": _replace_at(lines, ln, m.start(1), str(y), str(ny)),
                    "what": f"in {y} -> in {ny}",
                    "value": None,
                    "link": None,
                    "figure": None,
                    "targets": targets,
                }
            )
        elif k == "masked" and masked:
            q = rng.choice(masked)
            words = " ".join(lab for _, lab in q.labels) or q.table
            v = rng.randint(1, 4)
            sent = f"In {q.period} ging het om {v} {_unit(rep, q)} ({words.lower()})."
            new = [*lines, "", sent]
            out.append(
                {
                    "kind": k,
                    "line": len(new),
                    "lines": new,
                    "what": f"a sentence stating {q.ref} (value not shown)",
                    "value": v,
                    "link": None,
                    "figure": None,
                    "cell": q.ref,
                }
            )
        elif k == "subtraction" and subtractable:
            q = rng.choice(subtractable)
            # an additive relation of the package with q as a part: its total and its other
            # parts stated, q follows by subtraction
            rel = _additive(additive, rep.index, q, rng)
            if rel is None:
                continue
            (_total, t_val), others = rel
            text = (
                f"Van de {t_val} {_unit(rep, q)} in {q.period} zijn er "
                + ", ".join(
                    f"{v} {' '.join(lab for _, lab in o.labels).lower()}" for o, v in others
                )
                + "."
            )
            new = [*lines, "", text]
            out.append(
                {
                    "kind": k,
                    "line": len(new),
                    "lines": new,
                    "what": f"a sentence giving {q.ref} away by subtraction (not shown)",
                    "value": None,
                    "link": None,
                    "figure": None,
                    "cell": q.ref,
                    "targets": [],
                }
            )
    return out


def _unit(rep: Any, q: Any) -> str:
    res = rep.index.tables.get(q.table) or {}
    return str((res.get("unit") or {}).get("title") or "gevallen")


def _target(
    truth: dict[int, tuple[float, float] | None], c: Any
) -> tuple[int, int, tuple[float, float] | None]:
    f = c.figure
    return f.line, f.offset, truth.get(c.index, (c.link.lower, c.link.upper))


def _truths(rep: Any) -> dict[int, tuple[float, float] | None]:
    """What the gold standard says each figure of the clean text states (figure index ->
    interval; None: a quantity the tables do not hold). A mutant is judged against the
    truth, not against a link that agrees with the clean figure by coincidence."""
    figs = list(rep.extraction.figures)
    golds = gold()
    texts = {g["id"]: float(g["value"]) for g in golds if "value" in g}
    out: dict[int, tuple[float, float] | None] = {}
    for gi, fi in match(figs, golds).items():
        g = golds[gi]
        if not g.get("link"):
            out[fi] = None
            continue
        want = gold_link(rep.index, g, texts)
        if want is not None:
            out[fi] = want[1]
    return out


def _additive(
    relations: list[dict[str, Any]], index: Index, q: Any, rng: random.Random
) -> tuple[tuple[Any, int], list[tuple[Any, int]]] | None:
    """A total and the other parts of an additive relation of the package (tables only)
    with the masked cell ``q`` as a part, each with a value to state, such that the text
    gives ``q`` away by subtraction and the tables alone do not: every member but one is
    published exactly; that one (not a masked cell: a latent total, say) gets a value inside
    its feasibility interval that leaves ``q`` inside its own. None if there is no such
    relation (a breakdown whose categories overlap is not additive; with all members exact
    the tables give ``q`` away already)."""
    for r in relations:
        if q.ref not in r.get("parts", []) or q.exact:
            continue
        total = index.quantities.get(r["total"])
        others = [index.quantities.get(p) for p in r["parts"] if p != q.ref]
        if total is None or any(o is None for o in others) or not 0 < len(others) <= 6:
            continue
        members = [total, *(o for o in others if o is not None)]
        if any(re.search(r"\d", lab) for m in members for _, lab in m.labels):
            continue  # a label with digits ("23-29 jaar") would read as a figure
        loose = [m for m in members if not m.exact]
        if len(loose) != 1 or loose[0].masked or math.isinf(loose[0].upper):
            continue
        u = loose[0]
        known = sum(int(m.lower) for m in members[1:] if m is not u)
        # q = total - known parts - u (u a part) or total - known parts (u the total)
        if u is total:
            lo, hi = max(u.lower, known + q.lower), min(u.upper, known + q.upper)
        else:
            lo = max(u.lower, total.lower - known - q.upper)
            hi = min(u.upper, total.lower - known - q.lower)
        if lo > hi:
            continue
        pick = rng.randint(math.ceil(lo), math.floor(hi)) if math.ceil(lo) <= hi else None
        if pick is None:
            continue
        val = {m.ref: (pick if m is u else int(m.lower)) for m in members}
        return (total, val[total.ref]), [(o, val[o.ref]) for o in members[1:]]
    return None


def _periods(link: Link | None) -> set[str]:
    if link is None or link.derivation.startswith("text_"):
        return {"-"}
    refs = (*link.refs, *link.denominator)
    return {m.group(1) for r in refs for m in [re.search(r"period=([^/]+)", r)] if m} or {"-"}


def _in_year(index: Index, link: Link | None, y: int, ny: int) -> tuple[float, float] | None:
    """What ``link`` gives when every year in it moves from ``y`` by ``ny - y`` (the base
    year of a change with it); None when the tables do not hold that quantity."""
    if link is None:
        return None

    def moved(r: str) -> tuple[float, float] | None:
        def shift(m: re.Match[str]) -> str:
            return f"period={int(m.group(1)) + ny - y}"

        q = index.quantities.get(re.sub(r"period=(\d{4})\b", shift, r))
        return None if q is None else (q.lower, q.upper)

    nums = [moved(r) for r in link.refs]
    dens = [moved(r) for r in link.denominator]
    if any(x is None for x in (*nums, *dens)):
        return None
    n = (sum(x[0] for x in nums if x), sum(x[1] for x in nums if x))
    d = (sum(x[0] for x in dens if x), sum(x[1] for x in dens if x))
    der = link.derivation
    if der == "value" and len(nums) == 1:
        return n
    if der == "difference":
        return n[0] - d[1], n[1] - d[0]
    if der in ("share", "change") and d[0] > 0:
        lo, hi = 100 * n[0] / d[1], 100 * n[1] / d[0]
        return (lo, hi) if der == "share" else (lo - 100, hi - 100)
    return None


def _target_lines(mu: dict[str, Any]) -> tuple[int, ...]:
    """The lines on which a flag counts for mutation ``mu`` (a year: its line or the next)."""
    return (mu["line"], mu["line"] + 1) if mu["kind"] == "year" else (mu["line"],)


def recheck(mu: dict[str, Any], pkg: PackageData, bl: Baseline, package: str) -> tuple[bool, bool]:
    """Whether the mutant ``mu`` is flagged on the right line, as the full check of its text
    would say. A figure flagged on its own (:func:`check_figures`) stays flagged through the
    joint audit (which only adds findings), so the audit runs only when no figure on the
    target lines is flagged yet. Second: whether the mutant is :func:`undetectable`."""
    draft = read_text("\n".join(mu["lines"]), "mutant")
    check_language(draft)
    ex = extract(draft.lines)
    und = undetectable(mu, ex)
    checks = check_figures(ex, bl.index)
    lines = _target_lines(mu)
    if any(c.figure.line in lines and c.status in FLAGS for c in checks):
        return True, und
    r2 = check_draft(draft, pkg, package, bl, ex, checks)
    return any(c.figure.line in lines and c.status in FLAGS for c in r2.checks), und


_WORK: tuple[list[dict[str, Any]], PackageData, Baseline, str] | None = None


def _recheck_one(i: int) -> tuple[bool, bool]:
    assert _WORK is not None
    muts, pkg, bl, package = _WORK
    return recheck(muts[i], pkg, bl, package)


def recheck_all(
    muts: list[dict[str, Any]], pkg: PackageData, bl: Baseline, package: str, jobs: int
) -> list[tuple[bool, bool]]:
    """:func:`recheck` of every mutant, in ``jobs`` forked processes (the same results)."""
    global _WORK
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [recheck(mu, pkg, bl, package) for mu in muts]
    _WORK = (muts, pkg, bl, package)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return pool.map(_recheck_one, range(len(muts)), chunksize=4)
    finally:
        _WORK = None


def _memo_label_scores() -> None:
    """Remember :func:`linking.label_score` per quantity and context content: a mutant
    changes one figure, the contexts of the others stay the same (a pure function of the
    context's fields, its caches left out; results identical)."""
    skip = {"best", "cache"}
    names = [f.name for f in dataclasses.fields(linking.Context) if f.name not in skip]
    by_content: dict[tuple[Any, ...], dict[str, float]] = {}
    by_object: dict[int, dict[str, float] | None] = {}
    plain_context, plain_score = linking.context, linking.label_score

    def context(*a: Any, **kw: Any) -> linking.Context:
        ctx = plain_context(*a, **kw)
        index = a[2] if len(a) > 2 else kw["index"]
        key = (id(index), *(getattr(ctx, n) for n in names))
        try:
            by_object[id(ctx)] = by_content.setdefault(key, {})
        except TypeError:  # a field that cannot be hashed: no memo
            by_object[id(ctx)] = None
        return ctx

    def label_score(index: Index, q: Any, ctx: linking.Context) -> float:
        memo = by_object.get(id(ctx))
        if memo is None:
            return plain_score(index, q, ctx)
        got = memo.get(q.ref)
        if got is None:
            memo[q.ref] = got = plain_score(index, q, ctx)
        return got

    linking.context = context  # type: ignore[assignment]
    linking.label_score = label_score  # type: ignore[assignment]


def undetectable(mu: dict[str, Any], ex: Extraction) -> bool:
    """The tables cannot tell the mutant from the truth: every figure it changes, read from
    the mutant's text with the package's rules (hedges, a percentage rounded half up), still
    agrees with what the tables give for it (its linked quantity; for a changed year, that
    quantity in the new year, or nothing the tables hold)."""
    targets = mu.get("targets") or []
    if not targets:
        return False  # a new sentence states or gives away a masked cell: always an error
    at = {(f.line, f.offset): f for f in ex.figures}
    for line, offset, iv in targets:
        f = at.get((line, offset))
        if f is None or iv is None:
            continue  # no figure any more, or nothing the tables hold to compare with
        if _percent_ok(f, iv) != "ok":
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("package", nargs="?", default=str(ROOT / "datapackage"))
    ap.add_argument("--mutations", type=int, default=220)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument(
        "-v", "--verbose", action="store_true", help="List the wrong links and missed mutations."
    )
    ap.add_argument(
        "-j", "--jobs", type=int, default=1, help="Check the mutants in this many processes."
    )
    ap.add_argument("--tags", help="Write each mutation's kind, line and result to this JSON file.")
    ap.add_argument(
        "--no-mutations",
        action="store_true",
        help="Skip the (slow) mutation benchmark: extraction, links, flags and runtime only.",
    )
    args = ap.parse_args(argv)
    pkg = read_package(args.package)
    t0 = time.perf_counter()
    draft = read_draft(TEXT_2023)
    rep = check_draft(draft, pkg, args.package)
    runtime = time.perf_counter() - t0
    figs = list(rep.extraction.figures)
    golds = gold()
    m = match(figs, golds)
    used = set(m.values())
    rows = []
    tot_tp = tot_g = tot_x = 0
    for kind in KINDS:
        g_n = sum(1 for g in golds if g["kind"] == kind)
        x_n = sum(1 for f in figs if f.kind == kind)
        tp = sum(1 for gi, fi in m.items() if golds[gi]["kind"] == kind)
        tp_x = sum(1 for fi in used if figs[fi].kind == kind)
        if not g_n and not x_n:
            continue
        tot_tp += tp
        tot_g += g_n
        tot_x += x_n
        rows.append(
            [kind, g_n, x_n, _fmt(tp / g_n) if g_n else "-", _fmt(tp_x / x_n) if x_n else "-"]
        )
    rows.append(["all", tot_g, tot_x, _fmt(len(m) / len(golds)), _fmt(len(used) / len(figs))])
    _table(
        "Extraction against the 2023 gold standard (recall >= 0.99, precision >= 0.97)",
        ["kind", "gold", "extracted", "recall", "precision"],
        rows,
    )

    texts = {g["id"]: float(g["value"]) for g in golds if "value" in g}
    lk_rows: Counter[str] = Counter()
    ok_rows: Counter[str] = Counter()
    wrong: list[str] = []
    for gi, g in enumerate(golds):
        want = gold_link(rep.index, g, texts)
        if want is None:
            continue
        lk_rows[want[0]] += 1
        fi = m.get(gi)
        c = rep.checks[fi] if fi is not None else None
        if c is not None and c.status != "unlinked" and link_ok(c.link, want):
            ok_rows[want[0]] += 1
        else:
            got = c.link.describe() if c is not None and c.link else "-"
            wrong.append(f"line {g['line']} {g['printed']!r}: want {g['link']}; got {got}")
    rows = [[k, lk_rows[k], ok_rows[k], _fmt(ok_rows[k] / lk_rows[k])] for k in sorted(lk_rows)]
    n_l, n_ok = sum(lk_rows.values()), sum(ok_rows.values())
    rows.append(["all", n_l, n_ok, _fmt(n_ok / n_l)])
    _table(
        "Correct first link of the linkable gold figures (>= 0.90)",
        ["derivation", "linkable", "correct", "rate"],
        rows,
    )
    if args.verbose:
        print("\n".join("  " + w for w in wrong))

    with PROBLEMS_2023.open("rb") as fh:
        problems = tomllib.load(fh)["problems"]
    flagged = {c.figure.line: c for c in rep.checks if c.status in FLAGS}
    found = 0
    prow = []
    known_lines: set[int] = set()
    for p in problems:
        lines = set(p["lines"])
        known_lines |= lines | set(p.get("also", []))
        hit = [ln for ln in sorted(lines) if ln in flagged and flagged[ln].status == p["status"]]
        found += bool(hit)
        prow.append(
            [p["id"], ",".join(map(str, sorted(lines))), p["status"], "yes" if hit else "NO"]
        )
    _table(
        "Known problems of the 2023 text (all found)", ["problem", "lines", "status", "found"], prow
    )
    acked = {a.get("cell") for a in pkg.descriptor.get("acknowledgedFindings") or []}
    beyond = [c for ln, c in sorted(flagged.items()) if ln not in known_lines]
    historic = [
        c for c in beyond if c.status == "disclosure" and any(a in c.message for a in acked if a)
    ]
    other = [c for c in beyond if c not in historic]
    print(
        f"\nFlags on the clean 2023 text: {len(flagged)} lines flagged; known problems "
        f"{found}/{len(problems)}; beyond them {len(other)} (<= 5), plus {len(historic)} historic "
        "disclosures the package acknowledges"
    )
    for c in other:
        print(f"  line {c.figure.line} {c.figure.printed!r} {c.status}: {c.message[:150]}")
    for c in historic:
        print(f"  (historic) line {c.figure.line} {c.figure.printed!r}: {c.message[:120]}")

    if args.no_mutations:
        print(f"\nRuntime: the whole 2023 text checked in {runtime:.2f} s (<= 10 s)")
        return 0
    muts = mutations(rep, pkg, args.mutations, args.seed)
    bl = baseline(pkg)
    res: Counter[str] = Counter()
    per_kind: dict[str, Counter[str]] = {}
    t1 = time.perf_counter()
    _memo_label_scores()
    tags: list[dict[str, Any]] = []
    for mu, (hit, und) in zip(
        muts, recheck_all(muts, pkg, bl, args.package, args.jobs), strict=True
    ):
        tag = "flagged" if hit else ("undetectable" if und else "missed")
        res[tag] += 1
        tags.append({"kind": mu["kind"], "line": mu["line"], "result": tag, "what": mu["what"]})
        if args.verbose and tag == "missed":
            print(f"  missed {mu['kind']} line {mu['line']}: {mu['what']}")
        per_kind.setdefault(mu["kind"], Counter())[tag] += 1
    mrows = [
        [k, sum(v.values()), v["flagged"], v["undetectable"], v["missed"]]
        for k, v in sorted(per_kind.items())
    ]
    det = len(muts) - res["undetectable"]
    mrows.append(["all", len(muts), res["flagged"], res["undetectable"], res["missed"]])
    _table(
        f"Mutations (seed {args.seed}; >= 0.95 of the detectable flagged on the right line)",
        ["kind", "injected", "flagged", "undetectable", "missed"],
        mrows,
    )
    if args.tags:
        Path(args.tags).write_text(json.dumps(tags, indent=1, ensure_ascii=False))
    rate = res["flagged"] / det if det else math.nan
    print(
        f"  flagged on the right line: {res['flagged']}/{det} detectable = {rate:.3f} "
        f"({res['flagged']}/{len(muts)} = {res['flagged'] / max(1, len(muts)):.3f} of all)"
    )
    print(
        f"\nRuntime: the whole 2023 text checked in {runtime:.2f} s (<= 10 s); "
        f"{len(muts)} mutants in {time.perf_counter() - t1:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
