#!/usr/bin/env python3
"""Benchmark: build a year from 1,000,000 synthetic victim records (target < 10 s).

Generates the records with scripts/make_synthetic_microdata.py (not timed) into a temporary
directory, copies metadata/ there, and times ``opendata_mh.build.build`` with ``dry_run=True``
(read, validate, count, protect, audit; nothing written) for CSV and for Parquet input, with and
without the final package check. Prints one line per run with the stage timings.

    python scripts/bench_build.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
import time
from pathlib import Path

from opendata_mh.build import build

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    a = ap.parse_args()
    spec = importlib.util.spec_from_file_location(
        "make_synthetic_microdata", ROOT / "scripts" / "make_synthetic_microdata.py"
    )
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        t0 = time.perf_counter()
        gen.write(gen.make(2024, rows=a.rows, seed=1), t / "raw", "both")
        print(
            f"generated {a.rows} victim records in {time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
        )
        shutil.copytree(ROOT / "metadata", t / "metadata")
        for fmt in ("csv", "parquet"):
            inputs = [str(p) for p in sorted((t / "raw").glob(f"*.{fmt}"))]
            for check in (False, True):
                r = build(
                    t / "metadata",
                    inputs,
                    year=2024,
                    dry_run=True,
                    check=check,
                    out_dir=t / "pkg",
                    date="2025-06-30",
                )
                s = r.seconds
                print(
                    f"{fmt:<8} check={check!s:<5} total {s['total']:.2f} s  (read {s['read']:.2f}, "
                    f"validate {s['validate']:.2f}, count {s['count']:.2f}, protect "
                    f"{s['protect']:.2f}, check {s['check']:.2f}); {r.records['victim']} victims"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
