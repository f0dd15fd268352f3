"""Benchmarks of the SDC engine (seeded random two-way tables with margins).

    PYTHONPATH=src python scripts/bench_sdc.py [--quick] [--no-tau]

Cases (issues 3 and 10):
  audit 100x100, 500 masked inner cells      target < 0.5 s with the deletion filter
                                             (``opendata-mh audit``), <= 0.35 s without it
                                             (informed; ``check``: pinning relations from
                                             the LP duals only)
  audit 300x300, 4,500 masked inner cells    target < 30 s
  independent attacker (tests/attacker.py, scipy milp): >= 300 random tables of every
  kind (2-D, 3-D, hierarchical, multi-label, linked pairs) protected with the defaults:
  target 0 exact, 0 narrowed
  revision pairs (old, new = old + late registrations), each edition protected alone and
  the new one jointly with the old (``sdc.protect_revision``, monotone model): target
  0 leaks jointly in >= 60 pairs; the cost (cells, value) beside protecting alone
  secondary suppression 100x100, 5 % primary (and 1 %), cost value and unit,
  method "heuristic" and "mip" (default, time_limit 40 s), secondary symbol
  >= 5 (default) and >= 1 with every <5 upgradable

``cpu_s`` is the process's CPU time for the audit (on a shared machine closer to what a quiet one
takes than the wall time ``time_s``; HiGHS runs single-threaded).

Tables: ``inner = rng.poisson(20, (R, C))`` (generator of pytauargus.md §2.1).
Audit cases are run under two knowledge models: "classic" (masked cells in
[0, max cell], sdc.md §5) and "informed" (masked cells get true values 1..4 and
the bounds [1, 4]). Suppression uses the informed attacker (``<5`` -> [1, 4],
secondary -> [5, inf)) with protection "apriori".

If ``pytauargus`` is importable, the same suppression tables are also protected
with τ-ARGUS OPT(1,5) (FREQ(5,10), tabular route, pytauargus.md §1.3) in a
subprocess with its own working directory, and its pattern is audited with our
informed attacker (how many ``<5`` cells it gives away), and the 100x100 audit
cases are also solved by τ-ARGUS's exact LP audit (``audit_jj`` on a JJ file with
the same a-priori bounds per cell, pytauargus.md §3.3; the intervals are checked
equal to ours). The 300x300 τ-ARGUS audit takes about 5 minutes (pytauargus.md
§2.3); ``--tau-audit-300`` runs it too.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

from opendata_mh.sdc import Cell, CellStatus, SDCError, audit
from opendata_mh.sdc.suppress import published_cells, suppress
from opendata_mh.sdc.tables import two_way_table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.attacker
from tests.attacker import KINDS, findings, protect_and_print, random_case, revision_case

_TAU_AUDIT = textwrap.dedent(
    """
    import json, os, sys, time
    from pytauargus._tauargus import audit_jj
    os.chdir(os.path.dirname(sys.argv[1]))
    t = time.perf_counter()
    rows = audit_jj(sys.argv[1])
    dt = time.perf_counter() - t
    print(json.dumps({"time": dt, "rows": [[r["cell"], r["min"], r["max"]] for r in rows]}))
    """
)


def tau_audit(
    vals: dict[str, int], rels: list, bounds: dict[str, tuple[float, float]]
) -> tuple[float, dict[str, tuple[float, float]]] | None:
    """τ-ARGUS's exact LP audit (``audit_jj``) of the same table and a-priori bounds,
    in a subprocess with its own working directory: (seconds, cell -> interval)."""
    ids = list(vals)
    pos = {c: i for i, c in enumerate(ids)}
    top = max(vals.values())
    lines = ["0", str(len(ids))]
    for i, c in enumerate(ids):
        lo, hi = bounds.get(c, (0, top))
        st = ("u" if 1 <= vals[c] <= 4 else "m") if c in bounds else "s"
        lines.append(f"{i} {vals[c]} 1 {st} {lo:g} {hi:g} 0.000 0.000 0")
    lines.append(str(len(rels)))
    for rel in rels:
        terms = " ".join(f"{pos[c]} ({a:g})" for c, a in rel.coeffs.items())
        lines.append(f"{rel.rhs:g} {len(rel.coeffs)} : {terms} ")
    with tempfile.TemporaryDirectory(prefix="tau_") as wd:
        jj = Path(wd) / "t.jj"
        jj.write_text("\n".join(lines) + "\n")
        p = subprocess.run(
            [sys.executable, "-c", _TAU_AUDIT, str(jj)],
            capture_output=True,
            text=True,
            env=dict(os.environ, TMPDIR=wd),
            cwd=wd,
            timeout=900,
        )
    if p.returncode != 0:
        print(f"pytauargus audit failed: {p.stderr[-400:]}", file=sys.stderr)
        return None
    out = json.loads(p.stdout.strip().splitlines()[-1])
    return out["time"], {ids[i]: (lo, hi) for i, lo, hi in out["rows"]}


def audit_case(
    R: int, k: int, model: str, seed: int = 2026, tau: bool = False, shortest: bool = True
) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    inner = rng.poisson(20, (R, R))
    flat = rng.choice(R * R, k, replace=False)
    if model == "informed":
        inner.flat[flat] = rng.integers(1, 5, k)
    vals, rels = two_way_table(inner)
    masked = {f"r{f // R}|c{f % R}" for f in flat}
    mx = int(inner.max())
    cells = [
        (Cell(c, 1, 4) if model == "informed" else Cell(c, 0, mx))
        if c in masked
        else Cell.exact(c, v)
        for c, v in vals.items()
    ]
    t, c0 = time.perf_counter(), time.process_time()
    rep = audit(cells, rels, shortest=shortest)
    dt, cpu = time.perf_counter() - t, time.process_time() - c0
    how = "deletion filter" if shortest else "no deletion filter"
    row: dict[str, object] = {
        "case": f"audit {R}x{R}, {k} masked, {model} ({how})",
        "time_s": round(dt, 3),
        "cpu_s": round(cpu, 3),
        "lps": rep.stats["lps"],
        "exact": len(rep.disclosed()),
        "narrowed": len(rep.narrowed()),
    }
    if tau:
        bounds = {c.id: (c.lower, c.upper) for c in cells if not c.fixed}
        res = tau_audit(vals, rels, bounds)
        if res is not None:
            ours = audit(cells, rels, integral=False, explain=False).by_id
            diff = max(
                max(abs(ours[c].lower - lo), abs(ours[c].upper - hi))
                for c, (lo, hi) in res[1].items()
            )
            row["τ-ARGUS audit_jj s"] = round(res[0], 2)
            row["max |diff|"] = diff
    return row


def supp_table(R: int, p: float, seed: int = 2026) -> np.ndarray:
    rng = np.random.default_rng(seed)
    inner = rng.poisson(20, (R, R))
    mask = rng.random((R, R)) < p
    inner[mask] = rng.integers(1, 5, int(mask.sum()))
    return inner


def informed_exact(
    vals: dict[str, int],
    rels: list,
    suppressed: set[str],
    secondary_lower: int = 5,
    upgraded: tuple[str, ...] = (),
) -> tuple[int, int]:
    """(# <5 cells pinned exactly, # <5 cells narrowed) under the informed attacker
    (x read as >= ``secondary_lower``; upgraded primaries printed x)."""
    st = {
        c: (CellStatus.PRIMARY if 1 <= vals[c] <= 4 else CellStatus.SECONDARY) for c in suppressed
    }
    rep = audit(
        published_cells(vals, st, secondary_lower=secondary_lower, upgraded=upgraded),
        rels,
        explain=False,
    )
    prim = [
        r for r in rep.results if st[r.cell_id] == CellStatus.PRIMARY and r.cell_id not in upgraded
    ]
    return sum(r.exact for r in prim), sum(r.narrowed for r in prim)


def supp_case(
    R: int, p: float, cost: str, method: str = "mip", secondary_lower: int = 5
) -> tuple[dict[str, object], dict[str, int], list]:
    """Our suppression (``method`` "heuristic" or "mip"); with ``secondary_lower=1``
    every <5 cell is upgradable (the convention of ``opendata-mh build`` and the API's
    default); with 5 the strict convention (x >= 5, nothing upgradable)."""
    inner = supp_table(R, p)
    vals, rels = two_way_table(inner)
    up = [c for c, v in vals.items() if 1 <= v <= 4] if secondary_lower == 1 else []
    t = time.perf_counter()
    res = suppress(
        vals,
        rels,
        cost=cost,
        method=method,  # type: ignore[arg-type]
        secondary_lower=secondary_lower,
        upgradable=up,
    )
    dt = time.perf_counter() - t
    ex, nar = informed_exact(
        vals, rels, set(res.primary) | set(res.secondary), secondary_lower, res.upgraded
    )
    lab = ", x>=5" if secondary_lower == 5 else f", x>={secondary_lower}+upgrades"
    row: dict[str, object] = {
        "case": f"suppress {R}x{R}, {p:.0%} primary, cost={cost}{lab} (ours, {method})",
        "primary": len(res.primary),
        "secondary": len(res.secondary),
        "secondary_value": res.suppressed_value,
        "time_s": round(dt, 2),
        "<5 exact": ex,
        "<5 narrowed": nar,
    }
    if method == "mip":
        row["upgraded"] = len(res.upgraded)
        row["proven optimal"] = bool(res.stats.get("mip_optimal"))
        row["cost lower bound"] = round(float(res.stats.get("mip_lower_bound", math.nan)), 1)
    return row, vals, rels


_TAU = textwrap.dedent(
    """
    import json, os, sys, time
    from pytauargus.engine import run_batch
    from pytauargus.result import TableResult
    wd, cost = sys.argv[1], sys.argv[2]
    os.chdir(wd)
    t = time.perf_counter()
    eng = run_batch(os.path.join(wd, "b.arb"))
    rows = TableResult(os.path.join(wd, "out.tab"), ["R", "C"], "n").rows
    dt = time.perf_counter() - t
    print(json.dumps({"time": dt, "rows": [[r["R"], r["C"], r["status"]] for r in rows]}))
    """
)


def tau_case(vals: dict[str, int], R: int, cost: str) -> dict[str, object] | None:
    with tempfile.TemporaryDirectory(prefix="tau_") as wd:
        with (Path(wd) / "t.tab").open("w") as f:
            for cid, v in vals.items():
                r, c = cid.split("|")
                f.write(f"{'Total' if r == 'T' else r};{'Total' if c == 'T' else c};{v};{v}\n")
        with (Path(wd) / "t.rda").open("w") as f:
            f.write('<SEPARATOR> ";"\n')
            for var in ("R", "C"):
                f.write(f'{var}\n  <RECODEABLE>\n  <TOTCODE> "Total"\n')
            f.write("n\n  <NUMERIC>\n  <DECIMALS> 0\nf\n  <FREQUENCY>\n")
        cost_spec = "-2" if cost == "unit" else ""
        with (Path(wd) / "b.arb").open("w") as f:
            f.write(
                f'<OPENTABLEDATA> "{wd}/t.tab"\n<OPENMETADATA> "{wd}/t.rda"\n'
                f'<SPECIFYTABLE> "R""C"|"n"||{cost_spec}\n<SAFETYRULE> FREQ(5,10)\n<READTABLE> 0\n'
                f'<SUPPRESS> OPT(1,5)\n<WRITETABLE> (1,5,SO+,"{wd}/out.tab")\n'
            )
        env = dict(os.environ, TMPDIR=wd)
        p = subprocess.run(
            [sys.executable, "-c", _TAU, wd, cost],
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
        )
        if p.returncode != 0:
            print(f"pytauargus failed: {p.stderr[-400:]}", file=sys.stderr)
            return None
        out = json.loads(p.stdout.strip().splitlines()[-1])
    sup: set[str] = set()
    sec = 0
    secv = 0
    for r, c, s in out["rows"]:
        r, c = r.strip(), c.strip()
        cid = f"{'T' if r == 'Total' else r}|{'T' if c == 'Total' else c}"
        if s in ("U", "M"):
            sup.add(cid)
            if s == "M":
                sec += 1
                secv += vals[cid]
    return {"sup": sup, "secondary": sec, "secondary_value": secv, "time_s": round(out["time"], 2)}


def attacker_cases(per_kind: int) -> dict[str, object]:
    """The independent attacker on ``per_kind`` random tables of every kind."""
    t = time.perf_counter()
    n = exact = narrowed = wrong = skipped = 0
    for kind in KINDS:
        for seed in range(per_kind):
            rng = np.random.default_rng(50_000 + 1000 * KINDS.index(kind) + seed)
            vals, rels = random_case(kind, rng)
            try:
                printed, _ = protect_and_print(vals, rels)
            except SDCError:
                skipped += 1
                continue
            got = findings(vals, printed, rels)
            n += 1
            exact += len(got["exact"])
            narrowed += len(got["narrowed"])
            wrong += len(got["wrong"])
    return {
        "case": f"independent attacker, {n} tables ({', '.join(KINDS)}; {skipped} unprotectable)",
        "time_s": round(time.perf_counter() - t, 1),
        "<5 exact": exact,
        "<5 narrowed": narrowed + wrong,
    }


def revision_cases(pairs: int) -> list[dict[str, object]]:
    """Random revision pairs: both editions protected alone, and jointly."""
    t = time.perf_counter()
    alone_leaks = alone_exact = alone_nar = joint_leaks = joint_exact = joint_nar = 0
    done = 0
    cost = {"alone_cells": 0, "alone_value": 0, "joint_cells": 0, "joint_value": 0}
    for seed in range(pairs):
        rng = np.random.default_rng(90_000 + seed)
        r, c = (int(x) for x in rng.integers(2, 5, 2))
        old = rng.poisson(4, (r, c))
        new = old + rng.binomial(2, 0.3, (r, c))
        try:
            got_a, _ = revision_case(old, new, joint=False)
            got_j, res = revision_case(old, new, joint=True, compare=True)
        except SDCError:
            continue
        done += 1
        alone_leaks += bool(got_a["exact"] or got_a["narrowed"])
        alone_exact += len(got_a["exact"])
        alone_nar += len(got_a["narrowed"])
        joint_leaks += bool(got_j["exact"] or got_j["narrowed"] or got_j["wrong"])
        joint_exact += len(got_j["exact"])
        joint_nar += len(got_j["narrowed"]) + len(got_j["wrong"])
        cost["joint_cells"] += len(res.secondary)  # type: ignore[attr-defined]
        cost["joint_value"] += res.suppressed_value  # type: ignore[attr-defined]
        cost["alone_cells"] += res.alone_secondary or 0  # type: ignore[attr-defined]
        cost["alone_value"] += res.alone_value or 0  # type: ignore[attr-defined]
    dt = round(time.perf_counter() - t, 1)
    return [
        {
            "case": f"revision pairs, {done} pairs, each edition protected alone",
            "time_s": dt,
            "pairs leaking": alone_leaks,
            "<5 exact": alone_exact,
            "<5 narrowed": alone_nar,
            "secondary": cost["alone_cells"],
            "secondary_value": cost["alone_value"],
        },
        {
            "case": f"revision pairs, {done} pairs, new edition protected jointly (monotone)",
            "pairs leaking": joint_leaks,
            "<5 exact": joint_exact,
            "<5 narrowed": joint_nar,
            "secondary": cost["joint_cells"],
            "secondary_value": cost["joint_value"],
        },
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the 300x300 audit")
    ap.add_argument("--no-tau", action="store_true", help="skip pytauargus")
    ap.add_argument(
        "--tau-audit-300", action="store_true", help="also time τ-ARGUS's 300x300 audit (~5 min)"
    )
    ap.add_argument(
        "--only",
        choices=["audit", "suppress", "attacker", "revisions"],
        action="append",
        help="run only these parts (repeatable; default: all)",
    )
    ap.add_argument("--per-kind", type=int, default=60, help="independent-attacker tables per kind")
    ap.add_argument("--pairs", type=int, default=80, help="revision pairs")
    args = ap.parse_args()
    parts = set(args.only or ["audit", "suppress", "attacker", "revisions"])
    try:
        import pytauargus  # noqa: F401

        have_tau = not args.no_tau
    except ImportError:
        have_tau = False
    rows: list[dict[str, object]] = []
    for R, k in [(100, 500)] + ([] if args.quick else [(300, 4500)]):
        if "audit" not in parts:
            break
        for model in ("classic", "informed"):
            tau = have_tau and (R <= 100 or args.tau_audit_300)
            rows.append(audit_case(R, k, model, tau=tau))
            print(rows[-1], file=sys.stderr)
        rows.append(audit_case(R, k, "informed", shortest=False))
        print(rows[-1], file=sys.stderr)
    if "attacker" in parts:
        rows.append(attacker_cases(args.per_kind))
        print(rows[-1], file=sys.stderr)
    if "revisions" in parts:
        for row in revision_cases(args.pairs):
            rows.append(row)
            print(row, file=sys.stderr)
    for p in (0.05, 0.01) if "suppress" in parts else ():
        for cost in ("value", "unit"):
            for method, sl in (("heuristic", 5), ("mip", 5), ("heuristic", 1), ("mip", 1)):
                row, vals, rels = supp_case(100, p, cost, method, sl)
                rows.append(row)
                print(row, file=sys.stderr)
            if have_tau:
                tau = tau_case(vals, 100, cost)
                if tau is not None:
                    ex, nar = informed_exact(vals, rels, tau["sup"])  # type: ignore[arg-type]
                    rows.append(
                        {
                            "case": f"suppress 100x100, {p:.0%} primary, cost={cost} "
                            "(τ-ARGUS OPT(1,5))",
                            "primary": row["primary"],
                            "secondary": tau["secondary"],
                            "secondary_value": tau["secondary_value"],
                            "time_s": tau["time_s"],
                            "<5 exact": ex,
                            "<5 narrowed": nar,
                        }
                    )
                    print(rows[-1], file=sys.stderr)
    cols = [
        "case",
        "time_s",
        "cpu_s",
        "lps",
        "exact",
        "narrowed",
        "τ-ARGUS audit_jj s",
        "max |diff|",
        "primary",
        "secondary",
        "secondary_value",
        "<5 exact",
        "<5 narrowed",
        "pairs leaking",
        "upgraded",
        "proven optimal",
        "cost lower bound",
    ]
    used = [c for c in cols if any(c in r for r in rows)]
    print("| " + " | ".join(used) + " |")
    print("|" + "---|" * len(used))
    for r in rows:
        print("| " + " | ".join(str(r.get(c, "")) for c in used) + " |")
    _ = math  # keep import for users extending the script


if __name__ == "__main__":
    main()
