"""Benchmark of the terminal views and the codebook (issue 13, items 5 and 6).

    python scripts/bench_views.py [PACKAGE_DIR] [--runs N]

Prints, per command, the median and the best wall time of N runs of the real command line
(a fresh ``python -m opendata_mh`` process each time, output piped to /dev/null) against its
target, and the in-process time of the library call alone:

* ``show 1``, ``show 18 --lang en``, ``tables`` (target <= 0.5 s each);
* ``docs`` (the whole codebook with 18 charts; no target, reported).

The process time includes Python's start-up and the CLI's imports (made lazy by the CLI work of
issue 11); the library time is what the views themselves cost.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

TARGET = 0.5


def _wall(args: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "opendata_mh", *args],
            stdout=subprocess.DEVNULL,
            check=True,
            env={"COLUMNS": "80", "PATH": "/usr/bin:/bin"},
        )
        times.append(time.perf_counter() - t)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("package", nargs="?", default=str(ROOT / "datapackage"))
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    from opendata_mh.views import list_tables, table_view

    print(f"{'command':<28} {'median s':>9} {'best s':>8} {'target':>7} {'':>4} {'library s':>9}")
    cases = [
        (["show", "1"], lambda: table_view("1", a.package)),
        (["show", "18", "--lang", "en"], lambda: table_view("18", a.package, lang="en")),
        (["tables"], lambda: list_tables(a.package)),
    ]
    for args, lib in cases:
        wall = _wall([*args, a.package], a.runs)
        t = time.perf_counter()
        lib()
        lib_s = time.perf_counter() - t
        ok = "ok" if statistics.median(wall) <= TARGET else "MISS"
        print(
            f"{' '.join(args):<28} {statistics.median(wall):>9.3f} {min(wall):>8.3f} "
            f"{TARGET:>7.1f} {ok:>4} {lib_s:>9.3f}"
        )
    with tempfile.TemporaryDirectory() as out:
        wall = _wall(["docs", a.package, "--out", str(Path(out) / "cb")], 1)
    print(f"{'docs (codebook, 18 charts)':<28} {wall[0]:>9.3f} {wall[0]:>8.3f} {'-':>7}")


if __name__ == "__main__":
    main()
